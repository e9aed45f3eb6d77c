/**
 * What this origin keeps on the device, and whether the browser may clear it under storage pressure
 * (REFERENCE §9): `navigator.storage.estimate()` (Chromium also splits it into Cache Storage and IndexedDB),
 * the bytes of the downloaded models (their Cache Storage entries record their own length), the bytes of the
 * thumbnails kept in the library, and `navigator.storage.persisted()`. Where a browser lacks an API the figure
 * is null, never a guess.
 */
import { MODEL_CACHE_NAME } from '../engine/modelCache';
import type { LibraryDb, StoredImage } from './persistence';

export interface StorageFacts {
  /** Everything this origin stores, and what the browser allows it. */
  usage: number | null;
  quota: number | null;
  /** The downloaded CLIP models and heads (Cache Storage `loupe-models-v1`). */
  modelBytes: number | null;
  /** Which models have files in that cache (null without Cache Storage). */
  modelIds: string[] | null;
  /** Cache Storage in all: the models and the app's own files (for offline use). */
  cacheBytes: number | null;
  /** IndexedDB in all: the library (decisions, scores, embeddings, thumbnails) and the phrase embeddings. */
  indexedDbBytes: number | null;
  /** The thumbnail blobs inside the library's image records (part of `indexedDbBytes`); null until counted. */
  thumbnailBytes: number | null;
  /** True: the browser keeps the data until the user clears it; false: it may evict it when space runs low. */
  persisted: boolean | null;
}

interface ChromiumEstimate extends StorageEstimate {
  usageDetails?: { caches?: number; indexedDB?: number; serviceWorkerRegistrations?: number };
}

/** The facts; the thumbnails are counted only when `thumbnailsOf` is given (a pass over every image record). */
export async function readStorageFacts(thumbnailsOf?: LibraryDb): Promise<StorageFacts> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  const estimate = (await storage?.estimate?.().catch(() => null)) as ChromiumEstimate | null | undefined;
  const models = await modelCacheContents();
  return {
    usage: estimate?.usage ?? null,
    quota: estimate?.quota ?? null,
    modelBytes: models?.bytes ?? null,
    modelIds: models?.ids ?? null,
    cacheBytes: estimate?.usageDetails?.caches ?? null,
    indexedDbBytes: estimate?.usageDetails?.indexedDB ?? null,
    thumbnailBytes: thumbnailsOf ? await thumbnailBytes(thumbnailsOf).catch(() => null) : null,
    persisted: (await storage?.persisted?.().catch(() => null)) ?? null,
  };
}

/** The model id in a model cache key (`…/v1/<model id>/<path>?…`, engine/modelCache.ts). */
export function modelIdOfCacheKey(url: string): string | null {
  const parts = new URL(url).pathname.split('/');
  return parts[1] === 'v1' && parts[2] ? decodeURIComponent(parts[2]) : null;
}

/** The model cache and its keys; null without Cache Storage, no cache when it was never made (or deleted). */
async function modelCacheKeys(): Promise<{ cache: Cache | null; requests: readonly Request[] } | null> {
  if (typeof caches === 'undefined') return null;
  if (!(await caches.has(MODEL_CACHE_NAME))) return { cache: null, requests: [] };
  const cache = await caches.open(MODEL_CACHE_NAME);
  return { cache, requests: await cache.keys() };
}

/** Which models have files in the model cache, without reading them; null without Cache Storage. */
export async function cachedModelIds(): Promise<string[] | null> {
  const found = await modelCacheKeys();
  return found && idsOf(found.requests);
}

function idsOf(requests: readonly Request[]): string[] {
  const ids = new Set<string>();
  for (const request of requests) {
    const id = modelIdOfCacheKey(request.url);
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

/** The sum of the model cache's recorded lengths, and its models; null without Cache Storage. */
async function modelCacheContents(): Promise<{ bytes: number; ids: string[] } | null> {
  const found = await modelCacheKeys();
  if (!found) return null;
  let bytes = 0;
  for (const request of found.requests) {
    const response = await found.cache?.match(request);
    bytes += Number(response?.headers.get('content-length') ?? 0);
  }
  return { bytes, ids: idsOf(found.requests) };
}

/**
 * The thumbnails' bytes: each image record's thumbnail Blob size (known without reading the blob), read in
 * slices of 500 records, each slice its own short read-only transaction, so writes (a decision, an analysed
 * image) wait for one slice at most, never for the whole pass. About 1.6 s at 20,000 records in headless
 * Chromium, with no task over 50 ms.
 */
export async function thumbnailBytes(db: LibraryDb, slice = 500): Promise<number> {
  let sum = 0;
  let after: IDBValidKey | null = null;
  for (;;) {
    const range: IDBKeyRange | null = after === null ? null : IDBKeyRange.lowerBound(after, true);
    const [keys, records]: [IDBValidKey[], StoredImage[]] = await db.images('readonly', (store) =>
      Promise.all([requested(store.getAllKeys(range, slice)), requested(store.getAll(range, slice) as IDBRequest<StoredImage[]>)]),
    );
    for (const record of records) if (record?.thumbnail) sum += record.thumbnail.size;
    if (keys.length < slice) return sum;
    after = keys[keys.length - 1];
  }
}

function requested<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** How many image records the library holds (0 when its database is gone: a fresh one is empty). */
export function storedImageCount(db: LibraryDb): Promise<number> {
  return db.images('readonly', (store) => requested(store.count()));
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
