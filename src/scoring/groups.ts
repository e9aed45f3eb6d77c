/**
 * Bursts and near-duplicates: group images whose CLIP embeddings are almost the same, in time close to
 * linear in the number of images and memory linear in it (20,000 images in a browser worker).
 *
 * Definition. Images i and j are LINKED when cos(i, j) ≥ minCosine AND (the time window is off, or either
 * image lacks a capture time, or |t_i − t_j| ≤ windowMs, inclusive). Groups are the connected components of
 * the links (single linkage) with ≥ 2 members. Rows are L2-normalised, so cos = dot product. A capture
 * time that is not a finite number counts as missing.
 *
 * Algorithm. Union-find over CANDIDATE pairs, each verified with an exact dot product: a link is never
 * invented, the only possible error is a linked pair that never becomes a candidate. A candidate whose two
 * images are already in one component is skipped (it cannot change the components); this union-find
 * short-cut is what makes a 200-frame burst cost ~200 dot products rather than 20,000. Candidates:
 *
 * (a) Time sweep — window on, pairs where BOTH images have a time: sort them by time and compare each with
 *     the following ones while Δt ≤ window. O(n·k) for k images per window, and exact. When the window is
 *     so wide that k is no longer small (the sweep would cost more than SWEEP_PREFERENCE × the LSH), these
 *     pairs go through the LSH too, with the time condition checked before the dot product.
 *
 * (b) Random-hyperplane LSH (SimHash) — all other pairs (window off: every pair; window on: pairs where at
 *     least one image lacks a time). A table draws b Gaussian hyperplanes r_1..r_b; an image's key is its
 *     b sign bits [r_k · x > 0]; images with equal keys share a bucket, and every eligible pair within a
 *     bucket is a candidate. One random hyperplane separates two vectors at angle θ with probability θ/π
 *     (Goemans–Williamson; Charikar 2002), so a pair shares a key with probability (1 − θ/π)^b and misses
 *     in all L independent tables with probability
 *
 *         P_miss(θ) = (1 − (1 − θ/π)^b)^L.
 *
 *     With θ₀ = acos(minCosine), p₀ = 1 − θ₀/π, L = ⌈ln 0.01 / ln(1 − p₀^b)⌉ (`lshTablesFor`) makes P_miss ≤ 1 %
 *     for a pair exactly at minCosine; above it the miss chance falls fast (for the plans below: ≤ 0.35 % at
 *     minCosine + 0.02, ≤ 0.11 % at + 0.04; 0 for identical images).
 *
 *     b trades hashing (n·L·planes projections) against candidates (L × eligible pairs × P[same key]).
 *     It is chosen by a cost model: P[same key] = mean of (1 − θ/π)^b over a seeded sample of
 *     SAMPLE_PAIRS random pairs, each candidate costing what its early-exit dot product (below) read on that
 *     sample, a projection HASH_COST of a dot product. The sample makes b follow the data: CLIP image
 *     embeddings share a mean direction (unrelated photos at cos ≈ 0.5, not 0), so short keys collide far
 *     more than on isotropic vectors. Kept are b ∈ [MIN_BITS, MAX_BITS] with L ≤ MAX_TABLES whose average
 *     bucket holds ≤ BUCKET_FULL / 4 images; brute force (every eligible pair, exact, O(1) extra memory)
 *     when that is cheaper, and always below BRUTE_PAIRS pairs. What it picks at n = 20,000:
 *
 *         minCosine                   0.90     0.93     0.95     0.97     0.99
 *         isotropic vectors  (b, L)   10, 20   10, 15   10, 11   10, 8    11, 5
 *         CLIP-like (cos≈0.5)(b, L)   16, 53   16, 34   16, 23   16, 15   17, 8
 *
 *     (smaller n: smaller b, e.g. b = 6–8 at n = 1,000–5,000 isotropic; bench/groups.ts prints the plan).
 *
 *     Huge buckets. Buckets of ≤ BUCKET_FULL images are compared all-pairs; larger ones too, smallest first,
 *     while the table's budget of PAIR_BUDGET·n pairs lasts. Beyond that (e.g. 20,000 identical images share
 *     every key) a bucket is CAPPED: its members are put in a fixed order — projection on one extra random
 *     direction, then index — and each image without a usable time is compared with the next NEIGHBOURS such
 *     images, each timed image with the NEIGHBOURS/2 nearest untimed ones on either side, and (when the LSH
 *     also handles timed pairs) each timed image with the next NEIGHBOURS timed ones in time order within the
 *     window. O(m·NEIGHBOURS) for m members; with the short-cut, identical images cost ~m dot products, and
 *     since links chain, identical or mutually linked images still come out exactly as brute force has them.
 *     What a capped bucket loses is the recall bound for its other pairs; `plan.cappedBuckets` counts them
 *     (none on isotropic data; a few on CLIP-like data at n ≥ 5,000).
 *
 *     A pair that shared a fully compared bucket in an earlier table is not compared again (each table's
 *     keys are kept for that), so repeated collisions of near-but-unlinked pairs cost one dot product.
 *
 * Early-exit dot products. For an unrelated pair the answer "below minCosine" is known long before the
 * end: after each SEGMENT of 64 dimensions, partial sum + ‖rest of x‖·‖rest of y‖ (Cauchy–Schwarz) bounds
 * the result, and once that bound is below minCosine the pair is dropped. Exact: a completed product is
 * bit-identical to the plain one. Unrelated pairs typically stop after 64–128 of 512 dimensions.
 *
 * Determinism: hyperplanes and the sample come from mulberry32 with fixed seeds, so the same input gives the
 * same groups on every engine. Memory: the input, O(n·L) 32-bit integers (earlier tables' keys), O(n)
 * floats of tail norms and O(n) scratch per table; nothing n×n. Time: ~1 s for 20,000 isotropic images
 * and ~3 s for CLIP-like ones in Node 20 on one core (bench/groups.ts).
 */
