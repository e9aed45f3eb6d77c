import { describe, expect, it } from 'vitest';
import {
  boxIou,
  edgesCut,
  eyeVerdict,
  FACE_THRESHOLDS,
  faceQuality,
  focusVerdict,
  judgeFace,
  judgePeople,
  keptFaces,
  MIN_BACKGROUND_SHARPNESS,
  MIN_FACE_PX_FOR_EYES,
  peopleScore,
  decidingFace,
  RELIABLE_FACE_PX,
  SOFT_FACE_RATIO,
  type JudgedFace,
} from '../src/scoring/faces/faceJudgement';
import { EYE_CLOSED_OPENNESS } from '../src/scoring/faces/eyes';
import { face, photo } from './helpers/faces';

describe('boxIou', () => {
  it('is intersection over union, by hand', () => {
    // 10×10 boxes offset by 5 in x: intersection 5×10 = 50, union 150.
    expect(boxIou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150, 12);
    expect(boxIou({ x: 0, y: 0, width: 10, height: 10 }, { x: 0, y: 0, width: 10, height: 10 })).toBe(1);
    expect(boxIou({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 10, height: 10 })).toBe(0);
    expect(boxIou({ x: 0, y: 0, width: 0, height: 0 }, { x: 0, y: 0, width: 0, height: 0 })).toBe(0);
  });
});

describe('keptFaces', () => {
  it('drops faces under the confidence cut', () => {
    const faces = [face({ box: { x: 0, y: 0, width: 100, height: 100 }, confidence: 0.49 }), face({ box: { x: 300, y: 0, width: 100, height: 100 }, confidence: 0.5 })];
    expect(keptFaces(faces)).toEqual([1]);
  });

  it('keeps the more confident of two boxes on one head (IoU above 0.25), and both of two neighbours', () => {
    // Shifted by a third of the box: IoU = (67·67)/(2·10000 − 67·67) ≈ 0.29 → one face.
    const dup = [face({ box: { x: 0, y: 0, width: 100, height: 100 }, confidence: 0.7 }), face({ box: { x: 33, y: 33, width: 100, height: 100 }, confidence: 1 })];
    expect(boxIou(dup[0].box, dup[1].box)).toBeCloseTo((67 * 67) / (20000 - 67 * 67), 12);
    expect(keptFaces(dup)).toEqual([1]);
    // Neighbours overlapping by a fifth: IoU = 2000 / 18000 ≈ 0.11 → two faces.
    const pair = [face({ box: { x: 0, y: 0, width: 100, height: 100 } }), face({ box: { x: 80, y: 0, width: 100, height: 100 } })];
    expect(keptFaces(pair)).toEqual([0, 1]);
  });

  it('breaks confidence ties by order', () => {
    const faces = [face({ box: { x: 0, y: 0, width: 100, height: 100 } }), face({ box: { x: 10, y: 10, width: 100, height: 100 } })];
    expect(keptFaces(faces)).toEqual([0]);
  });
});

describe('eyeVerdict', () => {
  it('open / one closed / both closed at the calibrated threshold', () => {
    expect(EYE_CLOSED_OPENNESS).toBe(0.22);
    expect(eyeVerdict({ right: 0.3, left: 0.25 })).toEqual({ eyes: 'open', closed: { right: false, left: false } });
    expect(eyeVerdict({ right: 0.18, left: 0.31 })).toEqual({ eyes: 'one-closed', closed: { right: true, left: false } });
    expect(eyeVerdict({ right: 0.3, left: 0.219 })).toEqual({ eyes: 'one-closed', closed: { right: false, left: true } });
    expect(eyeVerdict({ right: 0.08, left: 0.17 })).toEqual({ eyes: 'both-closed', closed: { right: true, left: true } });
    // At the threshold an eye is open (closed means strictly below).
    expect(eyeVerdict({ right: 0.22, left: 0.22 }).eyes).toBe('open');
  });

  it('is not judged without figures', () => {
    expect(eyeVerdict(null)).toEqual({ eyes: 'not-judged', closed: null });
    expect(eyeVerdict({ right: Number.NaN, left: 0.3 }).eyes).toBe('not-judged');
  });
});

