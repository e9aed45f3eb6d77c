import { runAnalysis, type AnalysisItem } from '../engine/analysis';
import { parseBackendPreference, type BackendPreference } from '../engine/backend';
import { PIXELS_PER_IMAGE } from '../engine/encoders';
import { InferenceClient } from '../engine/inferenceClient';
import { DecodePool } from '../library/decodePool';
import type { PickedFile } from '../library/collectFiles';
import { useEngine } from './engineStore';
import { useLibrary } from './libraryStore';
import { saveBackendPreference } from './settings';

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
let pool: DecodePool | null = null;
let engineReady: Promise<boolean> = Promise.resolve(false);
let queue: Promise<void> = Promise.resolve();
let abort = new AbortController();
let nextTile = 1;
const files = new Map<string, File>();

function decodePool(): DecodePool {
  // Leave a core for the encoder: on two cores, decode and inference compete (REFERENCE §7).
  pool ??= new DecodePool(Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)));
  return pool;
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
  const engine = useEngine.getState();
  engine.set({ phase: 'loading', status: 'Starting the inference worker…', problem: null, loadProgress: null, ready: null });
  const picked = options.pickedModelFiles
    ? new Map(options.pickedModelFiles.map((f) => [f.path.split('/').slice(1).join('/') || f.path, f.file]))
    : null;
  const c = client;
  engineReady = c
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
  // Images decoded while the model was missing get their scores once it arrives.
  void engineReady.then((ok) => {
    if (!ok) return;
    const { tiles, order } = useLibrary.getState();
    const pending = order.filter((id) => tiles[id].status === 'decoded');
    if (pending.length > 0) enqueue(pending);
  });
  return engineReady;
}

export function addFiles(picked: PickedFile[]): void {
  if (picked.length === 0) return;
  const entries = picked.map((p) => {
    const id = `t${nextTile++}`;
    files.set(id, p.file);
    return { id, name: p.file.name, path: p.path, bytes: p.file.size };
  });
  useLibrary.getState().addFiles(entries);
  enqueue(entries.map((e) => e.id));
}

function enqueue(ids: string[]): void {
  queue = queue.then(() => analyse(ids)).catch((err: unknown) => console.error('analysis failed', err));
}

export function cancelAnalysis(): void {
  abort.abort(new Error('cancelled'));
  abort = new AbortController();
}

async function analyse(ids: string[]): Promise<void> {
  const lib = useLibrary.getState();
  const signal = abort.signal;
  const ok = await engineReady;
  const items: AnalysisItem[] = ids.map((id) => ({ id, file: files.get(id)!, name: lib.tiles[id].name }));
  const p = decodePool();
  const c = client;
  const embed =
    ok && c
      ? async (pixels: Float32Array, count: number, s: AbortSignal) => {
          const r = await c.embedImages(pixels, count, s);
          return { embeddings: r.embeddings, scores: r.scores };
        }
      : null;
  lib.setRunning(true);
  try {
    await runAnalysis(
      items,
      {
        decodeConcurrency: p.size,
        decode: async (item, s) => {
          const needsThumb = useLibrary.getState().tiles[item.id]?.thumbUrl === null;
          const r = await p.decode(item.file, item.name, needsThumb ? config.thumbSize : 0, s);
          return r.type === 'decoded' ? { ok: true, ...r } : { ok: false, reason: r.reason };
        },
        embed,
      },
      {
        onDecoded: (id, d) => {
          const patch: Parameters<typeof lib.patchTile>[1] = { width: d.width, height: d.height };
          if (d.thumbnail) patch.thumbUrl = URL.createObjectURL(d.thumbnail);
          if (!embed) patch.status = 'decoded';
          useLibrary.getState().patchTile(id, patch);
        },
        onFailed: (id, reason) => useLibrary.getState().patchTile(id, { status: 'failed', error: reason }),
        onScored: (id, _embedding, score) => useLibrary.getState().patchTile(id, { status: 'scored', score }),
        onProgress: (progress) => useLibrary.getState().setProgress(progress),
      },
      { batchSize: config.batchSize, maxBatchesAhead: 2, pixelsPerImage: PIXELS_PER_IMAGE, embedDim: 512 },
      signal,
    );
  } finally {
    if (signal.aborted) {
      const { tiles, patchTile } = useLibrary.getState();
      for (const id of ids) if (tiles[id]?.status === 'queued') patchTile(id, { status: 'cancelled' });
    }
    useLibrary.getState().setRunning(false);
  }
}

/** Re-queues the images a cancel left unanalysed. */
export function resumeAnalysis(): void {
  const { tiles, order, patchTile } = useLibrary.getState();
  const ids = order.filter((id) => tiles[id].status === 'cancelled');
  for (const id of ids) patchTile(id, { status: 'queued' });
  if (ids.length > 0) enqueue(ids);
}
