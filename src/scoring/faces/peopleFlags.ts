/**
 * The people verdicts (faceJudgement.ts) as tile flags and plain sentences: which flags a photo gets, which
 * face each one is about, and why. Pure, so the grid, the filters, the explain panel and the tests share one
 * wording and one rule.
 *
 * - eyes closed: some judged face has one or both eyes closed. When every such face is under
 *   RELIABLE_FACE_PX the flag is a "maybe" (shown "eyes closed?"): still flagged and filtered, because the
 *   labelled closed eyes of full-body shots were caught at that size, but said to be uncertain.
 * - face soft: some face is clearly softer than the rest of the picture (focus missed the people).
 * - face cut off: the frame cuts a face large enough to have its eyes judged. A cut face in the background of
 *   a crowd is not worth a flag; a cut subject is.
 */
import { FACE_THRESHOLDS, type FaceThresholds, type FrameEdge, type JudgedFace, type PeopleInPicture } from './faceJudgement';

export type PeopleFlag = 'eyes-closed' | 'face-soft' | 'face-cut-off';

export const PEOPLE_FLAGS: readonly PeopleFlag[] = ['eyes-closed', 'face-soft', 'face-cut-off'];

export const PEOPLE_FLAG_LABELS: Readonly<Record<PeopleFlag, string>> = {
  'eyes-closed': 'eyes closed',
  'face-soft': 'face soft',
  'face-cut-off': 'face cut off',
};

function concerns(flag: PeopleFlag, f: JudgedFace): boolean {
  switch (flag) {
    case 'eyes-closed':
      return f.eyes === 'one-closed' || f.eyes === 'both-closed';
    case 'face-soft':
      return f.focus === 'soft';
    case 'face-cut-off':
      return f.cutBy.length > 0 && f.sizeClass !== 'small';
  }
}

/** The flags one face raises. */
export function faceFlags(face: JudgedFace): PeopleFlag[] {
  return PEOPLE_FLAGS.filter((flag) => concerns(flag, face));
}

/** The faces (1-based numbers, as `faceName` gives them) a flag is about; empty when it does not apply. */
export function facesFlagged(flag: PeopleFlag, people: PeopleInPicture): number[] {
  return people.faces.flatMap((f, i) => (concerns(flag, f) ? [i + 1] : []));
}

export function peopleFlags(people: PeopleInPicture): PeopleFlag[] {
  return PEOPLE_FLAGS.filter((flag) => facesFlagged(flag, people).length > 0);
}

/** True when a flag rests only on faces whose eyes were judged from few pixels (show it as a maybe). */
export function isMaybe(flag: PeopleFlag, people: PeopleInPicture): boolean {
  if (flag !== 'eyes-closed') return false;
  const faces = facesFlagged(flag, people).map((n) => people.faces[n - 1]);
  return faces.length > 0 && faces.every((f) => !f.eyesReliable);
}

/** The label on a tile: "eyes closed", or "eyes closed?" for a maybe. */
export function flagLabel(flag: PeopleFlag, people: PeopleInPicture): string {
  return PEOPLE_FLAG_LABELS[flag] + (isMaybe(flag, people) ? '?' : '');
}

/** Where a box sits, in words: "top left", "centre", "bottom right"… */
export function placeOf(face: JudgedFace): string {
  const cx = face.box.x + face.box.width / 2;
  const cy = face.box.y + face.box.height / 2;
  const col = cx < 1 / 3 ? 'left' : cx > 2 / 3 ? 'right' : '';
  const row = cy < 1 / 3 ? 'top' : cy > 2 / 3 ? 'bottom' : '';
  return [row, col].filter(Boolean).join(' ') || 'centre';
}

/** "face 2 (top right, 240 px)": faces are numbered largest first, as the explain panel draws them. */
export function faceName(people: PeopleInPicture, index: number): string {
  const f = people.faces[index];
  return `face ${index + 1} (${placeOf(f)}, ${Math.round(f.sourceSizePx)} px)`;
}

const two = (x: number) => x.toFixed(2);

/** Why a face's eyes got their verdict, in one phrase. */
export function eyesReason(face: JudgedFace, t: FaceThresholds = FACE_THRESHOLDS): string {
  const o = face.openness;
  const small = face.eyesReliable ? '' : ' (a small face: a few pixels per lid, so a maybe)';
  if (face.eyes === 'not-judged' || !o || !face.closed) return face.notJudgedReason ?? 'eyes not judged';
  const limit = `closed below ${two(t.eyeClosedOpenness)}`;
  if (face.eyes === 'open') return `eyes open (openness ${two(o.right)} and ${two(o.left)}, ${limit})`;
  if (face.eyes === 'both-closed') return `both eyes closed (openness ${two(o.right)} and ${two(o.left)}, ${limit})${small}`;
  const which = face.closed.right ? 'right' : 'left';
  const value = face.closed.right ? o.right : o.left;
  const other = face.closed.right ? o.left : o.right;
  return `the subject's ${which} eye closed (openness ${two(value)}, ${limit}; the other ${two(other)})${small}`;
}

/** Why a face's focus got its verdict. */
export function focusReason(face: JudgedFace, t: FaceThresholds = FACE_THRESHOLDS): string {
  if (face.focus === 'not-judged') return face.notJudgedReason?.split('; ').find((r) => r.startsWith('focus')) ?? 'focus not judged';
  return `${face.focus === 'soft' ? 'soft' : 'in focus'}: ${sharpnessDetail(face, t)}`;
}

function sharpnessDetail(face: JudgedFace, t: FaceThresholds = FACE_THRESHOLDS): string {
  const ratio = two(face.relativeSharpness ?? 0);
  return face.focus === 'soft'
    ? `${ratio}× the sharpness of the rest of the picture, under ${two(t.softFaceRatio)}×`
    : `${ratio}× the sharpness of the rest of the picture`;
}

const EDGE_WORDS: Readonly<Record<FrameEdge, string>> = { left: 'left', top: 'top', right: 'right', bottom: 'bottom' };

export function cutReason(face: JudgedFace): string {
  if (face.cutBy.length === 0) return 'whole in the frame';
  const edges = face.cutBy.map((e) => EDGE_WORDS[e]);
  return `cut off by the ${edges.join(' and ')} edge${edges.length > 1 ? 's' : ''} of the frame`;
}

/** One line per flagged face: "eyes closed: face 1 (centre, 412 px): both eyes closed (openness …)". */
export function flagReasons(flag: PeopleFlag, people: PeopleInPicture, t: FaceThresholds = FACE_THRESHOLDS): string[] {
  const why = flag === 'eyes-closed' ? eyesReason : flag === 'face-soft' ? sharpnessDetail : cutReason;
  return facesFlagged(flag, people).map((n) => `${flagLabel(flag, people)}: ${faceName(people, n - 1)}: ${why(people.faces[n - 1], t)}`);
}
