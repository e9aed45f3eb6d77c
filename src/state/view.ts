/**
 * What the grid shows: tiles ranked for the active tag (or sorted by score), then filtered. Pure, so the
 * same rule is tested in Node and used by the UI; re-ranking never runs an encoder.
 */
import { rankTag } from './tagRanking';
import type { Tile, SortKey } from './libraryStore';
import { sortTiles } from './libraryStore';
import type { Filters, TagState } from './rankingStore';

export interface ViewItem {
  tile: Tile;
  /** 1-based rank in the active tag; null without a tag. */
  rank: number | null;
  /** The tag head's score for this image and the active tag, when a tag head ranks. */
  tagScore: number | null;
  relevance: number | null;
  tieBroken: boolean;
}

export interface View {
  items: ViewItem[];
  tag: string | null;
  /** Threshold in force, and the one calibrated on this folder (the slider's default). */
  threshold: number | null;
  calibrated: number | null;
  /** Scored images below the tag's threshold. */
  belowThreshold: number;
  /** Images not ranked for the tag because they have no embedding (not analysed, or failed). */
  unranked: number;
  hiddenByFilters: number;
  /** Relevance of every ranked candidate, for the slider's histogram. */
  relevances: Float32Array | null;
}

export interface ViewOptions {
  sort: SortKey;
  thresholdOverride: number | null;
  tieMargin: number;
  filters: Filters;
  /** Tag head scores for the active tag, or null to rank by the aesthetic score. */
  tagScores?: Record<string, number> | null;
}

export function passesFilters(t: Tile, f: Filters): boolean {
  if (f.decision !== 'all' && t.decision !== f.decision) return false;
  if (t.stars < f.minStars) return false;
  if (f.scoreMin !== null && (t.score === null || t.score < f.scoreMin)) return false;
  if (f.scoreMax !== null && (t.score === null || t.score >= f.scoreMax)) return false;
  return true;
}

export function computeView(
  tiles: Tile[],
  tag: TagState | null,
  embeddingOf: (id: string) => Float32Array | undefined,
  options: ViewOptions,
  otherTags: readonly TagState[] = [],
): View {
  const filter = (items: ViewItem[]) => {
    const kept = items.filter((i) => passesFilters(i.tile, options.filters));
    return { kept, hidden: items.length - kept.length };
  };

  if (!tag || tag.status !== 'ready' || !tag.embedding) {
    const items = sortTiles(tiles, options.sort).map((tile) => ({ tile, rank: null, tagScore: null, relevance: null, tieBroken: false }));
    const { kept, hidden } = filter(items);
    return { items: kept, tag: null, threshold: null, calibrated: null, belowThreshold: 0, unranked: 0, hiddenByFilters: hidden, relevances: null };
  }

  const tagScores = options.tagScores ?? null;
  const r = rankTag(tiles, { ...tag, embedding: tag.embedding }, otherTags, embeddingOf, options.thresholdOverride, options.tieMargin, tagScores);
  const byId = new Map(r.candidates.map((t) => [t.id, t]));
  const items = r.ranked.map((x) => ({
    tile: byId.get(x.id)!,
    rank: x.rank,
    tagScore: tagScores ? (tagScores[x.id] ?? null) : null,
    relevance: x.relevance,
    tieBroken: x.tieBroken,
  }));
  const { calibrated, threshold, relevances } = r;
  const candidates = r.candidates;
  const excluded = r.excluded;
  const { kept, hidden } = filter(items);
  return {
    items: kept,
    tag: tag.text,
    threshold,
    calibrated,
    belowThreshold: excluded.length,
    unranked: tiles.length - candidates.length,
    hiddenByFilters: hidden,
    relevances,
  };
}
