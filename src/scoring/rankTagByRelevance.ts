/**
 * One tag's ranking once relevances are known: calibrate the threshold on the folder (against the other
 * tags in use when there are any) unless one is given, then rankByTag. The app's grid and exports
 * (src/state/tagRanking.ts) and the CLI (cli/lib/tagRanks.ts) both end here, so they cannot disagree.
 */
import { rankByTag, type RankResult } from './rankByTag';
import { calibrateAgainstOtherTags, calibrateThreshold } from './tagThreshold';

export interface TagRankInput {
  ids: readonly string[];
  /** The score each image is ranked by (aesthetic, or the tag head's); null when unknown. */
  scores: readonly (number | null)[];
  relevance: Float32Array;
  /** Relevances of the same images to the other tags in use. */
  otherRelevances: readonly Float32Array[];
  thresholdOverride: number | null;
  tieMargin: number;
}

export interface TagRankOutput {
  threshold: number;
  /** The folder-calibrated threshold (null when nothing could be calibrated). */
  calibrated: number | null;
  /** How the threshold came about: a calibration method, or 'given'. */
  method: string;
  ranked: RankResult['ranked'];
  excluded: RankResult['excluded'];
}

export function rankTagByRelevance(input: TagRankInput): TagRankOutput {
  const { ids, scores, relevance, otherRelevances } = input;
  const calibration =
    ids.length === 0
      ? null
      : otherRelevances.length > 0
        ? calibrateAgainstOtherTags(relevance, otherRelevances)
        : calibrateThreshold(relevance);
  const calibrated = calibration && Number.isFinite(calibration.threshold) ? calibration.threshold : null;
  // Nothing to calibrate on (an empty folder): 0 keeps the slider finite.
  const threshold = input.thresholdOverride ?? calibrated ?? 0;
  const method = input.thresholdOverride !== null ? 'given' : (calibration?.method ?? 'empty');
  const { ranked, excluded } = rankByTag(
    ids.map((id, i) => ({ id, score: scores[i], relevance: relevance[i] })),
    { threshold, tieMargin: input.tieMargin },
  );
  return { threshold, calibrated, method, ranked, excluded };
}