import { mulberry32 } from './mulberry32';

export interface GroupingInput {
  /** Row-major [count, dim]; rows L2-normalised, so cos = dot. */
  embeddings: Float32Array;
  count: number;
  dim: number;
  /** Capture time in ms per image (EXIF), null when unknown. Length `count`. */
  capturedAt: (number | null)[];
  /** Link threshold on cos; the UI offers 0.90–0.99. */
  minCosine: number;
  /** Max |Δt| in ms for two timed images to link; null = ignore times. */
  windowMs: number | null;
}

/** How a grouping was computed: for the benchmark and for debugging, not needed to use the result. */
export interface GroupingPlan {
  /** How pairs that involve an image without a usable time (all pairs when the window is off) were found. */
  method: 'none' | 'brute' | 'lsh';
  /** Timed pairs were found by the exact time sweep (else, with the window on, by `method` with a time filter). */
  timeSweep: boolean;
  /** LSH bits per key and tables; 0 unless method is 'lsh'. */
  bits: number;
  tables: number;
  /** Random pairs whose dot product sized the LSH (counted in `comparisons`). */
  sampledPairs: number;
  /** Buckets larger than BUCKET_FULL, compared only with neighbours (see the module comment). */
  cappedBuckets: number;
}

export interface Grouping {
  /** Member indices, each group sorted ascending, groups ordered by their first member. */
  groups: Int32Array[];
  /** Group index per image, −1 if alone. */
  groupOf: Int32Array;
  /** Image·image dot products computed: candidate checks plus the LSH sizing sample. */
  comparisons: number;
  plan: GroupingPlan;
}

/** Target chance of missing one linked pair at exactly minCosine. */
const MISS = 0.01;
/** Buckets up to this size are compared all-pairs. */
const BUCKET_FULL = 128;
/** Pairs per table (× n) that buckets larger than BUCKET_FULL may still be compared all-pairs with. */
const PAIR_BUDGET = 16;
/** Neighbours per image in a capped bucket. */
const NEIGHBOURS = 16;
const MIN_BITS = 4;
/** ≤ 26 keeps key·n + index exact in a float64 for n < 2^27, so buckets come from a native numeric sort. */
const MAX_BITS = 26;
/** Bounds the O(n·L) key memory (20,000 × 64 × 4 B = 5 MB). */
const MAX_TABLES = 64;
/** Random pairs whose angles drive the choice of b. */
const SAMPLE_PAIRS = 2048;
/** At most this many pairs in all: brute force, which is exact and costs a few ms. */
const BRUTE_PAIRS = 8192;
/** The exact time sweep is kept until it costs this many times the LSH alternative. */
const SWEEP_PREFERENCE = 4;
/**
 * Cost of one hyperplane projection in units of one full candidate dot product. Measured in Node 20 at
 * n = 20,000: a projection ≈ 0.3 µs (blocked, cache-friendly), a full dot of two random rows ≈ 0.6–0.8 µs
 * (memory-bound). With it the model picks the b that was fastest when b was forced (10 on isotropic data).
 */
