/**
 * Burst / near-duplicate grouping (src/scoring/groups.ts) against a brute-force O(n²) reference.
 *
 * What the LSH guarantees, and so what is asserted:
 * - No false links, ever: every link is verified with an exact dot product, so the groups always REFINE
 *   brute force's (asserted for every case).
 * - Each linked pair at cos = minCosine shares no key in any table with probability ≤ 1 % over the random
 *   hyperplanes, and much less above minCosine. A pair that shares a key in a fully compared bucket is
 *   always found (or already connected), so adding back exactly the linked pairs that never share a key
 *   must reproduce brute force — asserted for every case: the only possible differences are LSH misses.
 * - When the thresholds sit inside the planted cosines (0.90–0.98), a few links are barely above the
 *   threshold and a component can split with ~0.5–1 % chance per such link: the candidate recall is
 *   asserted (≥ 0.99, and the miss count near the formula's expectation), not identical components.
 * - When every planted link is ≥ 0.02 above the threshold, splits are expected far less than once (computed
 *   in the test), and the components are asserted IDENTICAL to brute force's on a fixed seed.
 * - Time sweeps, brute force on small inputs, and the time-window rules are exact: asserted identical.
 */
import { describe, expect, it } from 'vitest';
import {
  bestOfGroups,
  groupNearDuplicates,
  keepBestPlan,
  lshMissProbability,
  simHashKeys,
  type Grouping,
  type GroupingInput,
} from '../src/scoring/groups';
import { mulberry32 } from '../src/scoring/mulberry32';

const DIM = 512;

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function unit(rand: () => number, dim: number): Float64Array {
  const v = Float64Array.from({ length: dim }, () => gaussian(rand));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

interface Synthetic {
  embeddings: Float32Array;
  count: number;
  capturedAt: (number | null)[];
  /** Planted cluster per image, −1 for noise. */
  cluster: Int32Array;
}

/**
 * Planted near-duplicates: clusters of 2–8 images, each member at cos ρ ∈ [0.95, 0.99] (by default) to a random centre
 * (so members are at cos ≈ ρ₁ρ₂ ≈ 0.90–0.98 to each other: the sliders' range), taken as a burst with 0–4 s
 * between frames; the rest are noise images. `missing` of the times are dropped.
 */
function synthetic(seed: number, n: number, clusteredShare: number, missing: number, rhoLo = 0.95, rhoHi = 0.99): Synthetic {
  const rand = mulberry32(seed);
  const embeddings = new Float32Array(n * DIM);
  const capturedAt: (number | null)[] = [];
  const cluster = new Int32Array(n).fill(-1);
  const day = 86_400_000;
  let i = 0;
  let c = 0;
  const put = (v: Float64Array, t: number, k: number): void => {
    let sq = 0;
    for (let d = 0; d < DIM; d++) sq += v[d] * v[d];
    const inv = 1 / Math.sqrt(sq);
    for (let d = 0; d < DIM; d++) embeddings[i * DIM + d] = v[d] * inv;
    capturedAt.push(rand() < missing ? null : Math.round(t));
    cluster[i++] = k;
  };
  while (i < n * clusteredShare) {
    const centre = unit(rand, DIM);
    const size = Math.min(2 + Math.floor(rand() * 7), n - i);
    let t = rand() * day;
    for (let m = 0; m < size; m++) {
      const rho = rhoLo + rand() * (rhoHi - rhoLo);
      const noise = unit(rand, DIM);
      put(centre.map((x, d) => rho * x + Math.sqrt(1 - rho * rho) * noise[d]), t, c);
      t += rand() * 4000;
    }
    c++;
  }
  while (i < n) put(unit(rand, DIM), rand() * day, -1);
  return { embeddings, count: n, capturedAt, cluster };
}

/** All pair cosines, sequential float64 sums (a test-only n×n table; the code under test never builds one). */
function cosineTable(s: Synthetic): Float64Array {
  const { count: n, embeddings: e } = s;
  const cos = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d = 0;
      for (let k = 0; k < DIM; k++) d += e[i * DIM + k] * e[j * DIM + k];
      cos[i * n + j] = cos[j * n + i] = d;
    }
  }
  return cos;
}

function linked(s: Synthetic, cos: Float64Array, i: number, j: number, minCosine: number, windowMs: number | null): boolean {
  if (cos[i * s.count + j] < minCosine) return false;
  const ti = s.capturedAt[i];
  const tj = s.capturedAt[j];
  return windowMs === null || ti === null || tj === null || Math.abs(ti - tj) <= windowMs;
}

