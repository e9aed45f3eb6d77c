import { tasteRanks, type TagTaste } from './tasteStore';

/** What decides which scores rank a tag; the view gets these as data from the stores it subscribes to. */
export interface RankingScoreSources {
  tastes: Record<string, TagTaste>;
  /** The taste heads' scores: tag → image id → score. */
  tasteScores: Record<string, Record<string, number>>;
  hasTagHead: boolean;
  /** The model's tag head scores: tag → image id → score. */
  tagScores: Record<string, Record<string, number>>;
}

/** The scores that rank a tag: the taste head's when it is on, else the model's tag head's, else null (aesthetic). */
export function rankingScores(tag: string, s: RankingScoreSources): Record<string, number> | null {
  if (tasteRanks(s.tastes[tag])) return s.tasteScores[tag] ?? {};
  if (s.hasTagHead) return s.tagScores[tag] ?? {};
  return null;
}