describe('edgesCut', () => {
  it('names the edges the face reaches or crosses', () => {
    expect(edgesCut({ x: 100, y: 100, width: 200, height: 200 }, 1000, 800)).toEqual([]);
    expect(edgesCut({ x: -30, y: 100, width: 200, height: 200 }, 1000, 800)).toEqual(['left']);
    expect(edgesCut({ x: 850, y: 650, width: 200, height: 200 }, 1000, 800)).toEqual(['right', 'bottom']);
    expect(edgesCut({ x: 400, y: -5, width: 200, height: 200 }, 1000, 800)).toEqual(['top']);
  });

  it('counts a face within 2 % of its size of an edge as touching it', () => {
    // 200-px face: tolerance 4 px.
    expect(edgesCut({ x: 4, y: 100, width: 200, height: 200 }, 1000, 800)).toEqual(['left']);
    expect(edgesCut({ x: 5, y: 100, width: 200, height: 200 }, 1000, 800)).toEqual([]);
    // Small faces: at least 1 px.
    expect(edgesCut({ x: 1, y: 100, width: 10, height: 10 }, 1000, 800)).toEqual(['left']);
  });
});

describe('focusVerdict', () => {
  it('compares the face with the rest of the picture', () => {
    expect(SOFT_FACE_RATIO).toBe(0.1);
    expect(focusVerdict(300, 600, 200)).toEqual({ focus: 'sharp', relativeSharpness: 0.5, reason: null });
    expect(focusVerdict(30, 600, 200)).toEqual({ focus: 'soft', relativeSharpness: 0.05, reason: null });
    expect(focusVerdict(60, 600, 200).focus).toBe('sharp'); // 0.1 is not below 0.1
  });

  it('says why it did not judge', () => {
    expect(focusVerdict(300, 600, 40)).toMatchObject({ focus: 'not-judged', relativeSharpness: 0.5, reason: 'focus: face 40 px, under 48 px' });
    expect(focusVerdict(null, 600, 200)).toMatchObject({ focus: 'not-judged', relativeSharpness: null });
    expect(focusVerdict(300, null, 200)).toMatchObject({ focus: 'not-judged', reason: 'focus: too little of the picture outside the faces to compare with' });
    expect(focusVerdict(300, MIN_BACKGROUND_SHARPNESS - 1, 200)).toMatchObject({ focus: 'not-judged', reason: 'focus: the rest of the picture is too plain to compare with' });
  });
});