/** The reference: union-find over every pair. Returns groups in the module's canonical form. */
function bruteForce(s: Synthetic, cos: Float64Array, minCosine: number, windowMs: number | null): Int32Array[] {
  const n = s.count;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) if (linked(s, cos, i, j, minCosine, windowMs)) parent[find(i)] = find(j);
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) members.set(find(i), [...(members.get(find(i)) ?? []), i]);
  return [...members.values()]
    .filter((m) => m.length >= 2)
    .map((m) => Int32Array.from(m))
    .sort((a, b) => a[0] - b[0]);
}

function asLists(groups: Int32Array[]): number[][] {
  return groups.map((g) => Array.from(g));
}

function run(s: Synthetic, minCosine: number, windowMs: number | null): Grouping {
  const input: GroupingInput = { embeddings: s.embeddings, count: s.count, dim: DIM, capturedAt: s.capturedAt, minCosine, windowMs };
  return groupNearDuplicates(input);
}

function checkGroupOf(g: Grouping, n: number): void {
  const expected = new Int32Array(n).fill(-1);
  g.groups.forEach((members, k) => members.forEach((m) => (expected[m] = k)));
  expect(Array.from(g.groupOf)).toEqual(Array.from(expected));
}

/** Linked pairs that share no SimHash key in any table: the only links the LSH can miss. */
function neverCollide(s: Synthetic, cos: Float64Array, g: Grouping, minCosine: number, windowMs: number | null): [number, number][] {
  const n = s.count;
  const keys = simHashKeys(s.embeddings, n, DIM, g.plan.bits, g.plan.tables);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (!linked(s, cos, i, j, minCosine, windowMs)) continue;
      let hit = false;
      for (let t = 0; t < g.plan.tables && !hit; t++) hit = keys[t * n + i] === keys[t * n + j];
      if (!hit) out.push([i, j]);
    }
  }
  return out;
}

/** Components of `groups` after adding the links `extra`. */
function mergeWith(n: number, groups: Int32Array[], extra: [number, number][]): Int32Array[] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const g of groups) for (const m of g) parent[find(m)] = find(g[0]);
  for (const [i, j] of extra) parent[find(i)] = find(j);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) members.set(find(i), [...(members.get(find(i)) ?? []), i]);
  return [...members.values()].filter((m) => m.length >= 2).map((m) => Int32Array.from(m)).sort((a, b) => a[0] - b[0]);
}

// Window cases: 2 s splits many planted bursts (0–4 s between frames); 10 min keeps the sweep; 12 h is too
// dense for the sweep (times are spread over a day), so timed pairs go through the LSH with a time filter.
const WINDOWS = [null, 2000, 600_000, 43_200_000];
const SWEEPS = (windowMs: number | null): boolean => windowMs !== null && windowMs < 43_200_000;
const windowName = (windowMs: number | null): string => (windowMs === null ? 'off' : `${windowMs / 1000} s`);