const HASH_COST = 0.5;
/** Rounding allowance of dotBounded's early exit; far above float64 error on 512 terms. */
const BOUND_SLACK = 1e-9;
const PLANE_SEED = 0x6c6f7570; // "loup"
const SAMPLE_SEED = 0x65706521;

/** Chance that one random hyperplane does NOT separate two unit vectors at cosine c: 1 − acos(c)/π. */
export function hyperplaneCollision(cosine: number): number {
  const c = Math.min(1, Math.max(-1, cosine));
  return 1 - Math.acos(c) / Math.PI;
}

/** P_miss = (1 − p^b)^L: chance a pair at `cosine` shares no key in `tables` tables of `bits` bits. */
export function lshMissProbability(cosine: number, bits: number, tables: number): number {
  return (1 - hyperplaneCollision(cosine) ** bits) ** tables;
}

/** The fewest tables of `bits` bits with P_miss ≤ `miss` at minCosine (Infinity when none can). */
export function lshTablesFor(minCosine: number, bits: number, miss = MISS): number {
  const hit = hyperplaneCollision(minCosine) ** bits;
  if (hit >= 1) return 1;
  if (!(hit > 0)) return Number.POSITIVE_INFINITY;
  return Math.max(1, Math.ceil(Math.log(miss) / Math.log1p(-hit)));
}

/**
 * The SimHash keys groupNearDuplicates uses for `tables` tables of `bits` bits (table-major: key of image i
 * in table t at [t·count + i]). Exposed so tests can measure the candidate recall directly.
 */
export function simHashKeys(embeddings: Float32Array, count: number, dim: number, bits: number, tables: number): Int32Array {
  checkInput(embeddings, count, dim);
  const rand = mulberry32(PLANE_SEED);
  const planes = new Float32Array(planesFor(bits) * dim);
  const proj = new Float64Array(count);
  const out = new Int32Array(tables * count);
  for (let t = 0; t < tables; t++) {
    fillGaussian(rand, planes);
    hashTable(embeddings, count, dim, planes, bits, out.subarray(t * count, (t + 1) * count), proj);
  }
  return out;
}

