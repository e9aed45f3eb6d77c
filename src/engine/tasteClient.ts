/** The page's side of the taste worker (taste.worker.ts), which trains a tag head on the user's decisions. */
import type { TasteProgress, TasteTrainInput } from '../scoring/taste/trainTaste';
import type { TasteApi, TasteTrained } from './protocol';
import { connect } from './rpc';

export type { TasteTrained };

// Started on the first training: TF.js (a few MB) loads only for users who train.
const taste = connect<TasteApi>(() => new Worker(new URL('./taste.worker.ts', import.meta.url), { type: 'module', name: 'loupe-taste' }), { name: 'training' });

/** Trains a taste head in the worker; the input's buffers are transferred. An abort rejects with Cancelled. */
export function trainInWorker(
  input: TasteTrainInput,
  meta: { producer: string; metadata: Record<string, string> },
  onProgress: (p: TasteProgress) => void,
  signal?: AbortSignal,
): Promise<TasteTrained> {
  const transfer = [input.images.buffer, input.train.buffer, input.heldOut.buffer, input.priors.buffer];
  return taste.remote.train({ input, ...meta }, { signal, onProgress, transfer });
}
