import { describe, expect, it } from 'vitest';
import type { JudgedFace } from '../src/scoring/faces/faceJudgement';
import { faceRows, prominentFaceIndices } from '../src/scoring/faces/faceTracks';

const face = (x: number, y: number, size = 0.1, sizePx = 200) => ({ box: { x, y, width: size, height: size }, sizePx }) as unknown as JudgedFace;

describe('faceRows', () => {
  it('lines up each person across a burst by where the face is, with gaps for those not found', () => {
    const a = [face(0.1, 0.1), face(0.5, 0.1), face(0.8, 0.5, 0.04, 60)]; // the third is a small face in the back
    const b = [face(0.52, 0.11), face(0.11, 0.1)]; // same two people, listed in another order, moved a little
    const c = [face(0.1, 0.12)]; // the second person turned away
    expect(prominentFaceIndices(a)).toEqual([0, 1]);
    expect(faceRows([a, b, c], 0)).toEqual([
      [0, 1, 0],
      [1, 0, null],
    ]);
    // Another reference frame: its own prominent faces make the rows.
    expect(faceRows([a, b, c], 1)).toEqual([
      [1, 0, null],
      [0, 1, 0],
    ]);
  });

  it('uses a face once, the better overlap winning, and never matches a neighbour', () => {
    const ref = [face(0.1, 0.1), face(0.25, 0.1)];
    const other = [face(0.12, 0.1)];
    expect(faceRows([ref, other], 0)).toEqual([
      [0, 0],
      [1, null],
    ]);
    expect(faceRows([[], []], 0)).toEqual([]);
  });

  it('gives a face found only in another frame a row of its own, so a blink there is never off screen', () => {
    const shown = [face(0.1, 0.1), face(0.5, 0.1)];
    const moved = [face(0.11, 0.1), face(0.7, 0.4)]; // the second person moved too far to match
    expect(faceRows([shown, moved], 0)).toEqual([
      [0, 0],
      [1, null],
      [null, 1],
    ]);
    expect(faceRows([[], [face(0.3, 0.3)]], 0)).toEqual([[null, 0]]);
  });
});