export function groupNearDuplicates(input: GroupingInput): Grouping {
  const { embeddings: emb, count: n, dim, minCosine } = input;
  checkInput(emb, n, dim);
  if (input.capturedAt.length !== n) throw new Error(`groupNearDuplicates: ${input.capturedAt.length} times for ${n} images`);
  if (Number.isNaN(minCosine)) throw new Error('groupNearDuplicates: minCosine is NaN'); // every `dot < NaN` is false: all would link
  if (input.windowMs !== null && Number.isNaN(input.windowMs)) throw new Error('groupNearDuplicates: windowMs is NaN');
  const windowOn = input.windowMs !== null;
  const windowMs = input.windowMs ?? Number.POSITIVE_INFINITY;

  // free[i] = 1: every pair with i is eligible whatever the times (window off, or i has no usable time).
  const time = new Float64Array(n);
  const free = new Uint8Array(n);
  let nTimed = 0;
  for (let i = 0; i < n; i++) {
    const t = input.capturedAt[i];
    if (windowOn && t !== null && Number.isFinite(t)) {
      time[i] = t;
      nTimed++;
    } else {
      time[i] = Number.NaN;
      free[i] = 1;
    }
  }
  const nFree = n - nTimed;

  const nTails = checkpointsFor(dim);
  const tails = tailNorms(emb, n, dim, nTails);

  const parent = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]]; // path halving
      i = parent[i];
    }
    return i;
  };
  let comparisons = 0;
  /** Verify one candidate pair; the short-cut skips pairs already connected. */
  const check = (i: number, j: number): void => {
    let a = find(i);
    let b = find(j);
    if (a === b) return;
    comparisons++;
    if (dotBounded(emb, i, j, dim, tails, nTails, minCosine) < minCosine) return;
    if (size[a] < size[b]) [a, b] = [b, a];
    parent[b] = a;
    size[a] += size[b];
  };

  const plan: GroupingPlan = { method: 'none', timeSweep: false, bits: 0, tables: 0, sampledPairs: 0, cappedBuckets: 0 };
  const allPairs = (n * (n - 1)) / 2;

  // Timed images by time, and how many timed pairs lie within the window (two pointers, no dot products).
  let timedOrder = new Int32Array(0);
  let sweepPairs = 0;
  if (windowOn && nTimed > 1) {
    timedOrder = new Int32Array(nTimed);
    for (let i = 0, k = 0; i < n; i++) if (free[i] === 0) timedOrder[k++] = i;
    timedOrder.sort((x, y) => time[x] - time[y] || x - y);
    for (let a = 0, c = 0; a < nTimed; a++) {
      if (c < a + 1) c = a + 1;
      while (c < nTimed && time[timedOrder[c]] - time[timedOrder[a]] <= windowMs) c++;
      sweepPairs += c - a - 1;
    }
  }
  const freePairs = (nFree * (nFree - 1)) / 2 + nFree * nTimed;

  let choice: Choice = { method: 'none', bits: 0, tables: 0, cost: 0 };
  if (allPairs <= BRUTE_PAIRS) {
    choice = { method: allPairs > 0 ? 'brute' : 'none', bits: 0, tables: 0, cost: allPairs };
  } else {
    const sample = sampleCollisions(emb, n, dim, tails, nTails, minCosine);
    plan.sampledPairs = sample.q.length;
    comparisons += sample.q.length;
    const noSweep = chooseMethod(n, freePairs + sweepPairs, sample, minCosine);
    if (windowOn) {
      const withSweep = chooseMethod(n, freePairs, sample, minCosine);
      if (sweepPairs + withSweep.cost <= SWEEP_PREFERENCE * noSweep.cost) {
        plan.timeSweep = true;
        choice = withSweep;
      } else choice = noSweep;
    } else choice = noSweep;
  }
  plan.method = choice.method;

  // (a) The exact time sweep.
  if (plan.timeSweep) {
    for (let a = 0; a < nTimed; a++) {
      const i = timedOrder[a];
      for (let c = a + 1; c < nTimed && time[timedOrder[c]] - time[i] <= windowMs; c++) check(i, timedOrder[c]);
    }
  }
  const sweepDone = plan.timeSweep;
  const eligible = (i: number, j: number): boolean =>
    free[i] === 1 || free[j] === 1 || (!sweepDone && Math.abs(time[i] - time[j]) <= windowMs);

  // (b) The other pairs.
  if (choice.method === 'brute') {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (eligible(i, j)) check(i, j);
  } else if (choice.method === 'lsh') {
    plan.bits = choice.bits;
    plan.tables = choice.tables;
    plan.cappedBuckets = runLsh({ emb, n, dim, bits: choice.bits, tables: choice.tables, free, time, windowMs, sweepDone, eligible, find, check });
  }

  return { ...collectGroups(n, find), comparisons, plan };
}

/**
 * Per group, the member with the highest score; null (and NaN) scores lose; ties go to the lower index.
 *
 * With `people` (each member's people score, 0..1, or null when no face was judged: faceJudgement.ts), a
 * member whose people score is below the group's best people score is out of the running first: a burst's
 * best is a frame where every face has open eyes and is sharp, and only then the best-scored of those.
 * Members with no people score have no say either way (a frame where the face turned away is not worse,
 * nor better, for it) and compete on score alone.
 */
export function bestOfGroups(
  groups: Int32Array[],
  score: (index: number) => number | null,
  people?: (index: number) => number | null,
): Int32Array {
  const best = new Int32Array(groups.length);
  groups.forEach((members, g) => {
    if (members.length === 0) throw new Error(`bestOfGroups: group ${g} is empty`);
    let topPeople = -Infinity;
    if (people) for (const m of members) topPeople = Math.max(topPeople, people(m) ?? -Infinity);
    let bestIndex = -1;
    let bestScore: number | null = null;
    for (const m of members) {
      const p = people ? people(m) : null;
      if (p !== null && p < topPeople - 1e-9) continue;
      const raw = score(m);
      const s = raw === null || Number.isNaN(raw) ? null : raw;
      const better =
        bestIndex === -1 ||
        (s !== null && (bestScore === null || s > bestScore || (s === bestScore && m < bestIndex))) ||
        (s === null && bestScore === null && m < bestIndex);
      if (better) {
        bestIndex = m;
        bestScore = s;
      }
    }
    best[g] = bestIndex;
  });
  return best;
}

