/**
 * THE per-tag ranking (REFERENCE §1, issue 4), shared by the UI, the CLI and the training code's evaluation:
 * among the images that have the tag, order by score; when scores are near-tied, the image more relevant to
 * the tag ranks first.
 *
 * "Near-tied" (|Δscore| < tieMargin) is not transitive — a ≈ b and b ≈ c while a ≉ c — so no comparator can
 * apply it pairwise, and a comparator that tries makes Array.prototype.sort's result undefined. The rule here:
 *
 * 1. Filter: an item takes part when its relevance is finite and ≥ threshold; the others are `excluded`
 *    (in input order).
 * 2. Base order of the scored items (finite score): score descending, then relevance descending, then id
 *    ascending (UTF-16 code-unit order, locale-independent).
 * 3. Tie clusters, anchored from the top: the first cluster is the best item plus every following item whose
 *    score is less than tieMargin below the best; the next cluster starts at the first item left out, and so
 *    on. Every cluster therefore spans less than tieMargin, so every pair inside one is a near-tie.
 * 4. Each cluster is ordered by relevance descending, then score descending, then id ascending; clusters
 *    keep their base order.
 * 5. Unscored items (score null or not finite) follow all scored ones, by relevance descending then id.
 *
 * Guarantees: the result is a total, deterministic order of the participating items (same input set → same
 * output, whatever the input order); an item ranks above one with a strictly higher score only when the two
 * differ by less than tieMargin; within a cluster the near-tie rule holds for every pair; tieMargin 0 gives
 * pure score order (exactly equal scores by relevance). The price of transitivity: two near-tied items on either side of a cluster
 * boundary keep score order. Anchoring at the top (rather than chaining neighbours within the margin) is
 * deliberate: in a large folder consecutive scores are all within any useful margin of each other, and a
 * chain would merge the whole list into one cluster ranked by relevance alone.
 *
 * `tieBroken` is true for an item whose relevance overrode score against at least one cluster-mate: it
 * ranks above one with a strictly higher score, or below one with a strictly lower score. Exactly equal
 * scores ordered by relevance do not count: score did not say otherwise.
 */

export interface RankInput {
  readonly id: string;
  /** Aesthetic (or tag-conditioned) score; null while not scored yet. */
  readonly score: number | null;
  /** Cosine of the image and tag embeddings. */
  readonly relevance: number;
}

/** The tie margin the app starts with and the CLI defaults to: the same ranking in both. */
export const DEFAULT_TIE_MARGIN = 0.1;

export interface RankOptions {
  /** Items with relevance ≥ threshold take part; -Infinity keeps every finite relevance. */
  readonly threshold: number;
  /** Scores closer than this are near-ties; 0 = pure score order, Infinity = relevance order. */
  readonly tieMargin: number;
}

export interface RankedItem {
  readonly id: string;
  /** 1-based position. */
  readonly rank: number;
  readonly score: number | null;
  readonly relevance: number;
  /** See the module comment: relevance overrode score against a cluster-mate. */
  readonly tieBroken: boolean;
  /** Index into RankResult.clusters; null for unscored items. */
  readonly cluster: number | null;
}

export interface TieCluster {
  /** Indices into RankResult.ranked, inclusive. */
  readonly first: number;
  readonly last: number;
  /** The anchor's score (the cluster's highest) and the lowest score in it. */
  readonly topScore: number;
  readonly bottomScore: number;
}

export interface RankResult {
  readonly ranked: RankedItem[];
  /** Ids whose relevance is below the threshold or not finite, in input order. */
  readonly excluded: string[];
  /** Every scored item's cluster, singletons included, in rank order. */
  readonly clusters: TieCluster[];
  readonly threshold: number;
  readonly tieMargin: number;
}

export interface NeighbourInfo {
  readonly id: string;
  readonly rank: number;
  readonly score: number | null;
  readonly relevance: number;
}

export type RankExplanation =
  | { readonly status: 'excluded'; readonly id: string; readonly threshold: number }
  | {
      readonly status: 'unscored';
      readonly id: string;
      readonly rank: number;
      readonly relevance: number;
      readonly above: NeighbourInfo | null;
      readonly below: NeighbourInfo | null;
    }
  | {
      readonly status: 'ranked';
      readonly id: string;
      readonly rank: number;
      readonly score: number;
      readonly relevance: number;
      readonly threshold: number;
      readonly tieMargin: number;
      readonly tieBroken: boolean;
      readonly cluster: {
        readonly size: number;
        readonly firstRank: number;
        readonly lastRank: number;
        readonly topScore: number;
        readonly bottomScore: number;
      };
      /** Cluster-mates with a higher score that this item ranks above (it is more relevant), nearest first. */
      readonly overtook: NeighbourInfo[];
      readonly overtookCount: number;
      /** Cluster-mates with a lower score that rank above this item (they are more relevant), nearest first. */
      readonly overtakenBy: NeighbourInfo[];
      readonly overtakenByCount: number;
      readonly above: NeighbourInfo | null;
      readonly below: NeighbourInfo | null;
    };

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A participating item whose score is known, so the sorts below need no null checks. */
interface Scored {
  readonly id: string;
  readonly score: number;
  readonly relevance: number;
}

