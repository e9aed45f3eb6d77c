/**
 * What the grid shows: tiles ranked for the active tag (or sorted by score), then filtered. Pure, so the
 * same rule is tested in Node and used by the UI; re-ranking never runs an encoder.
 */
import { calibrateThreshold } from '../scoring/tagThreshold';
import { rankByTag } from '../scoring/rankByTag';
import { relevanceScores } from '../scoring/similarity';
import type { Tile, SortKey } from './libraryStore';
import { sortTiles } from './libraryStore';
import type { Filters, TagState } from './rankingStore';

export interface ViewItem {
  tile: Tile;
  /** 1-based rank in the active tag; null without a tag. */
  rank: number | null;
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
): View {
  const filter = (items: ViewItem[]) => {
    const kept = items.filter((i) => passesFilters(i.tile, options.filters));
    return { kept, hidden: items.length - kept.length };
  };

  if (!tag || tag.status !== 'ready' || !tag.embedding) {
    const items = sortTiles(tiles, options.sort).map((tile) => ({ tile, rank: null, relevance: null, tieBroken: false }));
    const { kept, hidden } = filter(items);
    return { items: kept, tag: null, threshold: null, calibrated: null, belowThreshold: 0, unranked: 0, hiddenByFilters: hidden, relevances: null };
  }

  const candidates = tiles.filter((t) => embeddingOf(t.id) !== undefined);
  const dim = tag.embedding.length;
  const matrix = new Float32Array(candidates.length * dim);
  candidates.forEach((t, i) => matrix.set(embeddingOf(t.id)!, i * dim));
  const relevances = relevanceScores(matrix, candidates.length, tag.embedding);
  const calibrated = candidates.length > 0 ? calibrateThreshold(relevances).threshold : null;
  const threshold = options.thresholdOverride ?? calibrated ?? 0;
  const byId = new Map(candidates.map((t) => [t.id, t]));
  const { ranked, excluded } = rankByTag(
    candidates.map((t, i) => ({ id: t.id, score: t.score, relevance: relevances[i] })),
    { threshold, tieMargin: options.tieMargin },
  );
  const items = ranked.map((r) => ({ tile: byId.get(r.id)!, rank: r.rank, relevance: r.relevance, tieBroken: r.tieBroken }));
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
