import { create } from 'zustand';
import type { Decision } from '../library/persistence';
import type { QualityFlag } from '../library/quality/flags';
import type { PeopleFlag } from '../scoring/faces/peopleFlags';
import { DEFAULT_PROMPT_TEMPLATES } from '../scoring/prompts';
import { DEFAULT_TIE_MARGIN } from '../scoring/rankByTag';

export type TagStatus = 'embedding' | 'ready' | 'error';

export interface TagState {
  text: string;
  status: TagStatus;
  /** Normalized prompt-ensemble text embedding. */
  embedding: Float32Array | null;
  error: string | null;
  /** The text as typed, when it was longer than CLIP reads and `text` is its cut start. */
  cutFrom?: string;
}

export type DecisionFilter = 'all' | Decision;

/** 'flagged': any technical flag; 'clean': none; or one flag. */
export type FlagFilter = 'all' | 'flagged' | 'clean' | QualityFlag | PeopleFlag;

export interface Filters {
  decision: DecisionFilter;
  flag: FlagFilter;
  minStars: number;
  scoreMin: number | null;
  scoreMax: number | null;
}

export const NO_FILTERS: Filters = { decision: 'all', flag: 'all', minStars: 0, scoreMin: null, scoreMax: null };

/** True when no filter hides anything. */
export function filtersAreOff(f: Filters): boolean {
  return f.decision === 'all' && f.flag === 'all' && f.minStars === 0 && f.scoreMin === null && f.scoreMax === null;
}

interface RankingState {
  tags: TagState[];
  activeTag: string | null;
  /** Per-tag threshold the user set with the slider; absent = calibrated on the folder. */
  thresholds: Record<string, number>;
  /** Scores closer than this are near-ties, ordered by relevance (REFERENCE §1). */
  tieMargin: number;
  filters: Filters;
  /** Prompt templates for the tag ensemble; `{}` is where the tag goes. */
  templates: readonly string[];
  setTemplates(templates: readonly string[]): void;
  /** Tag head scores: tag → image id → score (only when the model has a tag head). */
  tagScores: Record<string, Record<string, number>>;
  addTagScores(tag: string, scores: Record<string, number>): void;
  clearTagScores(): void;
  upsertTag(tag: TagState): void;
  removeTag(text: string): void;
  setActiveTag(text: string | null): void;
  setThreshold(tag: string, value: number | null): void;
  setTieMargin(value: number): void;
  setFilters(patch: Partial<Filters>): void;
  restore(s: { tags: string[]; activeTag: string | null; thresholds: Record<string, number>; tieMargin: number }): void;
}

export const useRanking = create<RankingState>((set) => ({
  tags: [],
  activeTag: null,
  thresholds: {},
  tieMargin: DEFAULT_TIE_MARGIN,
  filters: NO_FILTERS,
  templates: DEFAULT_PROMPT_TEMPLATES,
  setTemplates: (templates) => set({ templates }),
  tagScores: {},
  addTagScores: (tag, scores) => set((s) => ({ tagScores: { ...s.tagScores, [tag]: { ...s.tagScores[tag], ...scores } } })),
  clearTagScores: () => set({ tagScores: {} }),
  upsertTag: (tag) =>
    set((s) => {
      const i = s.tags.findIndex((t) => t.text === tag.text);
      const tags = [...s.tags];
      if (i >= 0) tags[i] = tag;
      else tags.push(tag);
      return { tags };
    }),
  removeTag: (text) =>
    set((s) => ({
      tags: s.tags.filter((t) => t.text !== text),
      activeTag: s.activeTag === text ? null : s.activeTag,
    })),
  setActiveTag: (activeTag) => set({ activeTag }),
  setThreshold: (tag, value) =>
    set((s) => {
      const thresholds = { ...s.thresholds };
      if (value === null) delete thresholds[tag];
      else thresholds[tag] = value;
      return { thresholds };
    }),
  setTieMargin: (tieMargin) => set({ tieMargin }),
  setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch } })),
  restore: (r) =>
    set({
      tags: r.tags.map((text) => ({ text, status: 'embedding', embedding: null, error: null })),
      activeTag: r.activeTag,
      thresholds: r.thresholds,
      tieMargin: r.tieMargin,
    }),
}));