const byScore = (a: Scored, b: Scored): number => b.score - a.score || b.relevance - a.relevance || byId(a.id, b.id);
const byRelevance = (a: Scored, b: Scored): number =>
  b.relevance - a.relevance || b.score - a.score || byId(a.id, b.id);

export function rankByTag(items: readonly RankInput[], options: RankOptions): RankResult {
  const { threshold, tieMargin } = options;
  if (Number.isNaN(threshold)) throw new Error('rankByTag: threshold is NaN');
  if (!(tieMargin >= 0)) throw new Error(`rankByTag: tieMargin must be ≥ 0, got ${tieMargin}`);

  const seen = new Set<string>();
  const excluded: string[] = [];
  const scored: Scored[] = [];
  const unscored: RankInput[] = [];
  for (const item of items) {
    if (seen.has(item.id)) throw new Error(`rankByTag: duplicate id ${JSON.stringify(item.id)}`);
    seen.add(item.id);
    const { id, score, relevance } = item;
    if (!Number.isFinite(relevance) || relevance < threshold) excluded.push(id);
    else if (score !== null && Number.isFinite(score)) scored.push({ id, score, relevance });
    else unscored.push(item);
  }
  scored.sort(byScore);

  const ranked: RankedItem[] = [];
  const clusters: TieCluster[] = [];
  for (let start = 0; start < scored.length; ) {
    const topScore = scored[start].score;
    let end = start + 1;
    while (end < scored.length && topScore - scored[end].score < tieMargin) end++;
    const members = scored.slice(start, end).sort(byRelevance);
    const broken = overriddenByRelevance(members);
    const cluster = clusters.length;
    clusters.push({ first: ranked.length, last: ranked.length + members.length - 1, topScore, bottomScore: scored[end - 1].score });
    members.forEach((m, k) => {
      ranked.push({ id: m.id, rank: ranked.length + 1, score: m.score, relevance: m.relevance, tieBroken: broken[k], cluster });
    });
    start = end;
  }
  unscored.sort((a, b) => b.relevance - a.relevance || byId(a.id, b.id));
  for (const m of unscored) {
    ranked.push({ id: m.id, rank: ranked.length + 1, score: null, relevance: m.relevance, tieBroken: false, cluster: null });
  }
  return { ranked, excluded, clusters, threshold, tieMargin };
}

/** For a cluster in final order: does each member sit above a higher score or below a lower one? */
function overriddenByRelevance(members: readonly Scored[]): boolean[] {
  const n = members.length;
  const out = new Array<boolean>(n).fill(false);
  let minAbove = Infinity;
  for (let k = 0; k < n; k++) {
    if (minAbove < members[k].score) out[k] = true;
    minAbove = Math.min(minAbove, members[k].score);
  }
  let maxBelow = -Infinity;
  for (let k = n - 1; k >= 0; k--) {
    if (maxBelow > members[k].score) out[k] = true;
    maxBelow = Math.max(maxBelow, members[k].score);
  }
  return out;
}

/**
 * What the "explain" panel shows for one id of a ranking: its score, relevance, cluster, and the cluster-mates
 * relevance put it above or below (at most `maxNeighbours` of each, nearest in rank first, with full counts).
 * Null for an id that was not in the ranking's input.
 */
export function explainRank(result: RankResult, id: string, maxNeighbours = 3): RankExplanation | null {
  const pos = result.ranked.findIndex((r) => r.id === id);
  if (pos < 0) {
    return result.excluded.includes(id) ? { status: 'excluded', id, threshold: result.threshold } : null;
  }
  const item = result.ranked[pos];
  const above = pos > 0 ? neighbour(result, pos - 1) : null;
  const below = pos + 1 < result.ranked.length ? neighbour(result, pos + 1) : null;
  if (item.cluster === null || item.score === null) {
    return { status: 'unscored', id, rank: item.rank, relevance: item.relevance, above, below };
  }
  const c = result.clusters[item.cluster];
  const score = item.score;
  const scoreAt = (k: number): number => result.ranked[k].score ?? Number.NaN;
  const overtook: NeighbourInfo[] = [];
  let overtookCount = 0;
  for (let k = pos + 1; k <= c.last; k++) {
    if (!(scoreAt(k) > score)) continue;
    overtookCount++;
    if (overtook.length < maxNeighbours) overtook.push(neighbour(result, k));
  }
  const overtakenBy: NeighbourInfo[] = [];
  let overtakenByCount = 0;
  for (let k = pos - 1; k >= c.first; k--) {
    if (!(scoreAt(k) < score)) continue;
    overtakenByCount++;
    if (overtakenBy.length < maxNeighbours) overtakenBy.push(neighbour(result, k));
  }
  return {
    status: 'ranked',
    id,
    rank: item.rank,
    score: item.score,
    relevance: item.relevance,
    threshold: result.threshold,
    tieMargin: result.tieMargin,
    tieBroken: item.tieBroken,
    cluster: {
      size: c.last - c.first + 1,
      firstRank: c.first + 1,
      lastRank: c.last + 1,
      topScore: c.topScore,
      bottomScore: c.bottomScore,
    },
    overtook,
    overtookCount,
    overtakenBy,
    overtakenByCount,
    above,
    below,
  };
}

function neighbour(result: RankResult, k: number): NeighbourInfo {
  const r = result.ranked[k];
  return { id: r.id, rank: r.rank, score: r.score, relevance: r.relevance };
}
