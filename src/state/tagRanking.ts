/**
 * One tag's ranking over the session's analysed images: relevance, the folder-calibrated threshold and
 * rankByTag. The grid and the exports both use this, so an export's ranks are the ones on screen.
 */
import { rankByTag, type RankedItem } from '../scoring/rankByTag';
import { relevanceScores } from '../scoring/similarity';
import { calibrateAgainstOtherTags, calibrateThreshold } from '../scoring/tagThreshold';
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
  const others = otherTags
    .filter((t) => t.text !== tag.text && t.status === 'ready' && t.embedding)
    .map((t) => relevanceScores(matrix, candidates.length, t.embedding!));
  const calibration =
    candidates.length === 0 ? null : others.length > 0 ? calibrateAgainstOtherTags(relevances, others) : calibrateThreshold(relevances);
  const calibrated = calibration && Number.isFinite(calibration.threshold) ? calibration.threshold : null;
  const threshold = thresholdOverride ?? calibrated ?? 0;
  const { ranked, excluded } = rankByTag(
    candidates.map((t, i) => ({ id: t.id, score: tagScores ? (tagScores[t.id] ?? null) : t.score, relevance: relevances[i] })),
    { threshold, tieMargin },
  );
  return { candidates, relevances, calibrated, threshold, ranked, excluded };
}