/** "Keep the best of every group, reject the rest", as a plan the app applies (with undo). */
export function keepBestPlan(groups: Int32Array[], best: Int32Array): { keep: number[]; reject: number[] } {
  if (best.length !== groups.length) throw new Error(`keepBestPlan: ${best.length} picks for ${groups.length} groups`);
  const keep: number[] = [];
  const reject: number[] = [];
  groups.forEach((members, g) => {
    if (!members.includes(best[g])) throw new Error(`keepBestPlan: ${best[g]} is not in group ${g}`);
    keep.push(best[g]);
    for (const m of members) if (m !== best[g]) reject.push(m);
  });
  return { keep, reject };
}

// ————————————————————————————————————————————————————————————————————————————————————————————————

interface Choice {
  method: 'none' | 'brute' | 'lsh';
  bits: number;
  tables: number;
  /** Estimated cost in dot products. */
  cost: number;
}

interface Sample {
  /** Per-bit collision chance 1 − θ/π of each sampled pair. */
  q: Float64Array;
  /** Fraction of the dimensions its bounded dot product read before it could stop (see dotBounded). */
  read: Float64Array;
}

/** Cheapest way to find the links among `pairs` eligible pairs (see the module comment for the model). */
function chooseMethod(n: number, pairs: number, sample: Sample, minCosine: number): Choice {
  if (pairs === 0) return { method: 'none', bits: 0, tables: 0, cost: 0 };
  const s = sample.q.length;
  let meanRead = 0;
  for (let k = 0; k < s; k++) meanRead += sample.read[k];
  const brute: Choice = { method: 'brute', bits: 0, tables: 0, cost: (pairs * meanRead) / s };
  // Prefer key lengths whose average bucket stays well under BUCKET_FULL (every bucket compared all-pairs:
  // the recall bound holds); only when none exists (the images are mostly near one another, e.g. thousands
  // of identical frames) accept capped buckets, whose cost per table is bounded.
  let bounded: Choice | null = null;
  let any: Choice | null = null;
  for (let bits = MIN_BITS; bits <= MAX_BITS; bits++) {
    const tables = lshTablesFor(minCosine, bits);
    if (tables > MAX_TABLES) continue;
    let collide = 0;
    let collideCost = 0;
    for (let k = 0; k < s; k++) {
      const c = sample.q[k] ** bits;
      collide += c;
      collideCost += c * sample.read[k];
    }
    const perTable = Math.min((pairs * collideCost) / s, (PAIR_BUDGET + 2 * NEIGHBOURS) * n);
    const choice: Choice = { method: 'lsh', bits, tables, cost: HASH_COST * n * tables * planesFor(bits) + tables * perTable };
    if (((n - 1) * collide) / s <= BUCKET_FULL / 4 && (bounded === null || choice.cost < bounded.cost)) bounded = choice;
    if (any === null || choice.cost < any.cost) any = choice;
  }
  const lsh = bounded ?? any;
  return lsh !== null && lsh.cost < brute.cost ? lsh : brute;
}

/** SAMPLE_PAIRS seeded random pairs (i ≠ j): their collision chance per bit and the cost of checking them. */
function sampleCollisions(emb: Float32Array, n: number, dim: number, tails: Float64Array, nTails: number, minCosine: number): Sample {
  const rand = mulberry32(SAMPLE_SEED);
  const q = new Float64Array(SAMPLE_PAIRS);
  const read = new Float64Array(SAMPLE_PAIRS);
  for (let s = 0; s < SAMPLE_PAIRS; s++) {
    const i = Math.floor(rand() * n);
    const j = (i + 1 + Math.floor(rand() * (n - 1))) % n;
    dotBounded(emb, i, j, dim, tails, nTails, minCosine);
    read[s] = boundedRead / dim;
    q[s] = hyperplaneCollision(dotRows(emb, i * dim, emb, j * dim, dim));
  }
  return { q, read };
}

interface LshRun {
  emb: Float32Array;
  n: number;
  dim: number;
  bits: number;
  tables: number;
  free: Uint8Array;
  time: Float64Array;
  windowMs: number;
  sweepDone: boolean;
  eligible: (i: number, j: number) => boolean;
  find: (i: number) => number;
  check: (i: number, j: number) => void;
}