describe('groupNearDuplicates vs brute force: thresholds inside the planted range (n = 1,500)', () => {
  // Planted pairs at cos 0.90–0.98 fill every tested threshold's neighbourhood: here a few links sit just
  // above a threshold, each missed with probability up to 1 %, so components may split. Asserted: the
  // result refines brute force's (no false links), and adding back exactly the linked pairs that never share
  // a key reproduces brute force — the only differences are LSH misses, within the formula's rate.
  const N = 1500;
  const data = synthetic(20240601, N, 0.5, 0.3);
  const cos = cosineTable(data);

  it('has no pair within rounding distance of a tested threshold (the comparison is meaningful)', () => {
    for (const t of [0.9, 0.93, 0.95, 0.97]) {
      let close = 0;
      for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) if (Math.abs(cos[i * N + j] - t) < 1e-9) close++;
      expect(close).toBe(0);
    }
  });

  for (const windowMs of WINDOWS) {
    for (const minCosine of [0.9, 0.93, 0.95, 0.97]) {
      it(`minCosine ${minCosine}, window ${windowName(windowMs)}: brute force up to LSH misses`, () => {
        const g = run(data, minCosine, windowMs);
        expect(g.plan.method).toBe('lsh');
        expect(g.plan.timeSweep).toBe(SWEEPS(windowMs));
        expect(g.plan.cappedBuckets).toBe(0);
        checkGroupOf(g, N);
        const expected = bruteForce(data, cos, minCosine, windowMs);
        expect(expected.length).toBeGreaterThan(20);
        // Refinement: each group lies inside one brute-force group.
        const bruteOf = new Int32Array(N).fill(-1);
        expected.forEach((members, k) => members.forEach((m) => (bruteOf[m] = k)));
        for (const members of g.groups) for (const m of members) expect(bruteOf[m]).toBe(bruteOf[members[0]]);
        const missed = neverCollide(data, cos, g, minCosine, windowMs);
        expect(asLists(mergeWith(N, g.groups, missed))).toEqual(asLists(expected));
        // Far fewer dot products than the 1.1 M pairs.
        expect(g.comparisons).toBeLessThan((N * (N - 1)) / 2 / 4);
      });
    }
  }

  it('candidate recall of linked pairs is ≥ 0.99, and the misses are what the formula predicts', () => {
    for (const minCosine of [0.9, 0.93, 0.95, 0.97]) {
      const g = run(data, minCosine, null);
      let pairs = 0;
      let expectedMisses = 0;
      for (let i = 0; i < N; i++) {
        for (let j = i + 1; j < N; j++) {
          if (cos[i * N + j] < minCosine) continue;
          pairs++;
          expectedMisses += lshMissProbability(cos[i * N + j], g.plan.bits, g.plan.tables);
        }
      }
      const misses = neverCollide(data, cos, g, minCosine, null).length;
      expect(pairs).toBeGreaterThan(50);
      expect(1 - misses / pairs).toBeGreaterThanOrEqual(0.99);
      // Each pair's miss chance is ≤ 1 %; the count should be near its expected total (loosely: pairs share
      // hyperplanes, so they are not independent).
      expect(expectedMisses / pairs).toBeLessThanOrEqual(0.01);
      expect(misses).toBeLessThanOrEqual(expectedMisses + 4 * Math.sqrt(expectedMisses) + 2);
    }
  });

  it('the formula: P_miss ≤ 1 % at minCosine and falls fast above it', () => {
    for (const minCosine of [0.9, 0.93, 0.95, 0.97, 0.99]) {
      const { plan } = run(data, minCosine, null);
      expect(lshMissProbability(minCosine, plan.bits, plan.tables)).toBeLessThanOrEqual(0.01);
      expect(lshMissProbability(Math.min(1, minCosine + 0.02), plan.bits, plan.tables)).toBeLessThan(0.005);
      expect(lshMissProbability(Math.min(1, minCosine + 0.04), plan.bits, plan.tables)).toBeLessThan(0.002);
      expect(lshMissProbability(1, plan.bits, plan.tables)).toBe(0);
    }
  });

  it('is deterministic', () => {
    const a = run(data, 0.95, null);
    const b = run(data, 0.95, null);
    expect(asLists(a.groups)).toEqual(asLists(b.groups));
    expect(a.comparisons).toBe(b.comparisons);
  });
});

describe('groupNearDuplicates vs brute force: thresholds below the planted range (n = 1,500)', () => {
  // Members at cos 0.98–0.995 to their centre, so planted links are at cos ≳ 0.96 while the thresholds are
  // 0.90 and 0.93: every link is ≥ 0.02 above its threshold, where P_miss < 0.5 %, and a cluster of ≥ 3
  // only splits if ≥ 2 links miss together. The expected number of split clusters is computed below and is
  // far under 1, so identical components are what the guarantee predicts; on this fixed seed they are.
  const N = 1500;
  const data = synthetic(77, N, 0.5, 0.3, 0.98, 0.995);
  const cos = cosineTable(data);

  for (const minCosine of [0.9, 0.93]) {
    for (const windowMs of WINDOWS) {
      it(`minCosine ${minCosine}, window ${windowName(windowMs)}: identical components`, () => {
        const g = run(data, minCosine, windowMs);
        expect(g.plan.method).toBe('lsh');
        expect(g.plan.timeSweep).toBe(SWEEPS(windowMs));
        const expected = bruteForce(data, cos, minCosine, windowMs);
        expect(expected.length).toBeGreaterThan(50);
        expect(asLists(g.groups)).toEqual(asLists(expected));
        checkGroupOf(g, N);
      });
    }

    it(`minCosine ${minCosine}: the planted links are ≥ 0.02 above it and few splits are expected`, () => {
      const { plan } = run(data, minCosine, null);
      let lowest = 1;
      let highestNoise = -1;
      const pairMiss = new Map<number, number>(); // 2-member clusters: their single link's miss chance
      for (let i = 0; i < N; i++) {
        for (let j = i + 1; j < N; j++) {
          const c = cos[i * N + j];
          if (data.cluster[i] >= 0 && data.cluster[i] === data.cluster[j]) {
            lowest = Math.min(lowest, c);
            pairMiss.set(data.cluster[i], lshMissProbability(c, plan.bits, plan.tables));
          } else highestNoise = Math.max(highestNoise, c);
        }
      }
      expect(lowest).toBeGreaterThanOrEqual(minCosine + 0.02);
      expect(highestNoise).toBeLessThan(minCosine - 0.5); // unrelated images never link
      const sizes = new Map<number, number>();
      for (const k of data.cluster) if (k >= 0) sizes.set(k, (sizes.get(k) ?? 0) + 1);
      let expectedSplits = 0;
      for (const [k, size] of sizes) if (size === 2) expectedSplits += pairMiss.get(k) ?? 0;
      expect(expectedSplits).toBeLessThan(0.2);
    });
  }
});

