/**
 * Burst / near-duplicate grouping benchmark (src/scoring/groups.ts): time, dot products and memory at
 * n = 1,000 / 5,000 / 20,000 on synthetic 512-d embeddings — bursts of 3–8 near-duplicates mixed with
 * singles, half of the images with a capture time — at minCosine 0.95, window 2 s and off; the growth
 * exponent log(t₂/t₁)/log(n₂/n₁) between sizes; and brute force at n = 1,000 (time and agreement).
 * Writes bench/groups-results.json and prints a table.
 *
 *     node --expose-gc --import tsx bench/groups.ts
 *
 * (--expose-gc lets it collect garbage before each measurement; `npx tsx bench/groups.ts` works too, with
 * noisier memory numbers.)
 *
 * Two embedding sets: "isotropic" (random directions: unrelated images at cos ≈ 0) and "clip-like" (every
 * embedding shares a mean direction, so unrelated images sit at cos ≈ 0.5 as real CLIP image embeddings
 * do). The second is the harder case for SimHash — short keys collide much more — and closer to a real
 * photo library.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { groupNearDuplicates, type Grouping, type GroupingInput } from '../src/scoring/groups';
import { mulberry32 } from '../src/scoring/mulberry32';

const DIM = 512;
const SIZES = [1000, 5000, 20_000];
const MIN_COSINE = 0.95;
const WINDOWS: (number | null)[] = [2000, null];
const KINDS = ['isotropic', 'clip-like'] as const;
type Kind = (typeof KINDS)[number];
/** Cos of an unrelated pair in the clip-like set is ≈ MEAN_WEIGHT². */
const MEAN_WEIGHT = 0.7;
const BRUTE_N = 1000;

const gc = (globalThis as { gc?: () => void }).gc;

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** A random unit vector; clip-like ones lean towards the shared `mean`. */
function direction(rand: () => number, kind: Kind, mean: Float64Array): Float64Array {
  const v = new Float64Array(DIM);
  const w = kind === 'clip-like' ? MEAN_WEIGHT : 0;
  const spread = Math.sqrt((1 - w * w) / DIM);
  for (let d = 0; d < DIM; d++) v[d] = w * mean[d] + spread * gaussian(rand);
  return normalize(v);
}

function normalize(v: Float64Array): Float64Array {
  let sq = 0;
  for (const x of v) sq += x * x;
  const inv = 1 / Math.sqrt(sq);
  return v.map((x) => x * inv);
}

interface Dataset {
  input: Omit<GroupingInput, 'windowMs'>;
  bursts: number;
}

/**
 * Shooting sessions: events 5 s – 10 min apart; an event is a burst (30 %: 3–8 frames 0.1–0.6 s apart, each
 * at cos 0.97–0.995 to the burst's centre) or a single. Half of the images lose their time (no EXIF).
 */
function dataset(n: number, kind: Kind, seed: number): Dataset {
  const rand = mulberry32(seed);
  const mean = normalize(Float64Array.from({ length: DIM }, () => gaussian(rand)));
  const embeddings = new Float32Array(n * DIM);
  const capturedAt: (number | null)[] = [];
  let i = 0;
  let t = Date.UTC(2025, 5, 1);
  let bursts = 0;
  const put = (v: Float64Array): void => {
    for (let d = 0; d < DIM; d++) embeddings[i * DIM + d] = v[d];
    capturedAt.push(rand() < 0.5 ? Math.round(t) : null);
    i++;
  };
  while (i < n) {
    t += 5000 + rand() * 595_000;
    if (rand() < 0.3) {
      bursts++;
      const centre = direction(rand, kind, mean);
      const size = Math.min(n - i, 3 + Math.floor(rand() * 6));
      for (let m = 0; m < size; m++) {
        const rho = 0.97 + rand() * 0.025;
        const noise = direction(rand, 'isotropic', mean);
        put(normalize(centre.map((x, d) => rho * x + Math.sqrt(1 - rho * rho) * noise[d])));
        t += 100 + rand() * 500;
      }
    } else put(direction(rand, kind, mean));
  }
  return { input: { embeddings, count: n, dim: DIM, capturedAt, minCosine: MIN_COSINE }, bursts };
}

interface Row {
  kind: Kind;
  n: number;
  window: string;
  ms: number;
  msPerImage: number;
  comparisons: number;
  comparisonsPerImage: number;
  groups: number;
  grouped: number;
  method: string;
  bits: number;
  tables: number;
  timeSweep: boolean;
  cappedBuckets: number;
  /**
   * heapUsed after − before the call. Noisy: V8 may scavenge garbage during the call, so it is neither
   * a peak nor a total.
   */
  heapDelta: number;
  /**
   * arrayBuffers after − before: the typed arrays the call allocated. They are only freed by a GC, and the
   * large ones live until it returns, so this is (close to) the call's peak typed-array memory — where all
   * of its O(n) and O(n·L) structures live.
   */
  arrayBuffersDelta: number;
  /** What the result still holds after a GC. */
  retainedBytes: number;
}