/** The LSH candidates of the module comment; returns the number of capped buckets. */
function runLsh(r: LshRun): number {
  const { emb, n, dim, bits, tables: L, free, time, windowMs, sweepDone, eligible, find, check } = r;
  // fullKey[i·L + t]: i's key in table t if its bucket there was compared all-pairs, else −1.
  const fullKey = new Int32Array(n * L).fill(-1);
  const keys = new Int32Array(n);
  const proj = new Float64Array(n);
  const sorted = new Float64Array(n);
  const order = new Int32Array(n);
  const frees = new Int32Array(n);
  const timeds = new Int32Array(n);
  const timedFreePos = new Int32Array(n);
  const planes = new Float32Array(planesFor(bits) * dim);
  const rand = mulberry32(PLANE_SEED);
  const exactPack = 2 ** bits * n < 2 ** 53;
  let capped = 0;

  /** Was (i, j) considered in a fully compared bucket of an earlier table? */
  const seen = (i: number, j: number, t: number): boolean => {
    const oi = i * L;
    const oj = j * L;
    for (let u = 0; u < t; u++) {
      const k = fullKey[oi + u];
      if (k !== -1 && k === fullKey[oj + u]) return true;
    }
    return false;
  };
  const candidate = (i: number, j: number, t: number): void => {
    if (find(i) === find(j) || seen(i, j, t)) return;
    check(i, j);
  };

  const bigStart = new Int32Array(Math.floor(n / (BUCKET_FULL + 1)) + 1);
  const bigEnd = new Int32Array(bigStart.length);

  /** Every eligible pair of order[s..e); remembered so later tables skip these pairs. */
  const fullBucket = (s: number, e: number, t: number): void => {
    for (let a = s; a < e; a++) {
      const i = order[a];
      for (let b = a + 1; b < e; b++) {
        const j = order[b];
        if (eligible(i, j)) candidate(i, j, t);
      }
    }
    const key = keys[order[s]];
    for (let a = s; a < e; a++) fullKey[order[a] * L + t] = key;
  };

  /** A bounded number of neighbours per member of order[s..e) (see the module comment). */
  const cappedBucket = (s: number, e: number, t: number): void => {
    const members = order.subarray(s, e);
    members.sort((x, y) => proj[x] - proj[y] || x - y);
    let nf = 0;
    let nt = 0;
    for (const i of members) {
      if (free[i] === 1) frees[nf++] = i;
      else {
        timedFreePos[nt] = nf; // untimed members before this one in the fixed order
        timeds[nt++] = i;
      }
    }
    for (let a = 0; a < nf; a++) {
      for (let b = a + 1; b < nf && b <= a + NEIGHBOURS; b++) candidate(frees[a], frees[b], t);
    }
    const half = NEIGHBOURS / 2;
    for (let a = 0; a < nt; a++) {
      const at = timedFreePos[a];
      for (let b = Math.max(0, at - half); b < Math.min(nf, at + half); b++) candidate(timeds[a], frees[b], t);
    }
    if (!sweepDone && nt > 1) {
      const byTime = timeds.subarray(0, nt);
      byTime.sort((x, y) => time[x] - time[y] || x - y);
      for (let a = 0; a < nt; a++) {
        const i = byTime[a];
        for (let b = a + 1; b < nt && b <= a + NEIGHBOURS && time[byTime[b]] - time[i] <= windowMs; b++) {
          candidate(i, byTime[b], t);
        }
      }
    }
  };

  for (let t = 0; t < L; t++) {
    fillGaussian(rand, planes);
    hashTable(emb, n, dim, planes, bits, keys, proj);
    // Buckets = runs of equal keys. key·n + i packs both into one exact float64: a native sort, no comparator.
    if (exactPack) {
      for (let i = 0; i < n; i++) sorted[i] = keys[i] * n + i;
      sorted.sort();
      for (let i = 0; i < n; i++) order[i] = sorted[i] % n;
    } else {
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort((x, y) => keys[x] - keys[y] || x - y);
    }
    // Small buckets all-pairs now; big ones afterwards, smallest first, all-pairs while the table's budget of
    // PAIR_BUDGET·n pairs lasts (exact where affordable), then capped.
    let nBig = 0;
    for (let s = 0; s < n; ) {
      const key = keys[order[s]];
      let e = s + 1;
      while (e < n && keys[order[e]] === key) e++;
      if (e - s <= BUCKET_FULL) fullBucket(s, e, t);
      else {
        bigStart[nBig] = s;
        bigEnd[nBig++] = e;
      }
      s = e;
    }
    const big = Array.from({ length: nBig }, (_, k) => k).sort(
      (x, y) => bigEnd[x] - bigStart[x] - (bigEnd[y] - bigStart[y]) || bigStart[x] - bigStart[y],
    );
    let budget = PAIR_BUDGET * n;
    for (const k of big) {
      const m = bigEnd[k] - bigStart[k];
      if ((m * (m - 1)) / 2 <= budget) {
        budget -= (m * (m - 1)) / 2;
        fullBucket(bigStart[k], bigEnd[k], t);
      } else {
        capped++;
        cappedBucket(bigStart[k], bigEnd[k], t);
      }
    }
  }
  return capped;
}

