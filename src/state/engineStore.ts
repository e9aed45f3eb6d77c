import { create } from 'zustand';
import type { BackendPreference } from '../engine/backend';
import type { EngineReady, ModelLoadProgress } from '../engine/protocol';

export type EnginePhase = 'idle' | 'loading' | 'ready' | 'unavailable';

interface EngineState {
  phase: EnginePhase;
  preference: BackendPreference;
  modelId: string | null;
  status: string;
  loadProgress: ModelLoadProgress | null;
  ready: EngineReady | null;
  /** Why the model could not be loaded, and how to get it. */
  problem: string | null;
  set(patch: Partial<Omit<EngineState, 'set'>>): void;
}

export const useEngine = create<EngineState>((set) => ({
  phase: 'idle',
  preference: 'auto',
  modelId: null,
  status: '',
  loadProgress: null,
  ready: null,
  problem: null,
  set: (patch) => set(patch),
}));
