/**
 * The people checks in words: flag labels ("eyes closed?"), where a face is ("face 2 (top right, 240 px)")
 * and why each verdict was given, with the figure and the threshold. The rule itself (which flags, which
 * faces) is src/scoring/faces/peopleFlags.ts; this is only how the UI says it.
 */
import { FACE_THRESHOLDS, type FaceThresholds, type FrameEdge, type JudgedFace, type PeopleInPicture } from '../scoring/faces/faceJudgement';
import { facesFlagged, isMaybe, type PeopleFlag } from '../scoring/faces/peopleFlags';

export const PEOPLE_FLAG_LABELS: Readonly<Record<PeopleFlag, string>> = {
  'eyes-closed': 'eyes closed',
  'face-soft': 'face soft',
  'face-cut-off': 'face cut off',
};

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