describe('groupNearDuplicates: small inputs use exact brute force', () => {
  const data = synthetic(7, 100, 0.6, 0.4);
  const cos = cosineTable(data);
  for (const windowMs of [null, 2000]) {
    it(`window ${windowMs}`, () => {
      const g = run(data, 0.93, windowMs);
      expect(g.plan.method).toBe('brute');
      expect(asLists(g.groups)).toEqual(asLists(bruteForce(data, cos, 0.93, windowMs)));
      checkGroupOf(g, data.count);
    });
  }

  it('handles 0 and 1 images', () => {
    for (const count of [0, 1]) {
      const g = groupNearDuplicates({ embeddings: new Float32Array(count * 4).fill(0.5), count, dim: 4, capturedAt: new Array(count).fill(null), minCosine: 0.9, windowMs: null });
      expect(g.groups).toEqual([]);
      expect(g.groupOf.length).toBe(count);
    }
  });

  it('rejects inconsistent input', () => {
    expect(() => groupNearDuplicates({ embeddings: new Float32Array(8), count: 3, dim: 4, capturedAt: [null, null, null], minCosine: 0.9, windowMs: null })).toThrow();
    expect(() => groupNearDuplicates({ embeddings: new Float32Array(8), count: 2, dim: 4, capturedAt: [null], minCosine: 0.9, windowMs: null })).toThrow();
    expect(() => groupNearDuplicates({ embeddings: new Float32Array(8), count: 2, dim: 4, capturedAt: [null, null], minCosine: Number.NaN, windowMs: null })).toThrow();
  });
});

describe('time-window semantics', () => {
  // Three near-identical images (cos ≈ 0.9995): A at 0 s, B at 10 s, C without a time.
  const rand = mulberry32(3);
  const base = unit(rand, DIM);
  const embeddings = new Float32Array(3 * DIM);
  for (let i = 0; i < 3; i++) {
    const noise = unit(rand, DIM);
    const v = base.map((x, d) => x + 0.03 * noise[d]);
    const norm = Math.hypot(...v);
    v.forEach((x, d) => (embeddings[i * DIM + d] = x / norm));
  }
  const group = (capturedAt: (number | null)[], windowMs: number | null): number[][] =>
    asLists(groupNearDuplicates({ embeddings, count: capturedAt.length, dim: DIM, capturedAt, minCosine: 0.99, windowMs }).groups);
  const two = embeddings.subarray(0, 2 * DIM);
  const groupTwo = (capturedAt: (number | null)[], windowMs: number | null): number[][] =>
    asLists(groupNearDuplicates({ embeddings: two, count: 2, dim: DIM, capturedAt, minCosine: 0.99, windowMs }).groups);

  it('10 s apart: not grouped with a 2 s window, grouped with 30 s and with the window off', () => {
    expect(groupTwo([0, 10_000], 2000)).toEqual([]);
    expect(groupTwo([0, 10_000], 30_000)).toEqual([[0, 1]]);
    expect(groupTwo([0, 10_000], null)).toEqual([[0, 1]]);
  });

  it('the window is inclusive', () => {
    expect(groupTwo([0, 2000], 2000)).toEqual([[0, 1]]);
    expect(groupTwo([0, 2001], 2000)).toEqual([]);
  });

  it('grouped when one lacks a time (null or not finite)', () => {
    expect(groupTwo([0, null], 2000)).toEqual([[0, 1]]);
    expect(groupTwo([Number.NaN, 10_000], 2000)).toEqual([[0, 1]]);
  });

  it('single linkage: an untimed image joins two timed ones that are too far apart to link', () => {
    expect(group([0, 10_000, null], 2000)).toEqual([[0, 1, 2]]);
  });

  it('times do not matter below minCosine', () => {
    const far = new Float32Array(2 * DIM);
    far.set(embeddings.subarray(0, DIM));
    far.set(unit(mulberry32(9), DIM), DIM);
    expect(groupNearDuplicates({ embeddings: far, count: 2, dim: DIM, capturedAt: [0, 0], minCosine: 0.9, windowMs: 2000 }).groups).toEqual([]);
  });
});

