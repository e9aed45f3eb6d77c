import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  calibrateAgainstOtherTags,
  calibrateThreshold,
  histogram,
  otsuSeparabilityRequired,
  otsuThreshold,
  requiredStumpGain,
} from '../src/scoring/tagThreshold';

// Reference values from scripts/make_ranking_fixtures.py (NumPy Otsu, numpy.histogram, stump).
type Num = number | null;
interface DistributionCase {
  name: string;
  values: Num[];
  otsu: { threshold: number; separability: number; below: number; above: number } | null;
  required: number;
  calibration: { threshold: Num; method: string; separability: Num; count: number };
  histogram16: { counts: number[]; lo: number; hi: number };
}
interface OtherTagsCase {
  name: string;
  relevanceToTag: Num[];
  relevanceToOthers: Num[][];
  margin: number | null;
  expected: { threshold: number; method: string; margin: number; agreement: number; labelled: number };
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/ranking/threshold.json', import.meta.url), 'utf8'),
) as { distributions: DistributionCase[]; otherTags: OtherTagsCase[] };

const f32 = (values: Num[]): Float32Array => Float32Array.from(values, (v) => (v === null ? Number.NaN : v));

/** Deterministic normal samples (Box–Muller on a small LCG) for the synthetic distributions. */
function normals(n: number, mean: number, sd: number, seed: number): number[] {
  let s = seed;
  const u = (): number => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

describe('against NumPy', () => {
  for (const c of fixture.distributions) {
    it(`${c.name}: histogram, Otsu, calibration`, () => {
      const values = f32(c.values);
      const h = histogram(values, 16);
      expect(h.counts).toEqual(c.histogram16.counts);
      expect(h.edges).toHaveLength(17);
      expect(h.lo).toBeCloseTo(c.histogram16.lo, 12);
      expect(h.hi).toBeCloseTo(c.histogram16.hi, 12);

      const split = otsuThreshold(values);
      if (c.otsu === null) expect(split).toBeNull();
      else {
        expect(split).not.toBeNull();
        expect(split?.threshold).toBeCloseTo(c.otsu.threshold, 12);
        expect(split?.separability).toBeCloseTo(c.otsu.separability, 9);
        expect([split?.below, split?.above]).toEqual([c.otsu.below, c.otsu.above]);
      }
      const count = values.filter(Number.isFinite).length;
      expect(otsuSeparabilityRequired(count)).toBeCloseTo(c.required, 12);

      const cal = calibrateThreshold(values);
      expect(cal.method).toBe(c.calibration.method);
      expect(cal.count).toBe(c.calibration.count);
      expect(cal.threshold).toBeCloseTo(c.calibration.threshold ?? Number.NaN, 12);
    });
  }

  for (const c of fixture.otherTags) {
    it(`calibrateAgainstOtherTags: ${c.name}`, () => {
      const cal = calibrateAgainstOtherTags(
        f32(c.relevanceToTag),
        c.relevanceToOthers.map(f32),
        c.margin === null ? {} : { margin: c.margin },
      );
      expect(cal.method).toBe(c.expected.method);
      expect(cal.threshold).toBeCloseTo(c.expected.threshold, 12);
      expect(cal.margin).toBeCloseTo(c.expected.margin, 7);
      expect(cal.agreement).toBeCloseTo(c.expected.agreement, 12);
      expect(cal.labelled).toBe(c.expected.labelled);
    });
  }
});

describe('calibrateThreshold on synthetic folders', () => {
  it('bimodal: cuts between the modes', () => {
    const low = normals(120, 0.18, 0.01, 7);
    const high = normals(80, 0.3, 0.01, 11);
    const cal = calibrateThreshold(Float32Array.from([...low, ...high]));
    expect(cal.method).toBe('otsu');
    expect(cal.threshold).toBeGreaterThan(Math.fround(Math.max(...low)));
    expect(cal.threshold).toBeLessThan(Math.fround(Math.min(...high)));
  });

  it('unimodal high (every image fits): keeps everything', () => {
    const values = Float32Array.from(normals(300, 0.29, 0.015, 3));
    const cal = calibrateThreshold(values);
    expect(cal.method).toBe('unimodal');
    expect(values.every((v) => v >= cal.threshold)).toBe(true);
  });

  it('tiny folders: 0 to 3 images are never split', () => {
    expect(calibrateThreshold(new Float32Array(0))).toMatchObject({ method: 'empty', threshold: -Infinity, count: 0 });
    expect(calibrateThreshold(Float32Array.of(0.2))).toMatchObject({ method: 'too-few', threshold: Math.fround(0.2) });
    expect(calibrateThreshold(Float32Array.of(0.1, 0.35))).toMatchObject({ method: 'too-few', threshold: Math.fround(0.1) });
    expect(calibrateThreshold(Float32Array.of(0.3, 0.1, 0.31))).toMatchObject({ method: 'too-few', threshold: Math.fround(0.1) });
    for (let n = 1; n <= 5; n++) expect(otsuSeparabilityRequired(n)).toBeGreaterThan(1);
    expect(otsuSeparabilityRequired(10_000)).toBe(0.75);
  });

  it('ignores non-finite relevances and handles identical values', () => {
    const cal = calibrateThreshold(Float32Array.of(Number.NaN, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, Number.NaN));
    expect(cal).toMatchObject({ method: 'unimodal', count: 7, separability: null, threshold: Math.fround(0.2) });
    expect(calibrateThreshold(Float32Array.of(Number.NaN))).toMatchObject({ method: 'empty', count: 0 });
  });

  it('an explicit separability requirement overrides the default', () => {
    const values = Float32Array.of(0.1, 0.11, 0.3, 0.31);
    expect(calibrateThreshold(values).method).toBe('too-few');
    const cal = calibrateThreshold(values, { requiredSeparability: 0.9 });
    expect(cal.method).toBe('otsu');
    expect(cal.threshold).toBeCloseTo((Math.fround(0.11) + Math.fround(0.3)) / 2, 12);
  });
});

describe('calibrateAgainstOtherTags on synthetic folders', () => {
  it('finds a rare tag that Otsu alone keeps whole', () => {
    const n = 400;
    const tag = normals(n, 0.18, 0.012, 5);
    const other = normals(n, 0.24, 0.012, 9);
    for (const i of [3, 50, 199, 301]) {
      tag[i] = 0.215 + i * 1e-5;
      other[i] = 0.19;
    }
    const rel = Float32Array.from(tag);
    expect(calibrateThreshold(rel).method).toBe('unimodal');
    const cal = calibrateAgainstOtherTags(rel, [Float32Array.from(other)], { margin: 0 });
    expect(cal.method).toBe('other-tags');
    const kept = Array.from(rel.keys()).filter((i) => rel[i] >= cal.threshold);
    expect(kept).toEqual(expect.arrayContaining([3, 50, 199, 301]));
    expect(kept.length).toBeLessThan(12);
  });

  it('keeps the folder whole when the labels look like coin flips', () => {
    const n = 200;
    const tag = Float32Array.from(normals(n, 0.27, 0.012, 21));
    const noise = normals(n, 0, 0.012, 23);
    const other = Float32Array.from(tag, (v, i) => v + noise[i]);
    const cal = calibrateAgainstOtherTags(tag, [other]);
    expect(cal.method).toBe('unimodal');
    expect(tag.every((v) => v >= cal.threshold)).toBe(true);
  });

  it('without other tags it is calibrateThreshold', () => {
    const rel = Float32Array.from(normals(50, 0.25, 0.02, 2));
    const cal = calibrateAgainstOtherTags(rel, []);
    expect(cal.threshold).toBe(calibrateThreshold(rel).threshold);
    expect(cal.method).toBe(calibrateThreshold(rel).method);
    expect(cal.margin).toBeNaN();
  });

  it('tiny folders are kept whole even when the labels disagree', () => {
    for (let n = 1; n <= 4; n++) expect(requiredStumpGain(n)).toBeGreaterThan(n);
    const cal = calibrateAgainstOtherTags(Float32Array.of(0.1, 0.2, 0.3), [Float32Array.of(0.5, 0.5, 0.5)], { margin: 0 });
    expect(cal).toMatchObject({ method: 'too-few', threshold: Math.fround(0.1), labelled: 0 });
  });

  it('when no image has the tag as its best, the cut goes above the highest relevance', () => {
    const rel = Float32Array.from(normals(60, 0.15, 0.01, 31));
    const cal = calibrateAgainstOtherTags(rel, [Float32Array.from(normals(60, 0.3, 0.01, 37))], { margin: 0 });
    expect(cal.method).toBe('other-tags');
    expect(rel.every((v) => v < cal.threshold)).toBe(true);
    expect(cal.threshold - Math.max(...rel)).toBeLessThan(1e-15);
  });

  it('rejects mismatched lengths and a negative margin', () => {
    expect(() => calibrateAgainstOtherTags(Float32Array.of(0.1, 0.2), [Float32Array.of(0.1)])).toThrow();
    expect(() => calibrateAgainstOtherTags(Float32Array.of(0.1), [Float32Array.of(0.1)], { margin: -1 })).toThrow();
  });
});

describe('histogram', () => {
  it('follows numpy.histogram conventions at the edges', () => {
    expect(histogram([], 4)).toMatchObject({ lo: 0, hi: 1, binWidth: 0.25 });
    const single = histogram([0.3, 0.3], 2);
    expect(single.lo).toBeCloseTo(-0.2, 12);
    expect(single.counts).toEqual([0, 2]);
    const h = histogram([0, 0.5, 1, 1, 2, Number.NaN, Infinity], 2, 0, 1);
    expect(h.counts).toEqual([1, 3]);
    expect(h.edges).toEqual([0, 0.5, 1]);
  });

  it('rejects bad bins and ranges', () => {
    expect(() => histogram([1], 0)).toThrow();
    expect(() => histogram([1], 2, 1, 0)).toThrow();
  });
});