function measure(input: GroupingInput, runs: number): { result: Grouping; ms: number; heapDelta: number; arrayBuffersDelta: number; retainedBytes: number } {
  const times: number[] = [];
  let result: Grouping | null = null;
  let heapDelta = 0;
  let arrayBuffersDelta = 0;
  let retainedBytes = 0;
  for (let r = 0; r < runs; r++) {
    result = null;
    gc?.();
    const before = process.memoryUsage();
    const t0 = performance.now();
    result = groupNearDuplicates(input);
    times.push(performance.now() - t0);
    const after = process.memoryUsage();
    heapDelta = Math.max(heapDelta, after.heapUsed - before.heapUsed);
    arrayBuffersDelta = Math.max(arrayBuffersDelta, after.arrayBuffers - before.arrayBuffers);
    gc?.();
    const kept = process.memoryUsage();
    retainedBytes = kept.heapUsed + kept.arrayBuffers - before.heapUsed - before.arrayBuffers;
  }
  times.sort((a, b) => a - b);
  return { result: result as Grouping, ms: times[Math.floor(times.length / 2)], heapDelta, arrayBuffersDelta, retainedBytes };
}

/** The O(n²) reference: every pair, sequential float64 dot products, union-find. */
function bruteForce(input: GroupingInput): { groupOf: Int32Array; pairs: number; linked: number } {
  const { embeddings: e, count: n, capturedAt, windowMs, minCosine } = input;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  let linked = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const ti = capturedAt[i];
      const tj = capturedAt[j];
      if (windowMs !== null && ti !== null && tj !== null && Math.abs(ti - tj) > windowMs) continue;
      let d = 0;
      for (let k = 0; k < DIM; k++) d += e[i * DIM + k] * e[j * DIM + k];
      if (d >= minCosine) {
        linked++;
        parent[find(i)] = find(j);
      }
    }
  }
  // Canonical labels: group index by first member, −1 for singletons (as Grouping.groupOf).
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) size[find(i)]++;
  const label = new Int32Array(n).fill(-1);
  const groupOf = new Int32Array(n).fill(-1);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    const r = find(i);
    if (size[r] < 2) continue;
    if (label[r] === -1) label[r] = groups++;
    groupOf[i] = label[r];
  }
  return { groupOf, pairs: (n * (n - 1)) / 2, linked };
}

/**
 * Images whose group, as a set, differs between two labellings: compared by each image's representative
 * (the first member of its group, itself when alone), since one split group renumbers all later groups.
 */
function differing(a: Int32Array, b: Int32Array): number {
  const rep = (labels: Int32Array): Int32Array => {
    const first = new Map<number, number>();
    return labels.map((g, i) => {
      if (g < 0) return i;
      if (!first.has(g)) first.set(g, i);
      return first.get(g) as number;
    });
  };
  const ra = rep(a);
  const rb = rep(b);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (ra[i] !== rb[i]) count++;
  return count;
}

const windowName = (w: number | null): string => (w === null ? 'off' : `${w / 1000} s`);
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

const rows: Row[] = [];
console.log(`groupNearDuplicates, dim ${DIM}, minCosine ${MIN_COSINE}; ${gc ? 'GC exposed' : 'no --expose-gc: memory numbers are rough'}`);
console.log('kind       n       window  ms       ms/img  dot products  /img   groups  method (b×L, sweep)  capped  Δheap MB  ΔarrayBuf MB  retained MB');
for (const kind of KINDS) {
  for (const n of SIZES) {
    const data = dataset(n, kind, 1000 + n);
    for (const windowMs of WINDOWS) {
      const input: GroupingInput = { ...data.input, windowMs };
      groupNearDuplicates(input); // warm-up: JIT, not part of the numbers
      const m = measure(input, n >= 20_000 ? 3 : 5);
      const { result: g } = m;
      const row: Row = {
        kind,
        n,
        window: windowName(windowMs),
        ms: m.ms,
        msPerImage: m.ms / n,
        comparisons: g.comparisons,
        comparisonsPerImage: g.comparisons / n,
        groups: g.groups.length,
        grouped: g.groups.reduce((s, x) => s + x.length, 0),
        method: g.plan.method,
        bits: g.plan.bits,
        tables: g.plan.tables,
        timeSweep: g.plan.timeSweep,
        cappedBuckets: g.plan.cappedBuckets,
        heapDelta: m.heapDelta,
        arrayBuffersDelta: m.arrayBuffersDelta,
        retainedBytes: m.retainedBytes,
      };
      rows.push(row);
      const how = `${row.method} ${row.bits}×${row.tables}${row.timeSweep ? ' +sweep' : ''}`;
      console.log(
        `${kind.padEnd(10)} ${String(n).padStart(6)}  ${row.window.padEnd(6)}  ${row.ms.toFixed(0).padStart(6)}  ${row.msPerImage.toFixed(3).padStart(6)}  ${String(row.comparisons).padStart(12)}  ${row.comparisonsPerImage.toFixed(0).padStart(5)}  ${String(row.groups).padStart(6)}  ${how.padEnd(19)}  ${String(row.cappedBuckets).padStart(6)}  ${mb(row.heapDelta).padStart(8)}  ${mb(row.arrayBuffersDelta).padStart(12)}  ${mb(row.retainedBytes).padStart(11)}`,
      );
    }
  }
}

