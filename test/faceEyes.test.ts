import { describe, expect, it } from 'vitest';
import {
  EYE_CLOSED_OPENNESS,
  EYE_LANDMARKS,
  eyeAspectRatio,
  eyeAspectRatios,
  eyeOpenness,
  eyeOpennessRatios,
  eyeWidthPx,
  MESH_POINTS,
} from '../src/scoring/faces/eyes';

/** A 478-point mesh (Human with iris) at the origin, with the given points placed. */
function mesh(points: Record<number, [number, number]>): [number, number, number][] {
  const m: [number, number, number][] = Array.from({ length: 478 }, () => [0, 0, 0]);
  for (const [i, [x, y]] of Object.entries(points)) m[Number(i)] = [x, y, 0];
  return m;
}

// Subject's right eye open: corners 30 px apart; lids 10 and 8 px apart at the thirds, 12 at the middle;
// socket ring 40 px tall. Left eye closed: lids 2 px apart everywhere, same corners' distance and socket.
const face = mesh({
  33: [0, 0], 133: [30, 0], 160: [10, -5], 144: [10, 5], 158: [20, -4], 153: [20, 4], 159: [15, -6], 145: [15, 6], 223: [15, -20], 230: [15, 20],
  263: [100, 0], 362: [70, 0], 387: [90, -1], 373: [90, 1], 385: [80, -1], 380: [80, 1], 386: [85, -1], 374: [85, 1], 443: [85, -20], 450: [85, 20],
});

describe('eye landmarks', () => {
  it('lie inside the 468-point mesh', () => {
    for (const eye of [EYE_LANDMARKS.right, EYE_LANDMARKS.left]) {
      for (const i of [eye.outer, eye.inner, ...eye.upper, ...eye.lower, ...eye.lidMiddle, ...eye.socket]) expect(i).toBeLessThan(MESH_POINTS);
    }
  });
});

describe('eye aspect ratio', () => {
  it('is (|p2−p6| + |p3−p5|) / (2|p1−p4|)', () => {
    expect(eyeAspectRatio(face, EYE_LANDMARKS.right)).toBeCloseTo((10 + 8) / (2 * 30), 12); // 0.3
    expect(eyeAspectRatio(face, EYE_LANDMARKS.left)).toBeCloseTo((2 + 2) / (2 * 30), 12); // 0.0667
  });

  it('uses Euclidean distances (a tilted eye gives the same ratio)', () => {
    const angle = 0.4;
    const rot = face.map(([x, y]) => [x * Math.cos(angle) - y * Math.sin(angle), x * Math.sin(angle) + y * Math.cos(angle), 0] as [number, number, number]);
    expect(eyeAspectRatio(rot, EYE_LANDMARKS.right)).toBeCloseTo(0.3, 12);
  });

  it('is NaN for coinciding corners, and refuses a short mesh', () => {
    expect(eyeAspectRatio(mesh({}), EYE_LANDMARKS.right)).toBeNaN();
    expect(() => eyeAspectRatio(face.slice(0, 100), EYE_LANDMARKS.right)).toThrow(/468-point/);
    expect(eyeAspectRatios(face.slice(0, 6))).toBeNull();
    expect(eyeAspectRatios(null)).toBeNull();
  });
});

describe('eye openness', () => {
  it('is the lid gap at the middle over the socket ring height', () => {
    expect(eyeOpenness(face, EYE_LANDMARKS.right)).toBeCloseTo(12 / 40, 12); // 0.3: open
    expect(eyeOpenness(face, EYE_LANDMARKS.left)).toBeCloseTo(2 / 40, 12); // 0.05: closed
    const r = eyeOpennessRatios(face);
    expect(r).not.toBeNull();
    expect(r!.right).toBeGreaterThan(EYE_CLOSED_OPENNESS);
    expect(r!.left).toBeLessThan(EYE_CLOSED_OPENNESS);
  });

  it('does not move when the face is squashed vertically (head tilted back), unlike EAR', () => {
    const tilted = face.map(([x, y]) => [x, y * 0.5, 0] as [number, number, number]);
    expect(eyeOpenness(tilted, EYE_LANDMARKS.right)).toBeCloseTo(0.3, 12);
    expect(eyeAspectRatio(tilted, EYE_LANDMARKS.right)).toBeCloseTo(0.15, 12);
  });

  it('is NaN when the socket points coincide', () => {
    expect(eyeOpenness(mesh({}), EYE_LANDMARKS.left)).toBeNaN();
  });
});

describe('eye width', () => {
  it('is the wider eye, corner to corner; 0 without a mesh', () => {
    const m = mesh({ 33: [0, 0], 133: [30, 0], 263: [100, 0], 362: [60, 0] });
    expect(eyeWidthPx(m)).toBe(40);
    expect(eyeWidthPx(null)).toBe(0);
  });
});
