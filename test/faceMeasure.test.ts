import { describe, expect, it } from 'vitest';
import { technicalQuality } from '../src/scoring/technicalQuality';
import { mulberry32 } from '../src/scoring/mulberry32';
import {
  backgroundSharpness,
  boxSharpness,
  clampedPixelBounds,
  cropRgba,
  FACE_WORKING_LONG_SIDE,
  FOCUS_GRID,
  measureFace,
  measureFaces,
  MIN_BACKGROUND_TILES,
  pointsExtent,
  workingSize,
  type HumanFaceLike,
} from '../src/scoring/faces/measure';

/** RGBA noise (seeded), so every region has a different, non-zero Laplacian variance. */
function noise(width: number, height: number, seed = 1): Uint8ClampedArray {
  const rand = mulberry32(seed);
  const px = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < px.length; i += 4) {
    const v = Math.floor(rand() * 256);
    px[i] = v;
    px[i + 1] = v;
    px[i + 2] = v;
    px[i + 3] = 255;
  }
  return px;
}

describe('workingSize', () => {
  it('scales the long side down to 1600 px, never up', () => {
    expect(FACE_WORKING_LONG_SIDE).toBe(1600);
    expect(workingSize(4000, 3000)).toEqual({ width: 1600, height: 1200, scale: 0.4 });
    expect(workingSize(2048, 922)).toEqual({ width: 1600, height: 720, scale: 1600 / 2048 });
    expect(workingSize(1024, 768)).toEqual({ width: 1024, height: 768, scale: 1 });
    expect(workingSize(20000, 10)).toEqual({ width: 1600, height: 1, scale: 0.08 });
  });
});

describe('pointsExtent and pixel bounds', () => {
  it('boxes the points without clamping', () => {
    expect(pointsExtent([[5, 7, 0], [-3, 20, 1], [10, 2]])).toEqual({ x: -3, y: 2, width: 13, height: 18 });
    expect(pointsExtent([])).toBeNull();
  });

  it('rounds outwards and clamps to the image', () => {
    expect(clampedPixelBounds({ x: 1.5, y: 2.2, width: 3, height: 3.1 }, 10, 10)).toEqual([1, 2, 5, 6]);
    expect(clampedPixelBounds({ x: -5, y: 8, width: 20, height: 20 }, 10, 10)).toEqual([0, 8, 10, 10]);
    expect(clampedPixelBounds({ x: 20, y: 20, width: 5, height: 5 }, 10, 10)).toEqual([10, 10, 10, 10]);
  });
});

describe('cropRgba and boxSharpness', () => {
  it('copies the rows of the box', () => {
    const px = new Uint8ClampedArray(4 * 3 * 4).map((_, i) => i);
    const crop = cropRgba(px, 4, 3, { x: 1, y: 1, width: 2, height: 2 });
    expect(crop.width).toBe(2);
    expect(crop.height).toBe(2);
    // Row 1, columns 1–2 start at byte (1·4 + 1)·4 = 20; row 2 at (2·4 + 1)·4 = 36.
    expect(Array.from(crop.data)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 36, 37, 38, 39, 40, 41, 42, 43]);
  });

  it("is technicalQuality.ts's sharpness of the crop, null under 3×3", () => {
    const px = noise(40, 30);
    const box = { x: 5, y: 4, width: 20, height: 15 };
    const crop = cropRgba(px, 40, 30, box);
    expect(boxSharpness(px, 40, 30, box)).toBe(technicalQuality(crop.data, 20, 15).sharpness);
    expect(boxSharpness(px, 40, 30, { x: 5, y: 4, width: 2, height: 15 })).toBeNull();
  });
});