/**
 * Keys (b sign bits) of every image for one table, and the projection on plane b (the fixed order of capped
 * buckets). Hashing is most of the LSH's work, so it is blocked: two rows × four planes per pass, one load
 * feeding several multiply-adds — about 1.5× faster in V8 than one dot product at a time.
 */
function hashTable(
  emb: Float32Array,
  n: number,
  dim: number,
  planes: Float32Array,
  bits: number,
  keys: Int32Array,
  proj: Float64Array,
): void {
  const nPlanes = planesFor(bits);
  const out = new Float64Array(8);
  for (let i = 0; i < n; i += 2) {
    const pair = i + 1 < n; // an odd last row is paired with itself
    const j = pair ? i + 1 : i;
    let keyI = 0;
    let keyJ = 0;
    for (let h = 0; h < nPlanes; h += 4) {
      eightDots(emb, i * dim, j * dim, planes, h * dim, dim, out);
      for (let u = 0; u < 4; u++) {
        if (h + u < bits) {
          if (out[u] > 0) keyI |= 1 << (h + u);
          if (out[4 + u] > 0) keyJ |= 1 << (h + u);
        } else if (h + u === bits) {
          proj[i] = out[u];
          proj[j] = out[4 + u];
        }
      }
    }
    keys[i] = keyI;
    if (pair) keys[j] = keyJ;
  }
}

/** Planes drawn per table: b key bits, one for the fixed order, rounded up to whole fourDots passes. */
function planesFor(bits: number): number {
  return Math.ceil((bits + 1) / 4) * 4;
}

/** out[u] = row a · plane u, out[4 + u] = row b · plane u, for the four consecutive planes from offset `op`. */
function eightDots(x: Float32Array, oa: number, ob: number, p: Float32Array, op: number, dim: number, out: Float64Array): void {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  const p1 = op + dim;
  const p2 = op + 2 * dim;
  const p3 = op + 3 * dim;
  for (let k = 0; k < dim; k++) {
    const xa = x[oa + k];
    const xb = x[ob + k];
    const q0 = p[op + k];
    const q1 = p[p1 + k];
    const q2 = p[p2 + k];
    const q3 = p[p3 + k];
    a0 += xa * q0;
    a1 += xa * q1;
    a2 += xa * q2;
    a3 += xa * q3;
    b0 += xb * q0;
    b1 += xb * q1;
    b2 += xb * q2;
    b3 += xb * q3;
  }
  out[0] = a0;
  out[1] = a1;
  out[2] = a2;
  out[3] = a3;
  out[4] = b0;
  out[5] = b1;
  out[6] = b2;
  out[7] = b3;
}

/** Standard normal values (Box–Muller): Gaussian hyperplanes make θ/π the exact separation chance. */
function fillGaussian(rand: () => number, out: Float32Array): void {
  for (let k = 0; k < out.length; k += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())); // 1 − rand() ∈ (0, 1]: log is finite
    const phi = 2 * Math.PI * rand();
    out[k] = r * Math.cos(phi);
    if (k + 1 < out.length) out[k + 1] = r * Math.sin(phi);
  }
}

/** a[offA..offA+dim) · b[offB..offB+dim), float64 accumulators; four of them let the JIT overlap the adds. */
function dotRows(a: Float32Array, offA: number, b: Float32Array, offB: number, dim: number): number {
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  const tail = dim - (dim % 4);
  let k = 0;
  for (; k < tail; k += 4) {
    d0 += a[offA + k] * b[offB + k];
    d1 += a[offA + k + 1] * b[offB + k + 1];
    d2 += a[offA + k + 2] * b[offB + k + 2];
    d3 += a[offA + k + 3] * b[offB + k + 3];
  }
  for (; k < dim; k++) d0 += a[offA + k] * b[offB + k];
  return d0 + d1 + d2 + d3;
}

