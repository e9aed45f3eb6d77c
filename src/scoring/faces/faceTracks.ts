/**
 * The same person across the frames of a burst, for culling mode's rows of face crops. A burst is shot from one
 * place within seconds, so a person's face sits at about the same place in every frame: faces are matched to
 * the reference frame's by box overlap, greedily from the best overlap down. A face with no counterpart (the
 * person turned away, walked out, or was not detected) leaves a gap in its row.
 */
import { boxIou, PROMINENT_FACE_FRACTION, type JudgedFace } from './faceJudgement';

/**
 * Two boxes of one person in two frames overlap at least this much (IoU). A burst's frames move a face by a
 * fraction of its width; neighbours in a group photo overlap at most 0.17 (faceJudgement.ts's DUPLICATE_IOU note).
 */
export const SAME_FACE_IOU = 0.3;

/** The reference frame's prominent faces (indices into its faces, largest first), at most `limit`. */
export function prominentFaceIndices(faces: readonly JudgedFace[], limit = 8): number[] {
  const largest = Math.max(0, ...faces.map((f) => f.sizePx));
  return faces
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => !(f.sizePx < PROMINENT_FACE_FRACTION * largest))
    .sort((a, b) => b.f.sizePx - a.f.sizePx || a.i - b.i)
    .slice(0, limit)
    .map(({ i }) => i);
}

/**
 * One row per person: for each frame, the index of that person's face in the frame's faces, or null. The
 * shown (reference) frame's prominent faces come first, largest first; then any prominent face of another frame
 * that matched none of them (someone who stepped in, or moved too far to match), so every face that could spoil
 * a frame is on screen. Within a row each frame's best-overlapping unused face is taken; a face is used once.
 */
export function faceRows(frames: readonly (readonly JudgedFace[])[], reference: number, limit = 8): (number | null)[][] {
  const used = frames.map(() => new Set<number>());
  const rows: (number | null)[][] = [];
  const order = [reference, ...frames.map((_, k) => k).filter((k) => k !== reference)];
  for (const k of order) {
    for (const i of prominentFaceIndices(frames[k] ?? [], limit)) {
      if (rows.length >= limit) return rows;
      if (used[k].has(i)) continue;
      used[k].add(i);
      rows.push(frames.map((faces, m) => (m === k ? i : bestMatch(faces, frames[k][i], used[m]))));
    }
  }
  return rows;
}

/** The unused face of `faces` overlapping `face` most (IoU at least SAME_FACE_IOU), marked used; else null. */
function bestMatch(faces: readonly JudgedFace[], face: JudgedFace, used: Set<number>): number | null {
  let best: number | null = null;
  let bestIou = SAME_FACE_IOU;
  faces.forEach((f, i) => {
    if (used.has(i)) return;
    const iou = boxIou(face.box, f.box);
    if (iou >= bestIou) {
      best = i;
      bestIou = iou;
    }
  });
  if (best !== null) used.add(best);
  return best;
}
