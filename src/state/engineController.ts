/**
 * The model's lifecycle: configuration from the URL and settings, the one inference worker, loading the
 * model (with progress) and reloading it on a backend change. The library side listens for readiness.
 */
import { parseBackendPreference, type BackendPreference } from '../engine/backend';
import { InferenceClient } from '../engine/inferenceClient';
import type { PickedFile } from '../library/collectFiles';
import { useEngine } from './engineStore';
import { askToKeepData, refreshStorageFacts } from './storage';
import { saveBackendPreference } from './settings';
import { useUi } from './uiStore';

export interface AppConfig {
  modelId: string | null;
  preference: BackendPreference;
  batchSize: number;
  /** Download from the hub without asking (the user opted in, or `?download=1`). */
  allowRemote: boolean;
  thumbSize: number;
  wasmThreads: number | null;
}

export function readConfig(search: string): AppConfig {
  const q = new URLSearchParams(search);
  const batch = Number(q.get('batch'));
  return {
    modelId: q.get('model'),
    preference: parseBackendPreference(q.get('backend')),
    batchSize: Number.isInteger(batch) && batch > 0 && batch <= 64 ? batch : 8,
    allowRemote: q.get('download') === '1',
    thumbSize: 320,
    wasmThreads: Number(q.get('threads')) > 0 ? Number(q.get('threads')) : null,
  };
}

let config: AppConfig = readConfig('');
let client: InferenceClient | null = null;
let engineReady: Promise<boolean> = Promise.resolve(false);
const readyListeners: (() => void)[] = [];

export function appConfig(): AppConfig {
  return config;
}

export function inferenceClient(): InferenceClient | null {
  return client;
}

export function whenEngineReady(): Promise<boolean> {
  return engineReady;
}

/** Called each time a model becomes ready (first load, backend change, a picked folder); returns the unsubscribe. */
export function onEngineReady(listener: () => void): () => void {
  readyListeners.push(listener);
  return () => {
    const i = readyListeners.indexOf(listener);
    if (i >= 0) readyListeners.splice(i, 1);
  };
}

export function currentModelId(): string | null {
  return useEngine.getState().ready?.modelId ?? null;
}

/** The loaded model's embedding width, from its manifest; 0 while none is loaded (nothing is embedded then). */
export function embeddingDim(): number {
  return useEngine.getState().ready?.embedDim ?? 0;
}

/** Saves the choice and reloads the model on the new backend; scores already made are kept. */
export async function setBackendPreference(preference: BackendPreference): Promise<void> {
  configure({ ...config, preference });
  await saveBackendPreference(preference).catch(() => undefined);
  await startEngine();
}

export function configure(next: AppConfig): void {
  config = next;
  useEngine.getState().set({ preference: next.preference, modelId: next.modelId });
}

/** Loads (or reloads) the model. Resolves false when it is unavailable; the store says why. */
export function startEngine(options: { allowRemote?: boolean; pickedModelFiles?: PickedFile[] } = {}): Promise<boolean> {
  client?.terminate();
  client = new InferenceClient();
  client.onEngineChanged = (ready, notice) => {
    useEngine.getState().set({ ready });
    useUi.getState().notify(notice);
  };
  const engine = useEngine.getState();
  engine.set({ phase: 'loading', status: 'Starting the inference worker…', problem: null, loadProgress: null, ready: null });
  const picked = options.pickedModelFiles
    ? new Map(options.pickedModelFiles.map((f) => [f.path.split('/').slice(1).join('/') || f.path, f.file]))
    : null;
  engineReady = client
    .init(
      {
        modelId: config.modelId,
        baseUrl: new URL(import.meta.env.BASE_URL, location.href).href,
        preference: config.preference,
        pickedFiles: picked,
        allowRemote: options.allowRemote ?? config.allowRemote,
        batchSize: config.batchSize,
        wasmThreads: config.wasmThreads,
      },
      {
        onProgress: (loadProgress) => useEngine.getState().set({ loadProgress }),
        onStatus: (status) => useEngine.getState().set({ status }),
      },
    )
    .then(
      (ready) => {
        useEngine.getState().set({ phase: 'ready', ready, status: '', loadProgress: null });
        // A model now kept for offline use (hundreds of MB downloaded once) is worth asking the browser to keep.
        void refreshStorageFacts().then((f) => {
          if ((f.modelBytes ?? 0) > 0) void askToKeepData('model-cached');
        });
        return true;
      },
      (err: unknown) => {
        useEngine.getState().set({
          phase: 'unavailable',
          problem: err instanceof Error ? err.message : String(err),
          status: '',
          loadProgress: null,
        });
        return false;
      },
    );
  void engineReady.then((ok) => ok && readyListeners.forEach((l) => l()));
  return engineReady;
}
