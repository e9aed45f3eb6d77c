/**
 * Which images "have" a tag: a relevance threshold calibrated on the current folder (issue 4), the default
 * position of the UI's slider. CLIP cosines have no fixed scale — matching pairs sit anywhere from ≈ 0.2 to
 * 0.35 depending on the tag and the wording — so any constant cut would be wrong for most tags.
 *
 * The rule, in order:
 * 1. Otsu on the tag's own relevances (`calibrateThreshold`). The exact form is used — every split between
 *    two distinct sorted values is tried, no binning — and the split maximising the between-class variance
 *    σ_B² wins; the threshold is the midpoint of the gap it opens. Otsu always finds *some* split, so it is only
 *    trusted when it separates two populations clearly: its separability η = σ_B²/σ_T² must reach
 *    `otsuSeparabilityRequired(n)` = max(3/4, 2/π + 0.87/√n). Both terms are reference values, not tuning:
 *    3/4 is η of a flat distribution (a cut with no valley under it), 2/π is η of a normal distribution, and
 *    0.87/√n fits the 99th percentile of η over normal samples of size n (simulated, n = 6…1000), so a
 *    single-population folder is split by chance in under 1 % of cases. With fewer than 6 images the
 *    requirement exceeds 1 and no split is ever made.
 * 2. Without a clear split the folder is kept whole (threshold = its lowest relevance): hiding images needs
 *    evidence of two populations, and a folder where every image fits the tag is unimodal.
 * 3. When other tags are in use (`calibrateAgainstOtherTags`) and step 1 found no clear split, each image is
 *    labelled by the other tags — it has this tag when its relevance to it is within `margin` of its
 *    relevance to its best other tag — and the threshold is the cut on this tag's relevance that disagrees
 *    with the fewest labels (a decision stump; ties go to the lowest cut, i.e. keep more). The default
 *    margin is the folder's own spread of this tag's relevance (1.4826 × median absolute deviation, a robust
 *    standard deviation): differences smaller than the folder's noise do not decide anything.
 *    The cut is only taken when it disagrees with at least 2.58·√n fewer labels than keeping the whole
 *    folder. Moving the cut up one image at a time is a ±1 random walk in that gain; for labels unrelated to
 *    relevance (half positive, the worst case) the reflection principle puts its maximum above 2.58·√n in
 *    about 1 % of folders. Otherwise the stump would chase noise — a folder where every image fits both this
 *    and another tag gets labels that are coin flips — and the folder is kept whole. With 1–4 images the
 *    gain can never reach the bar, so tiny folders are always kept whole.
 *
 * Failure modes (why the slider exists):
 * - Rare tags: a handful of matching images in a large folder raise η very little, so Otsu alone keeps the
 *   whole folder; the other-tags labels are what find them, and only when another tag is in use.
 * - Two close populations (means < ~3.5 within-class σ apart) or a minority under ~20 % are not split by
 *   step 1.
 * - A folder where no image fits is unimodal too and is kept whole by steps 1–2.
 * - The labels in step 3 depend on which other tags the user picked: with one unrelated other tag, images
 *   that fit neither are labelled by whichever is less wrong; images that fit both within the margin count
 *   as having this tag. When most labels are negative but relevance does not explain which, the stump's
 *   gain grows with n even for unrelated labels and the cut goes near the top.
 * - A clear Otsu split wins over the other tags, even where they disagree.
 */

export interface Histogram {
  /** Counts per bin; bin i covers [edges[i], edges[i + 1]), the last bin also includes hi. */
  readonly counts: number[];
  /** bins + 1 bin edges, edges[0] = lo, edges[bins] = hi. */
  readonly edges: number[];
  readonly lo: number;
  readonly hi: number;
  readonly binWidth: number;
}

export type CalibrationMethod =
  | 'empty' // no finite relevance: nothing to cut, every value passes
  | 'too-few' // fewer images than any split could be trusted on: all in
  | 'unimodal' // Otsu's best split is not clear enough: all in
  | 'otsu' // clear two-population split
  | 'other-tags'; // no clear split; cut fitted to the labels given by the other tags in use

export interface ThresholdCalibration {
  /** An image has the tag when relevance ≥ threshold. */
  readonly threshold: number;
  readonly method: CalibrationMethod;
  /** Of the finite relevances, over their own range: the slider's background. */
  readonly histogram: Histogram;
  /** η of Otsu's best split; null when no split exists (fewer than two distinct values). */
  readonly separability: number | null;
  /** Number of finite relevances the calibration used. */
  readonly count: number;
}

