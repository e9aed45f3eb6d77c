/**
 * Where verified model bytes are kept between visits, so the app works offline after one load.
 *
 * Verification policy: bytes are verified once, before `put` (by the loader, against the manifest's size
 * and sha256), never re-hashed on read. Hashing a 350 MB encoder costs about a second on every start and
 * Cache Storage does not silently corrupt entries; what a read does check is cheap: the stored length
 * and the digest recorded in the `x-loupe-sha256` header must match the key's. A file that still fails to
 * parse can be dropped with `delete`.
 */
import type { ModelFile, ModelManifest } from './manifest';

export interface CacheMeta {
  modelId: string;
  path: string;
  /** Set only when the bytes were checked against this digest before the put. */
  sha256?: string;
  /** Where the bytes came from, for diagnostics. */
  url?: string;
}

export interface ModelByteCache {
  get(key: string): Promise<Uint8Array | undefined>;
  /** May reject (QuotaExceededError when storage is full): callers report it and keep the loaded bytes. */
  put(key: string, bytes: Uint8Array, meta: CacheMeta): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export const MODEL_CACHE_NAME = 'loupe-models-v1';

/** A reserved TLD: the key looks like a URL, as Cache Storage requires, but can never be fetched. */
const KEY_ORIGIN = 'https://model-cache.loupe.invalid';

/**
 * The key names the content, not where it came from, so a hub download and a same-origin copy of one
 * verified file share an entry. With a sha256 the digest identifies the bytes; without one, the hub
 * revision does (a pinned revision never changes). A file with neither has no stable identity and is
 * not cached: a regenerated test model must not be served stale.
 */
export function modelCacheKey(manifest: Pick<ModelManifest, 'id' | 'hub'>, file: ModelFile): string | undefined {
  const path = file.path.split('/').map(encodeURIComponent).join('/');
  const base = `${KEY_ORIGIN}/v1/${encodeURIComponent(manifest.id)}/${path}`;
  if (file.sha256 !== undefined) return `${base}?sha256=${file.sha256.toLowerCase()}`;
  if (manifest.hub !== undefined) return `${base}?revision=${encodeURIComponent(manifest.hub.revision)}`;
  return undefined;
}

const SHA_HEADER = 'x-loupe-sha256';

export class CacheStorageModelCache implements ModelByteCache {
  private cache: Promise<Cache> | undefined;

  constructor(
    private readonly storage: CacheStorage = globalThis.caches,
    private readonly name: string = MODEL_CACHE_NAME,
  ) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    const cache = await this.open();
    const response = await cache.match(key);
    if (response === undefined) return undefined;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const wantedSha = new URL(key).searchParams.get('sha256');
    const storedSha = response.headers.get(SHA_HEADER);
    const storedLength = response.headers.get('content-length');
    const damaged =
      (wantedSha !== null && storedSha !== wantedSha) ||
      (storedLength !== null && Number(storedLength) !== bytes.byteLength);
    if (damaged) {
      await cache.delete(key);
      return undefined;
    }
    return bytes;
  }

  async put(key: string, bytes: Uint8Array, meta: CacheMeta): Promise<void> {
    const cache = await this.open();
    const headers = new Headers({
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.byteLength),
      'x-loupe-model': meta.modelId,
      'x-loupe-path': meta.path,
      'x-loupe-stored-at': new Date().toISOString(),
    });
    if (meta.sha256 !== undefined) headers.set(SHA_HEADER, meta.sha256.toLowerCase());
    if (meta.url !== undefined) headers.set('x-loupe-source-url', meta.url);
    // The loader's buffers are plain ArrayBuffers; the cast only narrows away SharedArrayBuffer.
    await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
  }

  async delete(key: string): Promise<boolean> {
    const cache = await this.open();
    return cache.delete(key);
  }

  private open(): Promise<Cache> {
    if (this.cache === undefined) {
      this.cache = this.storage.open(this.name);
      // A failed open (private mode, storage disabled) should be retried next time, not remembered.
      this.cache.catch(() => {
        this.cache = undefined;
      });
    }
    return this.cache;
  }
}

/** For tests and for pages without Cache Storage; `quotaBytes` imitates a full disk. */
export class MemoryModelCache implements ModelByteCache {
  readonly entries = new Map<string, { bytes: Uint8Array; meta: CacheMeta }>();

  constructor(private readonly options: { quotaBytes?: number } = {}) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    // A copy, because a caller may transfer the buffer to a worker and detach it.
    return this.entries.get(key)?.bytes.slice();
  }

  async put(key: string, bytes: Uint8Array, meta: CacheMeta): Promise<void> {
    const { quotaBytes } = this.options;
    const replaced = this.entries.get(key)?.bytes.byteLength ?? 0;
    if (quotaBytes !== undefined && this.usedBytes() - replaced + bytes.byteLength > quotaBytes) {
      throw new DOMException(`storing ${bytes.byteLength} bytes would exceed the quota`, 'QuotaExceededError');
    }
    this.entries.set(key, { bytes: bytes.slice(), meta });
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  usedBytes(): number {
    let sum = 0;
    for (const { bytes } of this.entries.values()) sum += bytes.byteLength;
    return sum;
  }
}

/**
 * Null where Cache Storage does not exist: it is only offered to secure contexts (https or localhost),
 * so over a LAN address the app still works but downloads the model on every visit.
 */
export function createCacheStorageModelCache(): ModelByteCache | null {
  if (typeof globalThis.caches === 'undefined') return null;
  return new CacheStorageModelCache(globalThis.caches);
}
