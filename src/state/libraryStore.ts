import { create } from 'zustand';
import type { AnalysisProgress } from '../engine/analysis';

export type TileStatus = 'queued' | 'decoded' | 'scored' | 'failed' | 'cancelled';

export interface Tile {
  id: string;
  name: string;
  /** Path inside the dropped folder, or the bare name. */
  path: string;
  bytes: number;
  status: TileStatus;
  score: number | null;
  error: string | null;
  thumbUrl: string | null;
  width: number | null;
  height: number | null;
}

export type SortKey = 'score' | 'name';

interface LibraryState {
  tiles: Record<string, Tile>;
  /** Ids in the order files were added. */
  order: string[];
  sort: SortKey;
  progress: AnalysisProgress | null;
  running: boolean;
  addFiles(entries: { id: string; name: string; path: string; bytes: number }[]): void;
  patchTile(id: string, patch: Partial<Tile>): void;
  setProgress(p: AnalysisProgress | null): void;
  setRunning(running: boolean): void;
  setSort(sort: SortKey): void;
  clear(): void;
}

export const useLibrary = create<LibraryState>((set) => ({
  tiles: {},
  order: [],
  sort: 'score',
  progress: null,
  running: false,
  addFiles: (entries) =>
    set((s) => {
      const tiles = { ...s.tiles };
      const order = [...s.order];
      for (const e of entries) {
        tiles[e.id] = { ...e, status: 'queued', score: null, error: null, thumbUrl: null, width: null, height: null };
        order.push(e.id);
      }
      return { tiles, order };
    }),
  patchTile: (id, patch) =>
    set((s) => (s.tiles[id] ? { tiles: { ...s.tiles, [id]: { ...s.tiles[id], ...patch } } } : s)),
  setProgress: (progress) => set({ progress }),
  setRunning: (running) => set({ running }),
  setSort: (sort) => set({ sort }),
  clear: () =>
    set((s) => {
      for (const t of Object.values(s.tiles)) if (t.thumbUrl) URL.revokeObjectURL(t.thumbUrl);
      return { tiles: {}, order: [], progress: null };
    }),
}));

/** Scored tiles first, best first; then unscored in drop order; failures last. */
export function sortTiles(tiles: Tile[], sort: SortKey): Tile[] {
  const rank = (t: Tile) => (t.status === 'failed' ? 2 : t.score === null ? 1 : 0);
  return [...tiles].sort((a, b) => {
    if (sort === 'name') return a.path.localeCompare(b.path);
    const r = rank(a) - rank(b);
    if (r !== 0) return r;
    if (a.score !== null && b.score !== null && a.score !== b.score) return b.score - a.score;
    return 0;
  });
}