export interface OtherTagsCalibration extends ThresholdCalibration {
  readonly margin: number;
  /** Images the threshold classifies as the other-tag labels do, as a fraction of `count`. */
  readonly agreement: number;
  /** Images labelled as having the tag by the other tags. */
  readonly labelled: number;
}

export interface CalibrationOptions {
  /** Histogram bins for the slider background; default 32. */
  bins?: number;
  /** Replaces otsuSeparabilityRequired(n), e.g. to test or to let an expert loosen it. */
  requiredSeparability?: number;
}

export interface OtherTagsOptions extends CalibrationOptions {
  /** Relevance margin within the best other tag; default: the robust spread of this tag's relevances. */
  margin?: number;
}

export interface OtsuSplit {
  readonly threshold: number;
  /** η = σ_B² / σ_T², in (0, 1]. */
  readonly separability: number;
  readonly below: number;
  readonly above: number;
}

const DEFAULT_BINS = 32;

/**
 * Equal-width histogram over [lo, hi] (default: the finite values' own range), with NumPy's conventions so
 * the fixtures can use numpy.histogram: non-finite and out-of-range values are skipped, the last bin is
 * closed, an empty set spans [0, 1] and a single value v spans [v − 0.5, v + 0.5]. Give lo and hi to draw
 * the slider's background on the slider's own axis.
 */
export function histogram(values: ArrayLike<number>, bins: number, lo?: number, hi?: number): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  if (lo === undefined || hi === undefined) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    lo ??= min > max ? 0 : min;
    hi ??= min > max ? 1 : max;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new Error(`histogram: bad range [${lo}, ${hi}]`);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const span = hi - lo;
  const step = span / bins;
  // Edges as numpy.linspace makes them, so a value on an edge falls in the same bin as in NumPy.
  const edge = (i: number): number => (i === bins ? hi : lo + i * step);
  const edges = Array.from({ length: bins + 1 }, (_, i) => edge(i));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.floor(((v - lo) / span) * bins);
    if (b === bins) b -= 1;
    if (v < edge(b)) b -= 1;
    else if (b !== bins - 1 && v >= edge(b + 1)) b += 1;
    counts[b]++;
  }
  return { counts, edges, lo, hi, binWidth: step };
}

/** η a split must reach before it is trusted for `n` values; see the module comment. */
export function otsuSeparabilityRequired(n: number): number {
  return Math.max(0.75, 2 / Math.PI + 0.87 / Math.sqrt(n));
}

/**
 * Exact Otsu split of the finite values: the cut between two distinct sorted values with the largest
 * between-class variance (the first such cut on exact equality), at the midpoint of that gap. Null when
 * there are fewer than two distinct finite values.
 */
export function otsuThreshold(values: ArrayLike<number>): OtsuSplit | null {
  const x = sortedFinite(values);
  const n = x.length;
  if (n < 2 || x[0] === x[n - 1]) return null;
  let total = 0;
  for (let i = 0; i < n; i++) total += x[i];
  const mean = total / n;
  let varT = 0;
  for (let i = 0; i < n; i++) varT += (x[i] - mean) * (x[i] - mean);
  varT /= n;
  let best = -1;
  let bestK = -1;
  let prefix = 0;
  for (let k = 1; k < n; k++) {
    prefix += x[k - 1];
    if (!(x[k - 1] < x[k])) continue;
    const w0 = k / n;
    const d = prefix / k - (total - prefix) / (n - k);
    const between = w0 * (1 - w0) * d * d;
    if (between > best) {
      best = between;
      bestK = k;
    }
  }
  return {
    threshold: (x[bestK - 1] + x[bestK]) / 2,
    separability: varT > 0 ? Math.min(1, best / varT) : 1,
    below: bestK,
    above: n - bestK,
  };
}

/** Threshold from the tag's own relevance distribution: steps 1–2 of the module comment. */
export function calibrateThreshold(relevances: Float32Array, options: CalibrationOptions = {}): ThresholdCalibration {
  const x = sortedFinite(relevances);
  const n = x.length;
  const hist = histogram(x, options.bins ?? DEFAULT_BINS);
  if (n === 0) return { threshold: -Infinity, method: 'empty', histogram: hist, separability: null, count: 0 };
  const split = otsuThreshold(x);
  const separability = split ? split.separability : null;
  const required = options.requiredSeparability ?? otsuSeparabilityRequired(n);
  const allIn = { threshold: x[0], histogram: hist, separability, count: n };
  if (options.requiredSeparability === undefined && required > 1) return { ...allIn, method: 'too-few' };
  if (!split || split.separability < required) return { ...allIn, method: 'unimodal' };
  return { threshold: split.threshold, method: 'otsu', histogram: hist, separability, count: n };
}

