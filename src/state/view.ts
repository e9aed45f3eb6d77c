/**
 * What the grid shows: tiles ranked for the active tag (or sorted by score), then filtered. Pure, so the
 * same rule is tested in Node and used by the UI; re-ranking never runs an encoder.
 */
import { rankTag } from './tagRanking';
import type { Tile, SortKey } from './libraryStore';
import { sortTiles } from './libraryStore';
import type { Filters, TagState } from './rankingStore';
import { qualityFlags, type QualityFlag } from '../library/quality/flags';
import { peopleFlags, type PeopleFlag } from '../scoring/faces/peopleFlags';
import { bestOfGroups } from '../scoring/groups';

export interface ItemGroup {
  /** Index of the burst / near-duplicate group. */
  index: number;
  size: number;
  /** The member the ranking puts first (highest ranking score). */
  best: boolean;
}

export interface ViewItem {
  tile: Tile;
  /** 1-based rank in the active tag; null without a tag. */
  rank: number | null;
  /** The tag head's score for this image and the active tag, when a tag head ranks. */
  tagScore: number | null;
  relevance: number | null;
  tieBroken: boolean;
  group?: ItemGroup | null;
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
  /** Group members folded into their group's stack. */
  hiddenByStacks?: number;
  /** Each group's members among the ranked images (before filters), and the best of them. */
  groups?: { members: string[]; best: string }[];
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
  /** Bursts and near-duplicates (src/state/insights.ts); `stacks` folds each into its best member. */
  grouping?: { groups: string[][]; groupOf: Record<string, number> } | null;
  stacks?: boolean;
  /** Prompt adherence of AI images, for the 'adherence' sort. */
  adherence?: Record<string, number>;
}

export function passesFilters(t: Tile, f: Filters): boolean {
  if (f.decision !== 'all' && t.decision !== f.decision) return false;
  if (t.stars < f.minStars) return false;
  if (f.scoreMin !== null && (t.score === null || t.score < f.scoreMin)) return false;
  if (f.scoreMax !== null && (t.score === null || t.score >= f.scoreMax)) return false;
  if (f.flag !== 'all') {
    // Not yet measured: neither flagged nor known to be clean.
    if (!t.quality) return false;
    const flags = tileFlags(t);
    if (f.flag === 'flagged' ? flags.length === 0 : f.flag === 'clean' ? flags.length > 0 : !flags.includes(f.flag)) return false;
  }
  return true;
}

/** Every flag a tile has: technical ones from its pixels, then people ones once the people checks ran. */
export function tileFlags(t: Tile): (QualityFlag | PeopleFlag)[] {
  return [...(t.quality ? qualityFlags(t.quality) : []), ...(t.people ? peopleFlags(t.people) : [])];
}

/**
 * Marks each item's group and its best member — the one with the highest ranking score (the tag or taste
 * head's for the active tag, else the aesthetic score; ties go to the earlier item in the view's order) —
 * and, with stacks on, keeps only the best of each group.
 */
function withGroups(items: ViewItem[], options: ViewOptions): { items: ViewItem[]; hidden: number; groups: View['groups'] } {
  const grouping = options.grouping;
  if (!grouping || grouping.groups.length === 0) return { items, hidden: 0, groups: [] };
  const position = new Map(items.map((it, i) => [it.tile.id, i]));
  const members = grouping.groups.map((g) => Int32Array.from(g.filter((id) => position.has(id)).map((id) => position.get(id)!)));
  // A tag's ranking leaves out images below its threshold, so some groups have no member in view.
  const present = members.flatMap((m, g) => (m.length > 0 ? [g] : []));
  const presentBest = bestOfGroups(
    present.map((g) => members[g]),
    (i) => items[i].tagScore ?? items[i].tile.score,
    (i) => items[i].tile.people?.peopleScore ?? null,
  );
  const best = new Int32Array(members.length).fill(-1);
  present.forEach((g, k) => (best[g] = presentBest[k]));
  const out: ViewItem[] = [];
  let hidden = 0;
  items.forEach((it, i) => {
    const g = grouping.groupOf[it.tile.id];
    const size = g === undefined ? 0 : members[g].length;
    if (g === undefined || size < 2) return out.push({ ...it, group: null });
    const isBest = best[g] === i;
    if (options.stacks && !isBest) return void hidden++;
    out.push({ ...it, group: { index: g, size, best: isBest } });
  });
  const groups = members.flatMap((m, g) => (m.length < 2 ? [] : [{ members: Array.from(m, (i) => items[i].tile.id), best: items[best[g]].tile.id }]));
  return { items: out, hidden, groups };
}

export function computeView(
  tiles: Tile[],
  tag: TagState | null,
  embeddingOf: (id: string) => Float32Array | undefined,
  options: ViewOptions,
  otherTags: readonly TagState[] = [],
): View {
  const filter = (all: ViewItem[]) => {
    const grouped = withGroups(all, options);
    const kept = grouped.items.filter((i) => passesFilters(i.tile, options.filters));
    return { kept, hidden: grouped.items.length - kept.length, stacked: grouped.hidden, groups: grouped.groups };
  };

  if (!tag || tag.status !== 'ready' || !tag.embedding) {
    const items = sortTiles(tiles, options.sort, options.adherence).map((tile) => ({ tile, rank: null, tagScore: null, relevance: null, tieBroken: false }));
    const { kept, hidden, stacked, groups } = filter(items);
    return { items: kept, tag: null, threshold: null, calibrated: null, belowThreshold: 0, unranked: 0, hiddenByFilters: hidden, hiddenByStacks: stacked, groups, relevances: null };
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
  const { kept, hidden, stacked, groups } = filter(items);
  return {
    items: kept,
    tag: tag.text,
    threshold,
    calibrated,
    belowThreshold: excluded.length,
    unranked: tiles.length - candidates.length,
    hiddenByFilters: hidden,
    hiddenByStacks: stacked,
    groups,
    relevances,
  };
}
