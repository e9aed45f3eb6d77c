/**
 * Cull to a target (issue 16, item 2): "keep the best 10 %" or "the best 50" of the photos shown (the folder,
 * or the active tag's photos, ranked by its score). The rule is scoring/cullTarget.ts, run in the grouping
 * worker; the dialog shows what it would keep before anything changes, then one change (one Ctrl+Z) picks them
 * and, if asked, rejects the rest. The choices are remembered on this device.
 */
import { create } from 'zustand';
import { selectTargetInWorker } from '../engine/groupingClient';
import { targetCount } from '../scoring/cullTarget';
import { decideMany } from './decisions';
import { embeddingBlocks } from './embeddingBlocks';
import { getEmbedding } from './embeddingRegistry';
import type { View } from './view';

const KEY = 'loupe:cull-target';

export interface TargetChoices {
  amount: number;
  unit: 'percent' | 'photos';
  /** 0..1, the slider: score only at 0, unlike what is kept weighs more as it rises. */
  variety: number;
  rejectRest: boolean;
}

const DEFAULTS: TargetChoices = { amount: 10, unit: 'percent', variety: 0.3, rejectRest: false };

function saved(): TargetChoices {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<TargetChoices>;
    return {
      amount: typeof v.amount === 'number' && v.amount > 0 ? v.amount : DEFAULTS.amount,
      unit: v.unit === 'photos' ? 'photos' : 'percent',
      variety: typeof v.variety === 'number' ? Math.min(1, Math.max(0, v.variety)) : DEFAULTS.variety,
      rejectRest: v.rejectRest === true,
    };
  } catch {
    return DEFAULTS;
  }
}

interface TargetState extends TargetChoices {
  /** What the dialog shows and Apply acts on; null while it is worked out. */
  preview: TargetPreview | null;
  choose(patch: Partial<TargetChoices>): void;
}

export const useCullTarget = create<TargetState>((set, get) => ({
  ...saved(),
  preview: null,
  choose: (patch) => {
    set(patch);
    const { amount, unit, variety, rejectRest } = get();
    try {
      localStorage.setItem(KEY, JSON.stringify({ amount, unit, variety, rejectRest }));
    } catch {
      // Private mode: the choice lasts this visit.
    }
  },
}));

export interface TargetPreview {
  /** Photos kept, in the order chosen. */
  keep: string[];
  /** Of those, the ones kept as their group's (or scene's) best, before any second frame. */
  covering: number;
  /** The analysed photos shown, which the target is taken from. */
  candidates: string[];
}

/** What the target would keep of the photos shown; nothing changes. */
export async function previewTarget(view: View, choices: TargetChoices, signal?: AbortSignal): Promise<TargetPreview> {
  const items = view.items.filter((it) => getEmbedding(it.tile.id) && Number.isFinite(it.tagScore ?? it.tile.score ?? Number.NaN));
  const ids = items.map((it) => it.tile.id);
  const keep = targetCount(ids.length, choices.amount, choices.unit);
  if (keep === 0) return { keep: [], covering: 0, candidates: ids };
  const dim = getEmbedding(ids[0])!.length;
  // Rows as they are, a block per task: the worker joins and normalises them.
  const embeddings = await embeddingBlocks(ids, dim);
  const index = new Map(ids.map((id, i) => [id, i]));
  const groupOf = new Int32Array(ids.length).fill(-1);
  const groupBest: number[] = [];
  (view.groups ?? []).forEach((g) => {
    const members = g.members.filter((id) => index.has(id));
    if (members.length < 2) return;
    const k = groupBest.length;
    members.forEach((id) => (groupOf[index.get(id)!] = k));
    groupBest.push(index.get(g.best) ?? -1);
  });
  const scores = Float32Array.from(items, (it) => it.tagScore ?? it.tile.score ?? Number.NaN);
  const { kept, round } = await selectTargetInWorker(
    { embeddings, count: ids.length, dim, scores, groupOf, groupBest: Int32Array.from(groupBest), keep, variety: choices.variety },
    signal,
  );
  return { keep: Array.from(kept, (i) => ids[i]), covering: round.filter((r) => r === 1).length, candidates: ids };
}

/** Picks what the preview keeps and, if asked, rejects the other candidates: one change, one undo. */
export function applyTarget(preview: TargetPreview, rejectRest: boolean): Promise<boolean> {
  const kept = new Set(preview.keep);
  return decideMany([
    { ids: preview.keep, patch: { decision: 'pick' } },
    ...(rejectRest ? [{ ids: preview.candidates.filter((id) => !kept.has(id)), patch: { decision: 'reject' as const } }] : []),
  ]);
}