/**
 * Threshold using the other tags in use as a second signal: step 3 of the module comment.
 * `relevanceToOthers[j][i]` is image i's relevance to other tag j (each the length of `relevanceToTag`).
 * With no other tags this is `calibrateThreshold` with margin NaN and agreement/labelled of "all in".
 */
export function calibrateAgainstOtherTags(
  relevanceToTag: Float32Array,
  relevanceToOthers: readonly Float32Array[],
  options: OtherTagsOptions = {},
): OtherTagsCalibration {
  const n = relevanceToTag.length;
  for (const other of relevanceToOthers) {
    if (other.length !== n) throw new Error(`calibrateAgainstOtherTags: ${other.length} relevances for ${n} images`);
  }
  const base = calibrateThreshold(relevanceToTag, options);
  if (base.count === 0 || relevanceToOthers.length === 0) {
    return { ...base, margin: Number.NaN, agreement: 1, labelled: base.count };
  }
  const margin = options.margin ?? robustSpread(relevanceToTag);
  if (!(margin >= 0)) throw new Error(`calibrateAgainstOtherTags: margin must be ≥ 0, got ${margin}`);

  const rel: number[] = [];
  const label: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const r = relevanceToTag[i];
    if (!Number.isFinite(r)) continue;
    let bestOther = -Infinity;
    for (const other of relevanceToOthers) {
      const o = other[i];
      if (Number.isFinite(o) && o > bestOther) bestOther = o;
    }
    rel.push(r);
    label.push(r >= bestOther - margin);
  }
  const stump = fitStump(rel, label);
  const labelled = label.filter(Boolean).length;
  const keepAllErrors = rel.length - labelled;
  if (base.method === 'otsu' || keepAllErrors - stump.errors < requiredStumpGain(rel.length)) {
    const errors = countDisagreements(rel, label, base.threshold);
    return { ...base, margin, agreement: 1 - errors / rel.length, labelled };
  }
  return {
    ...base,
    threshold: stump.threshold,
    method: 'other-tags',
    margin,
    agreement: 1 - stump.errors / rel.length,
    labelled,
  };
}

/** Fewer disagreements than "keep all" a stump cut needs over `n` images; see the module comment. */
export function requiredStumpGain(n: number): number {
  return 2.58 * Math.sqrt(n);
}

/** The cut on `rel` that disagrees with the fewest `label`s; ties → the lowest cut. `rel` is non-empty. */
function fitStump(rel: readonly number[], label: readonly boolean[]): { threshold: number; errors: number } {
  const order = rel.map((_, i) => i).sort((a, b) => rel[a] - rel[b]);
  const n = order.length;
  const positives = label.filter(Boolean).length;
  // Cut k puts the k lowest below the threshold: errors = positives below + negatives at or above.
  let posBelow = 0;
  let negBelow = 0;
  let bestErrors = n - positives; // k = 0: everything in, so every negative is an error
  let bestK = 0;
  for (let k = 1; k <= n; k++) {
    if (label[order[k - 1]]) posBelow++;
    else negBelow++;
    if (k < n && !(rel[order[k - 1]] < rel[order[k]])) continue;
    const errors = posBelow + (n - positives - negBelow);
    if (errors < bestErrors) {
      bestErrors = errors;
      bestK = k;
    }
  }
  const lowest = rel[order[0]];
  const highest = rel[order[n - 1]];
  const threshold =
    bestK === 0 ? lowest : bestK === n ? nextUp(highest) : (rel[order[bestK - 1]] + rel[order[bestK]]) / 2;
  return { threshold, errors: bestErrors };
}

function countDisagreements(rel: readonly number[], label: readonly boolean[], threshold: number): number {
  let errors = 0;
  for (let i = 0; i < rel.length; i++) if (rel[i] >= threshold !== label[i]) errors++;
  return errors;
}

/** 1.4826 × median |x − median|: a standard deviation that a few outliers cannot inflate. */
function robustSpread(values: ArrayLike<number>): number {
  const x = sortedFinite(values);
  if (x.length === 0) return 0;
  const med = median(x);
  const dev = Float64Array.from(x, (v) => Math.abs(v - med)).sort();
  return 1.4826 * median(dev);
}

function median(sorted: Float64Array): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(values[i]);
  return Float64Array.from(out).sort();
}

/** The smallest double above x (finite x): "strictly above the highest relevance" without an ε. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] += x > 0 ? 1n : -1n;
  return f[0];
}
