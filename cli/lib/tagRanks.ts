/**
 * Per-tag ranks over a table of images, by the app's own rule (src/scoring/rankTagByRelevance.ts, which the
 * grid uses too). Ids must be unique.
 */
import { rankTagByRelevance } from '../../src/scoring/rankTagByRelevance';

export interface RankOptionsCli {
  /** Overrides the calibrated threshold for every tag. */
  threshold?: number;
  tieMargin: number;
}

export interface TagRanks {
  threshold: number;
  /** How the threshold came about: a calibration method, or 'given'. */
  method: string;
  /** 1-based rank per id; ids below the threshold have none. */
  rankOf: Map<string, number>;
}

/**
 * `relevances[t][i]` is image i's relevance to tag t; `scores[t][i]` the score it is ranked by for tag t (the
 * aesthetic score, or the tag head's score for that tag when the model has one; null when unknown).
 * The order of the images matters only for exact ties inside the calibration, so callers pass them sorted
 * by path: the same order for a whole folder and for merged shards.
 */
export function rankTags(
  ids: readonly string[],
  scores: readonly (readonly (number | null)[])[],
  relevances: readonly Float32Array[],
  options: RankOptionsCli,
): TagRanks[] {
  return relevances.map((relevance, t) => {
    const r = rankTagByRelevance({
      ids,
      scores: scores[t],
      relevance,
      otherRelevances: relevances.filter((_, o) => o !== t),
      thresholdOverride: options.threshold ?? null,
      tieMargin: options.tieMargin,
    });
    return { threshold: r.threshold, method: r.method, rankOf: new Map(r.ranked.map((x) => [x.id, x.rank])) };
  });
}