describe('judgeFace', () => {
  it('gives normalised boxes, sizes in both pixel spaces and the verdicts', () => {
    const m = photo([face({ box: { x: 100, y: 200, width: 200, height: 250 }, openness: { right: 0.1, left: 0.3 }, sharpness: 30 })]);
    const j = judgeFace(m, 0);
    expect(j.box).toEqual({ x: 0.1, y: 0.25, width: 0.2, height: 0.3125 });
    expect(j.sizePx).toBe(250);
    expect(j.sourceSizePx).toBe(1000);
    expect(j.areaFraction).toBeCloseTo((200 * 250) / (1000 * 800), 12);
    expect(j.sizeClass).toBe('medium');
    expect(j.eyes).toBe('one-closed');
    expect(j.closed).toEqual({ right: true, left: false });
    expect(j.eyesReliable).toBe(true);
    expect(j.focus).toBe('soft');
    expect(j.relativeSharpness).toBeCloseTo(0.05, 12);
    expect(j.cutBy).toEqual([]);
    expect(j.notJudgedReason).toBeNull();
  });

  it('does not judge the eyes of faces under 80 px, and marks 80–159 px verdicts unreliable', () => {
    expect(MIN_FACE_PX_FOR_EYES).toBe(80);
    expect(RELIABLE_FACE_PX).toBe(160);
    const m = photo([
      face({ box: { x: 0, y: 300, width: 70, height: 79 }, openness: { right: 0.05, left: 0.05 } }),
      face({ box: { x: 500, y: 300, width: 80, height: 80 }, openness: { right: 0.05, left: 0.05 } }),
      face({ box: { x: 700, y: 300, width: 160, height: 160 } }),
    ]);
    const tiny = judgeFace(m, 0);
    expect(tiny.eyes).toBe('not-judged');
    expect(tiny.closed).toBeNull();
    expect(tiny.sizeClass).toBe('small');
    expect(tiny.eyesReliable).toBe(false);
    expect(tiny.notJudgedReason).toBe('eyes: face 79 px, under 80 px');
    const small = judgeFace(m, 1);
    expect(small.eyes).toBe('both-closed');
    expect(small.eyesReliable).toBe(false);
    expect(judgeFace(m, 2).eyesReliable).toBe(true);
  });

  it('reads the cut edges from the mesh extent, which may leave the image', () => {
    const m = photo([face({ box: { x: 0, y: 100, width: 150, height: 200 }, extent: { x: -60, y: 90, width: 210, height: 220 } })]);
    expect(judgeFace(m, 0).cutBy).toEqual(['left']);
  });

  it('calls a face of a tenth of the picture large', () => {
    const m = photo([face({ box: { x: 0, y: 0, width: 300, height: 300 } })]);
    expect(judgeFace(m, 0).sizeClass).toBe('large');
  });
});

describe('peopleScore', () => {
  const j = (eyes: JudgedFace['eyes'], focus: JudgedFace['focus'], cut = false, sizePx = 200) => ({ eyes, focus, cutBy: cut ? ['left'] : [], sizePx }) as unknown as JudgedFace;
  const worstThenMean = (worst: number, mean: number) => 0.99 * worst + 0.01 * mean;

  it('is 1 for open-eyed sharp whole faces, and each fault lowers it', () => {
    expect(faceQuality(j('open', 'sharp'))).toBe(1);
    expect(faceQuality(j('one-closed', 'sharp'))).toBe(0.5);
    expect(faceQuality(j('both-closed', 'sharp'))).toBe(0);
    expect(faceQuality(j('open', 'soft'))).toBe(0.5);
    expect(faceQuality(j('open', 'sharp', true))).toBeCloseTo(0.8, 12);
    expect(faceQuality(j('one-closed', 'soft', true))).toBeCloseTo(0.2, 12);
    expect(faceQuality(j('not-judged', 'sharp'))).toBe(1);
    expect(faceQuality(j('not-judged', 'not-judged'))).toBeNull();
  });

  it('is decided by the worst prominent face, the mean breaking ties', () => {
    expect(peopleScore([j('open', 'sharp'), j('open', 'sharp'), j('open', 'sharp')])).toBeCloseTo(1, 12);
    expect(peopleScore([j('open', 'sharp'), j('both-closed', 'sharp'), j('open', 'sharp')])).toBeCloseTo(worstThenMean(0, 2 / 3), 12);
    expect(peopleScore([j('open', 'sharp'), j('one-closed', 'sharp'), j('open', 'sharp')])).toBeCloseTo(worstThenMean(0.5, 2.5 / 3), 12);
    expect(peopleScore([j('open', 'sharp'), j('not-judged', 'not-judged')])).toBeCloseTo(1, 12);
    expect(peopleScore([])).toBeNull();
    expect(peopleScore([j('not-judged', 'not-judged')])).toBeNull();
  });

  it('a group frame where one of six blinks loses to one where nobody does, even one with every face a little off', () => {
    const six = (k: number, fault: JudgedFace) => Array.from({ length: 6 }, (_, i) => (i === k ? fault : j('open', 'sharp')));
    const oneBlinks = peopleScore(six(3, j('both-closed', 'sharp')))!;
    const nobodyBlinks = peopleScore(six(0, j('open', 'sharp')))!;
    // Every face soft or cut: a mean of 0.5–0.8, below the blink frame's mean of 5/6, yet nobody's eyes are shut.
    const allSoft = peopleScore(Array.from({ length: 6 }, () => j('open', 'soft')))!;
    const allCut = peopleScore(Array.from({ length: 6 }, () => j('open', 'sharp', true)))!;
    expect(oneBlinks).toBeLessThan(nobodyBlinks);
    expect(oneBlinks).toBeLessThan(allSoft);
    expect(oneBlinks).toBeLessThan(allCut);
    // Of two frames with one blink each, the one whose other faces are better wins (the mean breaks the tie).
    const blinkAndSoft = six(3, j('both-closed', 'sharp'));
    blinkAndSoft[0] = j('open', 'soft');
    expect(peopleScore(blinkAndSoft)!).toBeLessThan(oneBlinks);
    expect(decidingFace(six(3, j('both-closed', 'sharp')))).toBe(3);
  });

  it('leaves faces under half the largest out: a passer-by blinking behind the couple does not decide', () => {
    const couple = [j('open', 'sharp', false, 400), j('open', 'sharp', false, 380)];
    expect(peopleScore([...couple, j('both-closed', 'sharp', false, 150)])).toBeCloseTo(1, 12);
    expect(peopleScore([...couple, j('both-closed', 'sharp', false, 200)])).toBeCloseTo(worstThenMean(0, 2 / 3), 12);
    expect(decidingFace([...couple, j('both-closed', 'sharp', false, 150)])).toBe(0);
    expect(decidingFace([])).toBeNull();
  });
});

