/**
 * One tag's ranking over the session's analysed images: relevances from the embeddings, then
 * rankTagByRelevance. The grid and the exports both use this, so an export's ranks are the ones on screen.
 */
import type { RankedItem } from '../scoring/rankByTag';
import { rankTagByRelevance } from '../scoring/rankTagByRelevance';
import { relevanceScores } from '../scoring/similarity';
import type { Tile } from './libraryStore';
import type { TagState } from './rankingStore';

export interface TagRanking {
  /** Tiles that have an embedding, in the order of `relevances`. */
  candidates: Tile[];
  relevances: Float32Array;
  calibrated: number | null;
  threshold: number;
  ranked: RankedItem[];
  excluded: string[];
}

export function rankTag(
  tiles: readonly Tile[],
  tag: TagState & { embedding: Float32Array },
  otherTags: readonly TagState[],
  embeddingOf: (id: string) => Float32Array | undefined,
  thresholdOverride: number | null,
  tieMargin: number,
  /** Tag head scores by image id; when given, they rank instead of the aesthetic score. */
  tagScores: Record<string, number> | null = null,
): TagRanking {
  const candidates = tiles.filter((t) => embeddingOf(t.id) !== undefined);
  const dim = tag.embedding.length;
  const matrix = new Float32Array(candidates.length * dim);
  candidates.forEach((t, i) => matrix.set(embeddingOf(t.id)!, i * dim));
  const relevances = relevanceScores(matrix, candidates.length, tag.embedding);
  // The other tags in use tell which images fit this one better than those (rare tags need that).
  const otherRelevances = otherTags
    .filter((t) => t.text !== tag.text && t.status === 'ready' && t.embedding)
    .map((t) => relevanceScores(matrix, candidates.length, t.embedding!));
  const { calibrated, threshold, ranked, excluded } = rankTagByRelevance({
    ids: candidates.map((t) => t.id),
    scores: candidates.map((t) => (tagScores ? (tagScores[t.id] ?? null) : t.score)),
    relevance: relevances,
    otherRelevances,
    thresholdOverride,
    tieMargin,
  });
  return { candidates, relevances, calibrated, threshold, ranked, excluded };
}
