import { create } from 'zustand';
import type { TasteHeadInfo } from '../library/persistence';
import type { TasteProgress } from '../scoring/taste/trainTaste';

/** One tag's taste head, as the UI sees it. */
export interface TagTaste {
  status: 'training' | 'ready' | 'error';
  progress: TasteProgress | null;
  /** The head in use (kept while a retrain runs or after one fails). */
  info: TasteHeadInfo | null;
  onnx: Uint8Array | null;
  /** Whether the head ranks this tag (the user can switch back to the score before it). */
  enabled: boolean;
  error: string | null;
}

interface TasteState {
  byTag: Record<string, TagTaste>;
  /** The taste heads' scores: tag → image id → score. */
  scores: Record<string, Record<string, number>>;
  patch(tag: string, patch: Partial<TagTaste>): void;
  remove(tag: string): void;
  addScores(tag: string, scores: Record<string, number>): void;
  clearScores(tag: string): void;
  reset(): void;
}

const EMPTY: TagTaste = { status: 'ready', progress: null, info: null, onnx: null, enabled: false, error: null };

export const useTaste = create<TasteState>((set) => ({
  byTag: {},
  scores: {},
  patch: (tag, patch) => set((s) => ({ byTag: { ...s.byTag, [tag]: { ...(s.byTag[tag] ?? EMPTY), ...patch } } })),
  remove: (tag) =>
    set((s) => {
      const { [tag]: _gone, ...byTag } = s.byTag;
      const { [tag]: _scores, ...scores } = s.scores;
      return { byTag, scores };
    }),
  addScores: (tag, scores) => set((s) => ({ scores: { ...s.scores, [tag]: { ...s.scores[tag], ...scores } } })),
  clearScores: (tag) => set((s) => ({ scores: { ...s.scores, [tag]: {} } })),
  reset: () => set({ byTag: {}, scores: {} }),
}));

/** The taste head ranks a tag when one is trained, loaded and switched on. */
export function tasteRanks(taste: TagTaste | undefined): boolean {
  return !!taste?.enabled && !!taste.onnx;
}