/** Dimensions per segment of dotBounded (a multiple of 4, so the segments keep dotRows' summation order). */
const SEGMENT = 64;

/** Checkpoints of dotBounded: segment ends strictly inside the 4-wide part of a row. */
function checkpointsFor(dim: number): number {
  const wide = dim - (dim % 4);
  return Math.max(0, Math.ceil(wide / SEGMENT) - 1);
}

/** tails[i·c + s] = ‖x_i[(s+1)·SEGMENT ..]‖: what the rest of a row can still add to a dot product. */
function tailNorms(emb: Float32Array, n: number, dim: number, checkpoints: number): Float64Array {
  const tails = new Float64Array(n * checkpoints);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let k = dim - 1; k >= SEGMENT; k--) {
      const x = emb[i * dim + k];
      sq += x * x;
      if (k % SEGMENT === 0 && k / SEGMENT - 1 < checkpoints) tails[i * checkpoints + k / SEGMENT - 1] = Math.sqrt(sq);
    }
  }
  return tails;
}

/** Dimensions read by the last dotBounded call (scratch for the cost model's sample). */
let boundedRead = 0;

/**
 * x_i · x_j, or −∞ as soon as it provably stays below `limit`: after each SEGMENT the partial sum plus
 * ‖rest of x_i‖·‖rest of x_j‖ (Cauchy–Schwarz) bounds the final value, and for an unrelated pair that bound
 * drops under 0.9 within the first quarter of the row. Exact: a pair is only dropped when even the bound
 * (less BOUND_SLACK for rounding) is below the limit, and a completed product is bit-identical to dotRows
 * (same four accumulators, same order).
 */
function dotBounded(emb: Float32Array, i: number, j: number, dim: number, tails: Float64Array, checkpoints: number, limit: number): number {
  const oa = i * dim;
  const ob = j * dim;
  const ta = i * checkpoints;
  const tb = j * checkpoints;
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  let k = 0;
  for (let c = 0; c < checkpoints; c++) {
    const end = (c + 1) * SEGMENT;
    for (; k < end; k += 4) {
      d0 += emb[oa + k] * emb[ob + k];
      d1 += emb[oa + k + 1] * emb[ob + k + 1];
      d2 += emb[oa + k + 2] * emb[ob + k + 2];
      d3 += emb[oa + k + 3] * emb[ob + k + 3];
    }
    if (d0 + d1 + d2 + d3 + tails[ta + c] * tails[tb + c] < limit - BOUND_SLACK) {
      boundedRead = end;
      return Number.NEGATIVE_INFINITY;
    }
  }
  const wide = dim - (dim % 4);
  for (; k < wide; k += 4) {
    d0 += emb[oa + k] * emb[ob + k];
    d1 += emb[oa + k + 1] * emb[ob + k + 1];
    d2 += emb[oa + k + 2] * emb[ob + k + 2];
    d3 += emb[oa + k + 3] * emb[ob + k + 3];
  }
  for (; k < dim; k++) d0 += emb[oa + k] * emb[ob + k];
  boundedRead = dim;
  return d0 + d1 + d2 + d3;
}

function collectGroups(n: number, find: (i: number) => number): { groups: Int32Array[]; groupOf: Int32Array } {
  const rootCount = new Int32Array(n);
  for (let i = 0; i < n; i++) rootCount[find(i)]++;
  // Ascending i meets each component first at its smallest member: groups come out ordered by first member.
  const groupOf = new Int32Array(n).fill(-1);
  const rootGroup = new Int32Array(n).fill(-1);
  const groups: Int32Array[] = [];
  const fill: number[] = [];
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (rootCount[root] < 2) continue;
    let g = rootGroup[root];
    if (g === -1) {
      g = rootGroup[root] = groups.length;
      groups.push(new Int32Array(rootCount[root]));
      fill.push(0);
    }
    groups[g][fill[g]++] = i;
    groupOf[i] = g;
  }
  return { groups, groupOf };
}

function checkInput(emb: Float32Array, n: number, dim: number): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim <= 0 || emb.length < n * dim) {
    throw new Error(`groupNearDuplicates: ${emb.length} values are not ${n} rows of ${dim}`);
  }
}
