/**
 * Cull to a target (issue 16, item 2): which N photos to keep, weighing score, coverage and variety.
 *
 * The rule, in two rounds of maximal marginal relevance (Carbonell & Goldstein, 1998):
 *   value(i) = (1 − variety) · quality(i) − variety · max over kept k of cos(i, k)
 * where quality is the score scaled to 0..1 over the candidates (best 1, worst 0) and cos is the cosine of the
 * CLIP image embeddings. Each step keeps the candidate of highest value (ties: the better score, then the
 * earlier index).
 *   1. Coverage: only the best photo of each burst or near-duplicate group (the app's ★, else the best-scored;
 *      a photo of no group is its own) may be kept, so every moment gets its best frame before any a second.
 *   2. Once every group has its best and more are wanted, the other frames join, by the same value.
 * With variety 0 this is "the best of each group by score, then the rest by score"; raising it trades score
 * for photos unlike those already kept (another scene, not the tenth frame of the same one).
 * Photos with no score (NaN) are never kept.
 */
export interface TargetRequest {
  /** count × dim, each row L2-normalised. */
  embeddings: Float32Array;
  count: number;
  dim: number;
  /** Higher is better; NaN for a photo that is not a candidate. */
  scores: Float32Array;
  /** Group index of each photo, −1 for none. */
  groupOf: Int32Array;
  /**
   * The photo index of each group's best, as the app marks it (★: faces weigh in, so a group shot with a blink
   * is not it); a group not listed here, or −1, takes its best-scored photo.
   */
  groupBest?: Int32Array;
  keep: number;
  /** 0..1: how much a photo's unlikeness to those kept counts against its score. */
  variety: number;
}

export interface TargetSelection {
  /** Indices kept, in the order chosen. */
  kept: Int32Array;
  /** Per kept photo: 1 when it was its group's best (round 1), 2 when it came after every group had one. */
  round: Uint8Array;
}

export function selectTarget({ embeddings, count, dim, scores, groupOf, groupBest, keep, variety }: TargetRequest): TargetSelection {
  const candidates: number[] = [];
  for (let i = 0; i < count; i++) if (Number.isFinite(scores[i])) candidates.push(i);
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of candidates) {
    lo = Math.min(lo, scores[i]);
    hi = Math.max(hi, scores[i]);
  }
  const quality = (i: number) => (hi > lo ? (scores[i] - lo) / (hi - lo) : 1);
  const v = Math.min(1, Math.max(0, variety));

  // Round 1's candidates: the best of each group, every photo of no group.
  const bestOfGroup = new Map<number, number>();
  for (const i of candidates) {
    const g = groupOf[i];
    if (g < 0) continue;
    const b = bestOfGroup.get(g);
    if (b === undefined || scores[i] > scores[b] || (scores[i] === scores[b] && i < b)) bestOfGroup.set(g, i);
  }
  groupBest?.forEach((i, g) => {
    if (i >= 0 && i < count && groupOf[i] === g && Number.isFinite(scores[i])) bestOfGroup.set(g, i);
  });
  const first = candidates.filter((i) => groupOf[i] < 0 || bestOfGroup.get(groupOf[i]) === i);
  const second = candidates.filter((i) => groupOf[i] >= 0 && bestOfGroup.get(groupOf[i]) !== i);

  const target = Math.max(0, Math.min(keep, candidates.length));
  const kept = new Int32Array(target);
  const round = new Uint8Array(target);
  // The highest cosine of each photo to any kept one, updated as each is kept: O(count · dim) per step.
  const nearest = new Float32Array(count).fill(-1);
  let n = 0;
  const take = (pool: number[], r: 1 | 2) => {
    const open = new Set(pool);
    while (n < target && open.size > 0) {
      let best = -1;
      let bestValue = -Infinity;
      for (const i of open) {
        // Before anything is kept there is nothing to be unlike.
        const value = (1 - v) * quality(i) - (n === 0 ? 0 : v * nearest[i]);
        if (value > bestValue || (value === bestValue && (scores[i] > scores[best] || (scores[i] === scores[best] && i < best)))) {
          best = i;
          bestValue = value;
        }
      }
      open.delete(best);
      kept[n] = best;
      round[n] = r;
      n++;
      const row = embeddings.subarray(best * dim, (best + 1) * dim);
      for (const i of candidates) {
        let dot = 0;
        const off = i * dim;
        for (let d = 0; d < dim; d++) dot += embeddings[off + d] * row[d];
        if (dot > nearest[i]) nearest[i] = dot;
      }
    }
  };
  take(first, 1);
  take(second, 2);
  return { kept, round };
}

/** "the best 10 %" of a folder of `of` photos: rounded, at least 1 of a non-empty folder. */
export function targetCount(of: number, amount: number, unit: 'photos' | 'percent'): number {
  if (of <= 0 || !(amount > 0)) return 0;
  const n = unit === 'percent' ? Math.round((of * Math.min(100, amount)) / 100) : Math.round(amount);
  return Math.max(1, Math.min(of, n));
}
