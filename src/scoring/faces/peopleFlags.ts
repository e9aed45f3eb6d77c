/**
 * The people verdicts (faceJudgement.ts) as tile flags: which flags a photo gets and which face each one is
 * about. Pure, so the grid, the filters, the explain panel and the tests share one rule; the words for them
 * live in the UI (src/ui/peopleWording.ts).
 *
 * - eyes closed: some judged face has one or both eyes closed. When every such face is under
 *   RELIABLE_FACE_PX the flag is a "maybe" (shown "eyes closed?"): still flagged and filtered, because the
 *   labelled closed eyes of full-body shots were caught at that size, but said to be uncertain.
 * - face soft: some face is clearly softer than the rest of the picture (focus missed the people).
 * - face cut off: the frame cuts a face large enough to have its eyes judged. A cut face in the background of
 *   a crowd is not worth a flag; a cut subject is.
 */
import type { JudgedFace, PeopleInPicture } from './faceJudgement';

export type PeopleFlag = 'eyes-closed' | 'face-soft' | 'face-cut-off';

export const PEOPLE_FLAGS: readonly PeopleFlag[] = ['eyes-closed', 'face-soft', 'face-cut-off'];

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
