import type { TasteProgress, TasteTrainInput } from '../scoring/taste/trainTaste';
import type { TasteRequest, TasteResponse } from './protocol';

export type TasteTrained = Extract<TasteResponse, { type: 'trained' }>;

export class TasteCancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (r: TasteTrained) => void; reject: (e: Error) => void; onProgress: (p: TasteProgress) => void }>();

function taste(): Worker {
  if (worker) return worker;
  // Created on first use: TF.js (a few MB) loads only for users who train.
  worker = new Worker(new URL('./taste.worker.ts', import.meta.url), { type: 'module', name: 'loupe-taste' });
  worker.onmessage = (e: MessageEvent<TasteResponse>) => {
    const r = e.data;
    const p = pending.get(r.id);
    if (!p) return;
    if (r.type === 'progress') return p.onProgress(r.progress);
    pending.delete(r.id);
    if (r.type === 'trained') p.resolve(r);
    else p.reject(r.cancelled ? new TasteCancelled() : new Error(r.message));
  };
  worker.onerror = (e) => {
    for (const p of pending.values()) p.reject(new Error(`the training worker crashed: ${e.message}`));
    pending.clear();
    worker?.terminate();
    worker = null;
  };
  return worker;
}

/** Trains a taste head in the worker; the input's buffers are transferred. */
export function trainInWorker(
  input: TasteTrainInput,
  meta: { producer: string; metadata: Record<string, string> },
  onProgress: (p: TasteProgress) => void,
  signal?: AbortSignal,
): Promise<TasteTrained> {
  const id = nextId++;
  const w = taste();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TasteCancelled());
    pending.set(id, { resolve, reject, onProgress });
    signal?.addEventListener('abort', () => w.postMessage({ type: 'abort', id } satisfies TasteRequest));
    const transfer = [input.images.buffer, input.train.buffer, input.heldOut.buffer, input.priors.buffer];
    w.postMessage({ type: 'train', id, input, ...meta } satisfies TasteRequest, transfer);
  });
}