describe('backgroundSharpness', () => {
  it('averages the 8×8 tiles that touch no face', () => {
    expect(FOCUS_GRID).toBe(8);
    const px = noise(80, 80, 7);
    const all = backgroundSharpness(px, 80, 80, []);
    expect(all.tiles).toBe(64);
    let sum = 0;
    for (let ty = 0; ty < 8; ty++) for (let tx = 0; tx < 8; tx++) sum += boxSharpness(px, 80, 80, { x: tx * 10, y: ty * 10, width: 10, height: 10 })!;
    expect(all.sharpness).toBeCloseTo(sum / 64, 9);
    // A face over the top-left 2×2 tiles and touching a third column: 6 tiles excluded.
    expect(backgroundSharpness(px, 80, 80, [{ x: 0, y: 0, width: 21, height: 20 }]).tiles).toBe(58);
  });

  it('is null when fewer than 8 tiles are free of faces', () => {
    expect(MIN_BACKGROUND_TILES).toBe(8);
    const px = noise(80, 80, 3);
    // The face covers rows 0–69: the bottom row's 8 tiles are free (a box ending at y = 70 does not touch y ≥ 70).
    const eight = backgroundSharpness(px, 80, 80, [{ x: 0, y: 0, width: 80, height: 70 }]);
    expect(eight.tiles).toBe(8);
    expect(eight.sharpness).not.toBeNull();
    const seven = backgroundSharpness(px, 80, 80, [{ x: 0, y: 0, width: 80, height: 70 }, { x: 0, y: 70, width: 10, height: 10 }]);
    expect(seven).toEqual({ sharpness: null, tiles: 7 });
  });
});

describe('measureFace', () => {
  const mesh = Array.from({ length: 478 }, (_, i) => [50 + (i % 10), 40 + Math.floor(i / 10) % 20, 0] as [number, number, number]);
  const human: HumanFaceLike = { box: [45, 35, 30, 30], score: 0.97, boxScore: 0.88, mesh, rotation: { angle: { roll: 0.1, yaw: -0.2, pitch: 0.3 } } };

  it("reads Human's face into measurements", () => {
    const px = noise(120, 100);
    const f = measureFace(human, px, 120, 100);
    expect(f.box).toEqual({ x: 45, y: 35, width: 30, height: 30 });
    expect(f.extent).toEqual({ x: 50, y: 40, width: 9, height: 19 });
    expect(f.confidence).toBe(0.97);
    expect(f.detectorConfidence).toBe(0.88);
    expect(f.openness).not.toBeNull();
    expect(f.ear).not.toBeNull();
    expect(f.sharpness).toBe(boxSharpness(px, 120, 100, f.box));
    expect([f.roll, f.yaw, f.pitch]).toEqual([0.1, -0.2, 0.3]);
  });

  it('has no eye figures for a detector-only face and no pose without rotation', () => {
    const f = measureFace({ ...human, mesh: mesh.slice(0, 6), rotation: null }, noise(120, 100), 120, 100);
    expect(f.openness).toBeNull();
    expect(f.ear).toBeNull();
    expect(f.eyeWidthPx).toBe(0);
    expect([f.roll, f.yaw, f.pitch]).toEqual([null, null, null]);
  });

  it('measures all faces, most confident first, and survives a 1×1 image', () => {
    const px = noise(120, 100);
    const m = measureFaces([{ ...human, score: 0.6 }, human], px, 120, 100, { width: 240, height: 200 });
    expect(m.faces.map((f) => f.confidence)).toEqual([0.97, 0.6]);
    expect(m.imageSharpness).toBe(technicalQuality(px, 120, 100).sharpness);
    expect(m.backgroundTiles).toBeGreaterThanOrEqual(MIN_BACKGROUND_TILES);
    expect({ sourceWidth: m.sourceWidth, sourceHeight: m.sourceHeight }).toEqual({ sourceWidth: 240, sourceHeight: 200 });
    const tiny = measureFaces([], new Uint8ClampedArray(4), 1, 1, { width: 1, height: 1 });
    expect(tiny).toMatchObject({ imageSharpness: null, backgroundSharpness: null, backgroundTiles: 0, faces: [] });
  });
});
