import { create } from 'zustand';
import type { AutoTag, FolderTag } from '../scoring/autoTags';

/** Bursts and near-duplicates, by image id (src/scoring/groups.ts on the session's embeddings). */
export interface GroupState {
  /** Member ids per group, in the order images were added. */
  groups: string[][];
  groupOf: Record<string, number>;
  ms: number;
}

export interface GroupSettings {
  /** Two images join when their embeddings' cosine is at least this… */
  minCosine: number;
  /** …and they were taken at most this many seconds apart (null: times are ignored). */
  windowSeconds: number | null;
  /** Show each group as one stack (its best image) instead of every member. */
  stacks: boolean;
}

export const DEFAULT_GROUP_SETTINGS: GroupSettings = { minCosine: 0.94, windowSeconds: 10, stacks: false };

interface InsightsState {
  /** Auto-tags per image (heaviest first) and the folder's summary of them. */
  autoTags: Record<string, AutoTag[]>;
  folderTags: FolderTag[];
  /** P(positive prompt) per antonym pair, per image. */
  zeroShot: Record<string, Record<string, number>>;
  /** Cosine of an AI image's embedding and its own generation prompt's. */
  adherence: Record<string, number>;
  grouping: GroupState | null;
  groupSettings: GroupSettings;
  patch(p: Partial<Omit<InsightsState, 'patch' | 'setGroupSettings' | 'reset'>>): void;
  setGroupSettings(p: Partial<GroupSettings>): void;
  reset(): void;
}

export const useInsights = create<InsightsState>((set) => ({
  autoTags: {},
  folderTags: [],
  zeroShot: {},
  adherence: {},
  grouping: null,
  groupSettings: DEFAULT_GROUP_SETTINGS,
  patch: (p) => set(p),
  setGroupSettings: (p) => set((s) => ({ groupSettings: { ...s.groupSettings, ...p } })),
  reset: () => set({ autoTags: {}, folderTags: [], zeroShot: {}, adherence: {}, grouping: null }),
}));