interface Growth {
  kind: Kind;
  window: string;
  from: number;
  to: number;
  timeExponent: number;
  comparisonsExponent: number;
  memoryExponent: number;
}
const growth: Growth[] = [];
console.log('\ngrowth exponents log(x₂/x₁)/log(n₂/n₁) (1 = linear, 2 = quadratic)');
console.log('kind       window  sizes          time   dot products  memory (ΔarrayBuffers)');
for (const kind of KINDS) {
  for (const windowMs of WINDOWS) {
    const series = rows.filter((r) => r.kind === kind && r.window === windowName(windowMs));
    for (let k = 1; k < series.length; k++) {
      const a = series[k - 1];
      const b = series[k];
      const e = (x: number, y: number): number => Math.log(y / x) / Math.log(b.n / a.n);
      const g: Growth = {
        kind,
        window: a.window,
        from: a.n,
        to: b.n,
        timeExponent: e(a.ms, b.ms),
        comparisonsExponent: e(a.comparisons, b.comparisons),
        memoryExponent: e(a.arrayBuffersDelta, b.arrayBuffersDelta),
      };
      growth.push(g);
      console.log(
        `${kind.padEnd(10)} ${g.window.padEnd(6)}  ${`${a.n}→${b.n}`.padEnd(13)}  ${g.timeExponent.toFixed(2).padStart(5)}  ${g.comparisonsExponent.toFixed(2).padStart(12)}  ${g.memoryExponent.toFixed(2).padStart(8)}`,
      );
    }
  }
}

interface BruteRow {
  kind: Kind;
  n: number;
  window: string;
  bruteMs: number;
  brutePairs: number;
  linkedPairs: number;
  groupingMs: number;
  speedup: number;
  identical: boolean;
  /** Images whose group (as a set) differs from brute force's. */
  imagesDiffering: number;
}
const brute: BruteRow[] = [];
console.log(`\nbrute force at n = ${BRUTE_N} (every pair, sequential dot products)`);
for (const kind of KINDS) {
  const data = dataset(BRUTE_N, kind, 1000 + BRUTE_N);
  for (const windowMs of WINDOWS) {
    const input: GroupingInput = { ...data.input, windowMs };
    const t0 = performance.now();
    const ref = bruteForce(input);
    const bruteMs = performance.now() - t0;
    const ours = rows.find((r) => r.kind === kind && r.n === BRUTE_N && r.window === windowName(windowMs));
    const g = groupNearDuplicates(input);
    const imagesDiffering = differing(ref.groupOf, g.groupOf);
    const row: BruteRow = {
      kind,
      n: BRUTE_N,
      window: windowName(windowMs),
      bruteMs,
      brutePairs: ref.pairs,
      linkedPairs: ref.linked,
      groupingMs: ours?.ms ?? Number.NaN,
      speedup: bruteMs / (ours?.ms ?? Number.NaN),
      identical: imagesDiffering === 0,
      imagesDiffering,
    };
    brute.push(row);
    console.log(
      `${kind.padEnd(10)} window ${row.window.padEnd(4)}: brute ${bruteMs.toFixed(0)} ms (${row.brutePairs} pairs, ${row.linkedPairs} linked) vs ${row.groupingMs.toFixed(1)} ms (${row.speedup.toFixed(0)}×); components ${row.identical ? 'identical' : `differ for ${imagesDiffering} images`}`,
    );
  }
}

const out = join(import.meta.dirname, 'groups-results.json');
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadavg: loadavg(), gcExposed: gc !== undefined, dim: DIM, minCosine: MIN_COSINE, rows, growth, brute }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);
