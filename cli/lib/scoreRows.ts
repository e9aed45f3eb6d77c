/**
 * Rows of a scores table from per-image relevances and scores: the one ranking step shared by scoring a
 * folder, scoring stored embeddings and merging shard CSVs, so all three give the same ranks for the same rows.
 */
import { compareCodeUnits } from './walk';
import { rankTags, type RankOptionsCli, type TagRanks } from './tagRanks';
import type { ScoreRow, ScoreTable } from './scoreCsv';

export interface ScoreItem {
  path: string;
  contentHash: string | null;
  aesthetic: number | null;
  /** Per tag; null for a file without an embedding (it takes no part in the ranking). NaN stays NaN. */
  relevance: number[] | null;
  /** Per tag, the tag head's score; null without a tag head (or without an embedding). */
  tagScore: (number | null)[] | null;
  error: string | null;
}

export function rankScoreItems(
  tags: readonly string[],
  items: readonly ScoreItem[],
  options: RankOptionsCli,
  /** As the app: with a tag head, its scores rank each tag instead of the aesthetic score. */
  byTagHead: boolean,
): { table: ScoreTable; ranks: TagRanks[]; ranked: number } {
  // Path order everywhere: the calibration then sees the images in the same order whichever way they came.
  const sorted = [...items].sort((a, b) => compareCodeUnits(a.path, b.path));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].path === sorted[i - 1].path) throw new Error(`${sorted[i].path} appears twice`);
  }
  const taking = sorted.filter((it) => it.relevance !== null);
  const relevances = tags.map((_, t) => Float32Array.from(taking, (it) => (it.relevance as number[])[t]));
  const ranks = rankTags(
    taking.map((it) => it.path),
    tags.map((_, t) => taking.map((it) => (byTagHead ? (it.tagScore?.[t] ?? null) : it.aesthetic))),
    relevances,
    options,
  );
  const rows = sorted.map(
    (it): ScoreRow => ({
      path: it.path,
      contentHash: it.contentHash,
      aesthetic: it.aesthetic,
      relevance: tags.map((_, t) => (it.relevance === null ? null : it.relevance[t])),
      rank: ranks.map((r) => r.rankOf.get(it.path) ?? null),
      tagScore: tags.map((_, t) => it.tagScore?.[t] ?? null),
      error: it.error,
    }),
  );
  return { table: { tags: [...tags], rows }, ranks, ranked: taking.length };
}
