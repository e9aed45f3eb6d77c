import { create } from 'zustand';
import type { AnalysisProgress } from './analysisScheduler';
import { clearThumbnails } from './thumbnails';
import type { ColourLabel, Decision, Stars, StoredCompanion } from '../library/persistence';
import type { PixelOrigin } from '../library/decodeApi';
import type { CaptureInfo } from '../library/metadata/exif';
import type { GenerationInfo } from '../library/metadata/generationPrompt';
import type { TechnicalQuality } from '../scoring/technicalQuality';
import type { PeopleInPicture } from '../scoring/faces/faceJudgement';

export type TileStatus = 'queued' | 'decoded' | 'scored' | 'failed' | 'cancelled';

export interface Tile {
  /** The file's content hash: decisions and embeddings are kept under it. */
  id: string;
  name: string;
  /** Path inside the dropped folder, or the bare name. */
  path: string;
  bytes: number;
  status: TileStatus;
  score: number | null;
  error: string | null;
  /** A thumbnail is stored or on its way (its URL: state/thumbnails.ts, made only while it is on screen). */
  hasThumb: boolean;
  width: number | null;
  height: number | null;
  decision: Decision;
  stars: Stars;
  /** Lightroom's colour label (keys 6–9); undefined means none. */
  label?: ColourLabel;
  /** False after a reload until the file is dropped again (needed to analyse it or view it full size). */
  hasFile: boolean;
  /** Measured when decoded; undefined until then (or for records kept from before these existed). */
  quality?: TechnicalQuality | null;
  capture?: CaptureInfo | null;
  /** The thumbnail is the file's own small preview (EXIF thumbnail), shown until the analysis makes one. */
  firstLook?: boolean;
  /** What the pixels were decoded from when not the whole file (a RAW's preview, HEIC, a reduced JPEG). */
  origin?: PixelOrigin;
  /** The generation prompt of an AI image, from its metadata. */
  generation?: GenerationInfo | null;
  /** The people checks' verdicts (faces, eyes, focus, frame); undefined until checked. */
  people?: PeopleInPicture;
  /** Why the people checks could not look at the image. */
  peopleNote?: string;
  /** The RAW shot with this JPEG: decisions and exports cover both (its File: state/files.ts companionFileOf). */
  companion?: StoredCompanion;
}

/** 'adherence': AI images by how well they match their own prompt (the rest after them, by score). */
export type SortKey = 'score' | 'name' | 'adherence';

export interface LibraryState {
  tiles: Record<string, Tile>;
  /** Ids in the order files were added. */
  order: string[];
  sort: SortKey;
  progress: AnalysisProgress | null;
  /** Files being read and identified (hashed) before analysis. */
  reading: { done: number; total: number } | null;
  running: boolean;
  /** Bumped whenever embeddings change, so views that use them recompute. */
  embeddingsVersion: number;
  upsertTiles(tiles: Tile[]): void;
  patchTile(id: string, patch: Partial<Tile>): void;
  patchTiles(patches: { id: string; patch: Partial<Tile> }[]): void;
  setProgress(p: AnalysisProgress | null): void;
  setReading(r: { done: number; total: number } | null): void;
  setRunning(running: boolean): void;
  setSort(sort: SortKey): void;
  bumpEmbeddings(): void;
  clear(): void;
}

export const useLibrary = create<LibraryState>((set) => ({
  tiles: {},
  order: [],
  sort: 'score',
  progress: null,
  reading: null,
  running: false,
  embeddingsVersion: 0,
  upsertTiles: (incoming) =>
    set((s) => {
      const tiles = { ...s.tiles };
      const order = [...s.order];
      for (const t of incoming) {
        if (!tiles[t.id]) order.push(t.id);
        tiles[t.id] = t;
      }
      return { tiles, order };
    }),
  patchTile: (id, patch) =>
    set((s) => (s.tiles[id] ? { tiles: { ...s.tiles, [id]: { ...s.tiles[id], ...patch } } } : s)),
  patchTiles: (patches) =>
    set((s) => {
      if (patches.length === 0) return s;
      const tiles = { ...s.tiles };
      for (const { id, patch } of patches) if (tiles[id]) tiles[id] = { ...tiles[id], ...patch };
      return { tiles };
    }),
  setProgress: (progress) => set({ progress }),
  setReading: (reading) => set({ reading }),
  setRunning: (running) => set({ running }),
  setSort: (sort) => set({ sort }),
  bumpEmbeddings: () => set((s) => ({ embeddingsVersion: s.embeddingsVersion + 1 })),
  clear: () => {
    clearThumbnails();
    set({ tiles: {}, order: [], progress: null });
  },
}));

/** Scored tiles first, best first; then unscored in drop order; failures last. */
export function sortTiles(tiles: Tile[], sort: SortKey, adherence: Record<string, number> = {}): Tile[] {
  const rank = (t: Tile) => (t.status === 'failed' ? 2 : t.score === null ? 1 : 0);
  return [...tiles].sort((a, b) => {
    if (sort === 'name') return a.path.localeCompare(b.path);
    if (sort === 'adherence') {
      const x = adherence[a.id];
      const y = adherence[b.id];
      if (x !== undefined || y !== undefined) return x === undefined ? 1 : y === undefined ? -1 : y - x;
    }
    const r = rank(a) - rank(b);
    if (r !== 0) return r;
    if (a.score !== null && b.score !== null && a.score !== b.score) return b.score - a.score;
    return 0;
  });
}
