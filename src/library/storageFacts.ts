/**
 * What this origin keeps on the device, and whether the browser may clear it under storage pressure
 * (REFERENCE §9): `navigator.storage.estimate()` (Chromium also splits it into Cache Storage and IndexedDB),
 * the bytes of the downloaded models (their Cache Storage entries record their own length), and
 * `navigator.storage.persisted()`. Where a browser lacks an API the figure is null, never a guess.
 */
import { MODEL_CACHE_NAME } from '../engine/modelCache';

export interface StorageFacts {
  /** Everything this origin stores, and what the browser allows it. */
  usage: number | null;
  quota: number | null;
  /** The downloaded CLIP models and heads (Cache Storage `loupe-models-v1`). */
  modelBytes: number | null;
  /** Cache Storage in all: the models and the app's own files (for offline use). */
  cacheBytes: number | null;
  /** IndexedDB: the library (decisions, scores, embeddings, thumbnails) and the phrase embeddings. */
  indexedDbBytes: number | null;
  /** True: the browser keeps the data until the user clears it; false: it may evict it when space runs low. */
  persisted: boolean | null;
}

interface ChromiumEstimate extends StorageEstimate {
  usageDetails?: { caches?: number; indexedDB?: number; serviceWorkerRegistrations?: number };
}

export async function readStorageFacts(): Promise<StorageFacts> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  const estimate = (await storage?.estimate?.().catch(() => null)) as ChromiumEstimate | null | undefined;
  return {
    usage: estimate?.usage ?? null,
    quota: estimate?.quota ?? null,
    modelBytes: await modelCacheBytes(),
    cacheBytes: estimate?.usageDetails?.caches ?? null,
    indexedDbBytes: estimate?.usageDetails?.indexedDB ?? null,
    persisted: (await storage?.persisted?.().catch(() => null)) ?? null,
  };
}

/** The sum of the model cache's recorded lengths; null without Cache Storage. */
async function modelCacheBytes(): Promise<number | null> {
  if (typeof caches === 'undefined') return null;
  if (!(await caches.has(MODEL_CACHE_NAME))) return 0;
  const cache = await caches.open(MODEL_CACHE_NAME);
  let sum = 0;
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    sum += Number(response?.headers.get('content-length') ?? 0);
  }
  return sum;
}

/** Asks the browser to keep this origin's data; the answer (null where the API is missing). */
export async function requestPersistence(): Promise<boolean | null> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (!storage?.persist) return null;
  return storage.persist().catch(() => null);
}

/** Deletes every downloaded model; a model in use stays loaded until the page is reloaded. */
export async function deleteModelCache(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(MODEL_CACHE_NAME);
}