describe('huge buckets', () => {
  const N = 5000;
  const rand = mulberry32(11);
  const row = unit(rand, DIM);
  const identical = new Float32Array(N * DIM);
  for (let i = 0; i < N; i++) for (let d = 0; d < DIM; d++) identical[i * DIM + d] = row[d];
  const cases: [string, (i: number) => number | null, number | null, number[][]][] = [
    ['window off', () => null, null, [Array.from({ length: N }, (_, i) => i)]],
    ['2 s window, half without time, 1 min apart', (i) => (i % 2 === 0 ? i * 60_000 : null), 2000, [Array.from({ length: N }, (_, i) => i)]],
    ['2 s window, all at the same moment', () => 0, 2000, [Array.from({ length: N }, (_, i) => i)]],
    ['2 s window, all 1 min apart: nothing links', (i) => i * 60_000, 2000, []],
    // Times 1 s apart except a 10 s gap after image 2,499: two runs.
    ['2 s window, 1 s apart with one 10 s gap', (i) => i * 1000 + (i >= 2500 ? 10_000 : 0), 2000, [
      Array.from({ length: 2500 }, (_, i) => i),
      Array.from({ length: 2500 }, (_, i) => 2500 + i),
    ]],
  ];
  for (const [name, time, windowMs, expected] of cases) {
    it(`${N} identical embeddings, ${name}`, () => {
      const t0 = performance.now();
      const g = groupNearDuplicates({ embeddings: identical, count: N, dim: DIM, capturedAt: Array.from({ length: N }, (_, i) => time(i)), minCosine: 0.95, windowMs });
      const ms = performance.now() - t0;
      expect(asLists(g.groups)).toEqual(expected);
      expect(ms).toBeLessThan(3000);
      // Links chain and the union-find short-cut skips connected pairs: O(n) dot products, not n²/2.
      expect(g.comparisons).toBeLessThan(20 * N);
    });
  }
});

describe('bestOfGroups / keepBestPlan', () => {
  const groups = [Int32Array.of(0, 3, 5), Int32Array.of(1, 2), Int32Array.of(4, 6, 7)];

  it('picks the highest score; null and NaN lose; ties go to the lower index', () => {
    const scores: (number | null)[] = [5, null, Number.NaN, 7, 6, 7, 6, 2];
    // group 0: 3 (7) vs 5 (7) → tie → 3; group 1: null vs NaN → both lose → lower index 1; group 2: 4 (6) vs 6 (6) → 4.
    expect(Array.from(bestOfGroups(groups, (i) => scores[i]))).toEqual([3, 1, 4]);
    expect(Array.from(bestOfGroups([Int32Array.of(2, 1)], (i) => (i === 2 ? null : -1)))).toEqual([1]);
    expect(Array.from(bestOfGroups([Int32Array.of(5, 3)], () => 1))).toEqual([3]);
  });

  it('with people scores, a frame with closed eyes or soft faces is out first; frames without faces compete on score', () => {
    const scores = [7, 6, 5, 9];
    // 0: one blink (0.5), 1: all open and sharp (1), 2: all open and sharp (1), 3: no face judged (null).
    const people = [0.5, 1, 1, null];
    expect(Array.from(bestOfGroups([Int32Array.of(0, 1, 2)], (i) => scores[i], (i) => people[i]))).toEqual([1]);
    // The frame with no judged face has no say: it competes with the open-eyed ones on score alone.
    expect(Array.from(bestOfGroups([Int32Array.of(0, 1, 3)], (i) => scores[i], (i) => people[i]))).toEqual([3]);
    // Nobody judged: the score alone, as without people scores.
    expect(Array.from(bestOfGroups([Int32Array.of(0, 1)], (i) => scores[i], () => null))).toEqual([0]);
    // Everyone blinked equally: the score decides among them.
    expect(Array.from(bestOfGroups([Int32Array.of(1, 2)], (i) => scores[i], () => 0.5))).toEqual([1]);
  });

  it('keep the best, reject the rest', () => {
    const best = Int32Array.of(3, 1, 7);
    expect(keepBestPlan(groups, best)).toEqual({ keep: [3, 1, 7], reject: [0, 5, 2, 4, 6] });
    expect(keepBestPlan([], new Int32Array(0))).toEqual({ keep: [], reject: [] });
  });

  it('rejects a pick outside its group', () => {
    expect(() => keepBestPlan(groups, Int32Array.of(3, 1, 0))).toThrow();
    expect(() => keepBestPlan(groups, Int32Array.of(3, 1))).toThrow();
  });
});
