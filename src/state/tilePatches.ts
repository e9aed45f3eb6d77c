/**
 * Analysis results arrive one image at a time, up to dozens per second; applying each to the store would
 * copy the tile map and re-render per image. They are gathered and applied together at most every 100 ms.
 */
import type { AnalysisProgress } from './analysisScheduler';
import { flushAnalysisWrites } from './analysisWrites';
import { applyFirstLooks } from './firstLooks';
import { useLibrary, type Tile } from './libraryStore';

const FLUSH_MS = 100;
const pending = new Map<string, Partial<Tile>>();
const added = new Map<string, Tile>();
let progress: AnalysisProgress | null = null;
let embeddingsChanged = false;
let timer: ReturnType<typeof setTimeout> | null = null;

export function flushTilePatches(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  const lib = useLibrary.getState();
  if (added.size > 0) lib.upsertTiles([...added.values()]);
  added.clear();
  if (pending.size > 0) lib.patchTiles([...pending].map(([id, patch]) => ({ id, patch })));
  pending.clear();
  applyFirstLooks();
  if (progress) lib.setProgress(progress);
  progress = null;
  if (embeddingsChanged) lib.bumpEmbeddings();
  embeddingsChanged = false;
  // What these patches show is stored from now on: a decision on a tile never outruns its scores.
  void flushAnalysisWrites();
}

/**
 * Each flush copies the tile map and recomputes the view, O(library size): at 20,000 images, flushing every
 * 100 ms would spend the main thread on it. The interval grows with the library, up to once a second.
 */
export function flushInterval(libraryCount: number): number {
  return Math.min(1000, Math.max(FLUSH_MS, Math.round(libraryCount / 20)));
}

/** A flush soon (first looks queued: state/firstLooks.ts). */
export function scheduleTileFlush(): void {
  schedule();
}

function schedule(): void {
  // setTimeout, not requestAnimationFrame: a background tab gets no frames but must keep its results.
  timer ??= setTimeout(flushTilePatches, flushInterval(useLibrary.getState().order.length));
}

export function queueTilePatch(id: string, patch: Partial<Tile>, embeddingChanged = false): void {
  pending.set(id, { ...pending.get(id), ...patch });
  embeddingsChanged ||= embeddingChanged;
  schedule();
}

export function queueProgress(p: AnalysisProgress): void {
  progress = p;
  schedule();
}

/** A new tile, shown with the next flush; `tileById` sees it at once, so a duplicate is caught. */
export function queueNewTile(tile: Tile): void {
  added.set(tile.id, tile);
  schedule();
}

export function tileById(id: string): Tile | undefined {
  return added.get(id) ?? useLibrary.getState().tiles[id];
}
