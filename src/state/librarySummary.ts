/**
 * Counts over the whole library that the chrome shows (RAW files present, files to reconnect, cancelled
 * images, closed eyes). A store selector runs on every store change; scanning 20,000 tiles in each one cost
 * the page seconds per thousand images (bench/profileMain.ts). The counts are kept instead: a changed tile
 * map is compared with the last one by reference, and only tiles that changed are counted again.
 */
import { isRawPath } from '../library/rawExtensions';
import type { LibraryState, Tile } from './libraryStore';

export interface LibrarySummary {
  /** RAW files and RAW+JPEG pairs: the sidecar naming choice applies to them. */
  raw: number;
  /** Tiles restored from storage whose file is not here (reconnect a folder to analyse them). */
  detached: number;
  cancelled: number;
  closedEyes: number;
}

const EMPTY: LibrarySummary = { raw: 0, detached: 0, cancelled: 0, closedEyes: 0 };

function add(sum: LibrarySummary, t: Tile, sign: 1 | -1): void {
  if (t.companion || isRawPath(t.path)) sum.raw += sign;
  if (!t.hasFile) sum.detached += sign;
  if (t.status === 'cancelled') sum.cancelled += sign;
  if (t.people?.closedEyes) sum.closedEyes += sign;
}

let seen: { tiles: Record<string, Tile>; order: readonly string[]; summary: LibrarySummary } = {
  tiles: {},
  order: [],
  summary: EMPTY,
};

/** The counts for this state: O(1) when the tiles did not change, else one reference comparison per tile. */
export function librarySummary(s: Pick<LibraryState, 'tiles' | 'order'>): LibrarySummary {
  if (s.tiles === seen.tiles) return seen.summary;
  const sum = { ...seen.summary };
  for (const id of s.order) {
    const now = s.tiles[id];
    const before = seen.tiles[id];
    if (now === before) continue;
    if (before) add(sum, before, -1);
    if (now) add(sum, now, 1);
  }
  // Tiles that left the library (a clear): their counts go with them.
  if (s.order !== seen.order) for (const id of seen.order) if (!s.tiles[id] && seen.tiles[id]) add(sum, seen.tiles[id], -1);
  const changed = (Object.keys(sum) as (keyof LibrarySummary)[]).some((k) => sum[k] !== seen.summary[k]);
  seen = { tiles: s.tiles, order: s.order, summary: changed ? sum : seen.summary };
  return seen.summary;
}
