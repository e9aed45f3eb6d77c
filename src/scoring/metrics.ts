/**
 * Table I metrics (REFERENCE.md §1) plus per-tag pairwise ranking accuracy: the same definitions and the
 * same numbers as training/metrics.py (test/metrics.test.ts runs both on the same predictions).
 *
 * - Error: |pred − true| per item; mean and population standard deviation (divide by n).
 * - LCC: Pearson correlation, two-pass (centre, then sum products). null when either side is constant.
 * - SRCC: Pearson correlation of 1-based ranks; tied values share the average of the ranks they span.
 * - Histograms (KL, EMD): 10 bins of width 1 centred on the integer scores 1..10, bin k = [k − 0.5, k + 0.5);
 *   below 1.5 → bin 1, 9.5 and above → bin 10, so unbounded head outputs are clamped into the end bins.
 *   Counts divided by n.
 * - KL = KL(P_true ‖ P_pred) = Σ p·ln(p/q), both histograms smoothed first: p ← (p + ε)/(1 + 10ε), ε = 1e-6.
 * - EMD: NIMA's r = 2 earth mover's distance on the unsmoothed histograms, √((1/10)·Σ_k (CDF_true − CDF_pred)²).
 * - Pairwise accuracy per tag: unordered pairs of items sharing a tag whose true scores differ; 1 when the
 *   predictions order them the same way, ½ when the predictions tie, 0 otherwise. Per tag, pooled (micro)
 *   and averaged over tags with at least one pair (macro).
 */

export const SCORE_BINS = 10;
export const KL_EPSILON = 1e-6;

export interface TagPairwise {
  items: number;
  pairs: number;
  /** null when the tag has no pair with different true scores. */
  accuracy: number | null;
}

export interface PairwiseAccuracy {
  micro: number | null;
  macro: number | null;
  pairs: number;
  /** Keyed by tag, in code-point order of the key. */
  perTag: Record<string, TagPairwise>;
}

export interface EvalMetrics {
  n: number;
  errorMean: number;
  errorSd: number;
  lcc: number | null;
  srcc: number | null;
  kl: number;
  emd: number;
  histTrue: number[];
  histPred: number[];
  pairwise?: PairwiseAccuracy;
}

type Numbers = ArrayLike<number>;

function checkFinite(x: Numbers, name: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new RangeError(`${name}[${i}] is not a finite number`);
  }
}

function mean(x: Numbers): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Mean and population sd of |pred − true|. */
export function absError(pred: Numbers, truth: Numbers): { mean: number; sd: number } {
  if (pred.length !== truth.length || pred.length === 0) throw new RangeError('absError needs two equally long, non-empty series');
  const e = new Float64Array(pred.length);
  for (let i = 0; i < e.length; i++) e[i] = Math.abs(pred[i] - truth[i]);
  const m = mean(e);
  let ss = 0;
  for (let i = 0; i < e.length; i++) ss += (e[i] - m) * (e[i] - m);
  return { mean: m, sd: Math.sqrt(ss / e.length) };
}

export function pearson(x: Numbers, y: Numbers): number | null {
  if (x.length !== y.length || x.length < 2) throw new RangeError('pearson needs two equally long series of at least 2 values');
  const mx = mean(x);
  const my = mean(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** 1-based ranks; a run of equal values gets the mean of the ranks it spans. */
export function averageRanks(x: Numbers): Float64Array {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const ranks = new Float64Array(x.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]] === x[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

export function spearman(x: Numbers, y: Numbers): number | null {
  return pearson(averageRanks(x), averageRanks(y));
}

/** Bin (0-based) of a score: the unit bin centred on the nearest of 1..10, end bins open. */
export function scoreBin(value: number): number {
  return Math.min(Math.max(Math.floor(value + 0.5), 1), SCORE_BINS) - 1;
}

export function scoreHistogram(values: Numbers): number[] {
  const counts = new Array<number>(SCORE_BINS).fill(0);
  for (let i = 0; i < values.length; i++) counts[scoreBin(values[i])]++;
  return counts.map((c) => c / values.length);
}

/** KL(P_true ‖ P_pred) after ε-smoothing both histograms. */
export function klDivergence(pTrue: readonly number[], qPred: readonly number[], eps = KL_EPSILON): number {
  let s = 0;
  for (let k = 0; k < pTrue.length; k++) {
    const p = (pTrue[k] + eps) / (1 + pTrue.length * eps);
    const q = (qPred[k] + eps) / (1 + qPred.length * eps);
    s += p * Math.log(p / q);
  }
  return s;
}

/** NIMA's EMD with r = 2 between two histograms over the same bins. */
export function emd(pTrue: readonly number[], qPred: readonly number[]): number {
  let cp = 0;
  let cq = 0;
  let s = 0;
  for (let k = 0; k < pTrue.length; k++) {
    cp += pTrue[k];
    cq += qPred[k];
    s += (cp - cq) * (cp - cq);
  }
  return Math.sqrt(s / pTrue.length);
}

export function pairwiseAccuracy(pred: Numbers, truth: Numbers, tags: readonly (string | number)[]): PairwiseAccuracy {
  if (pred.length !== truth.length || tags.length !== pred.length) throw new RangeError('pred, true and tags must be equally long');
  const groups = new Map<string, number[]>();
  tags.forEach((t, i) => {
    const key = String(t);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const keys = [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const perTag: Record<string, TagPairwise> = {};
  let totalPairs = 0;
  let totalCorrect = 0;
  const accs: number[] = [];
  for (const key of keys) {
    const idx = groups.get(key)!;
    let pairs = 0;
    let agree = 0;
    let ties = 0;
    for (let a = 0; a < idx.length; a++) {
      for (let b = a + 1; b < idx.length; b++) {
        const dt = truth[idx[a]] - truth[idx[b]];
        if (dt === 0) continue;
        const dp = pred[idx[a]] - pred[idx[b]];
        pairs++;
        if (dp * dt > 0) agree++;
        else if (dp === 0) ties++;
      }
    }
    const correct = agree + 0.5 * ties;
    const accuracy = pairs ? correct / pairs : null;
    perTag[key] = { items: idx.length, pairs, accuracy };
    if (accuracy !== null) accs.push(accuracy);
    totalPairs += pairs;
    totalCorrect += correct;
  }
  let accSum = 0;
  for (const a of accs) accSum += a;
  return {
    micro: totalPairs ? totalCorrect / totalPairs : null,
    macro: accs.length ? accSum / accs.length : null,
    pairs: totalPairs,
    perTag,
  };
}

/** Every metric at once; `tags` adds the per-tag pairwise accuracy. */
export function evaluate(pred: Numbers, truth: Numbers, tags?: readonly (string | number)[]): EvalMetrics {
  if (pred.length !== truth.length || pred.length === 0) throw new RangeError('pred and true must be non-empty and equally long');
  checkFinite(pred, 'pred');
  checkFinite(truth, 'true');
  const err = absError(pred, truth);
  const histTrue = scoreHistogram(truth);
  const histPred = scoreHistogram(pred);
  const out: EvalMetrics = {
    n: pred.length,
    errorMean: err.mean,
    errorSd: err.sd,
    lcc: pearson(pred, truth),
    srcc: spearman(pred, truth),
    kl: klDivergence(histTrue, histPred),
    emd: emd(histTrue, histPred),
    histTrue,
    histPred,
  };
  if (tags !== undefined) out.pairwise = pairwiseAccuracy(pred, truth, tags);
  return out;
}