describe('judgePeople', () => {
  it('keeps, judges and counts, largest face first', () => {
    const m = photo([
      face({ box: { x: 100, y: 100, width: 200, height: 200 }, openness: { right: 0.1, left: 0.1 } }),
      face({ box: { x: 500, y: 100, width: 300, height: 300 } }),
      face({ box: { x: 520, y: 120, width: 300, height: 300 }, confidence: 0.6 }), // second box on the same head
      face({ box: { x: 100, y: 500, width: 100, height: 100 }, confidence: 0.3 }), // under the cut
      face({ box: { x: 850, y: 600, width: 150, height: 190 }, extent: { x: 850, y: 610, width: 170, height: 200 }, sharpness: 10 }),
    ]);
    const p = judgePeople(m);
    expect(p.faces.map((f) => f.index)).toEqual([1, 0, 4]);
    expect(p.dropped).toBe(2);
    expect(p.counts).toEqual({ faces: 3, open: 2, oneClosed: 0, bothClosed: 1, eyesNotJudged: 0, soft: 1, cut: 1 });
    expect(p.closedEyes).toBe(true);
    expect(p.softFaces).toBe(true);
    // Qualities: 1 (index 1), 0.5 × 0.8 = 0.4 (index 4: soft, cut right/bottom), 0 (index 0: both closed); all
    // prominent (200 and 190 px against 300). The closed eyes decide; the mean breaks ties.
    expect(p.peopleScore).toBeCloseTo(0.99 * 0 + 0.01 * ((1 + 0.4 + 0) / 3), 12);
    expect(p.decidingFace).toBe(1);
  });

  it('has no say without faces', () => {
    const p = judgePeople(photo([]));
    expect(p).toMatchObject({ faces: [], dropped: 0, closedEyes: false, softFaces: false, peopleScore: null });
  });

  it('takes other thresholds', () => {
    const m = photo([face({ box: { x: 100, y: 100, width: 200, height: 200 }, openness: { right: 0.25, left: 0.3 } })]);
    expect(judgePeople(m).counts.oneClosed).toBe(0);
    expect(judgePeople(m, { ...FACE_THRESHOLDS, eyeClosedOpenness: 0.26 }).counts.oneClosed).toBe(1);
  });
});
