/**
 * Finding the bytes of one model file. Sources, in order:
 *   1. the model cache (Cache Storage): verified bytes kept from an earlier visit, so the app works offline;
 *   2. same-origin `/models/<id>/<path>`, filled by `npm run models:fetch` or the generated test models;
 *   3. files the user picked (a folder or single files), matched by relative path, then by base name;
 *   4. remote URLs: the file's `urls`, else the Hugging Face hub at the manifest's pinned revision.
 * Picked files come before remote ones: a user who picked the model folder means "use these", and
 * should not get a 750 MB download instead. Every failure is recorded so that, when nothing works, the
 * error says what was tried and why each failed.
 */
import { DownloadError, downloadWithProgress, isAbortError, readAllWithProgress, verifyBytes } from './download';
import {
  hubUrl,
  isModelManifest,
  sameOriginUrl,
  type Dtype,
  type ModelCatalogue,
  type ModelFile,
  type ModelManifest,
} from './manifest';
import { modelCacheKey, type ModelByteCache } from './modelCache';
import { isStorageQuotaError } from '../platform/storageQuotaError';

export type ModelSourceKind = 'cache' | 'same-origin' | 'remote' | 'picked';

export interface ModelLoadProgress {
  /** The file's manifest path. */
  file: string;
  source: ModelSourceKind;
  loaded: number;
  total: number | undefined;
}

export interface ModelLoadContext {
  /** The app's base URL, a directory URL ending in `/` (same-origin files live under `models/`). */
  baseUrl: string;
  cache: ModelByteCache | null;
  /** Picked files keyed by relative path (`webkitRelativePath`, or the name for single files). */
  pickedFiles?: Map<string, Blob> | null;
  signal?: AbortSignal;
  onProgress?: (event: ModelLoadProgress) => void;
  /** Problems that did not stop the load, such as a full cache. Also returned in `warnings`. */
  onWarning?: (message: string) => void;
  fetchImpl?: typeof fetch;
  /** False keeps the page from contacting any remote host. Default true. */
  allowRemote?: boolean;
}

export interface LoadedModelFile {
  bytes: Uint8Array;
  source: ModelSourceKind;
  /** The URL the bytes came from (same-origin or remote), or the picked file's key. */
  url?: string;
  warnings: string[];
}

export interface SourceAttempt {
  source: ModelSourceKind;
  /** The URL or picked-file key tried, when there was one. */
  where?: string;
  reason: string;
}

export const MODEL_FIX_HINT = 'run `npm run models:fetch` while online, or pick the model folder';

export class ModelUnavailableError extends Error {
  override name = 'ModelUnavailableError';
  constructor(
    readonly modelId: string,
    readonly file: string,
    readonly attempts: SourceAttempt[],
  ) {
    const tried = attempts.map((a) => `  - ${a.source}${a.where ? ` ${a.where}` : ''}: ${a.reason}`).join('\n');
    super(`Model file ${file} of ${modelId} is not available. Tried:\n${tried}\nTo fix it: ${MODEL_FIX_HINT}.`);
  }
}

/** How long a remote host may keep us waiting; same-origin has no limit because it is the app's own server. */
const REMOTE_CONNECT_TIMEOUT_MS = 30_000;
const REMOTE_STALL_TIMEOUT_MS = 60_000;

export async function loadModelFile(
  manifest: ModelManifest,
  file: ModelFile,
  ctx: ModelLoadContext,
): Promise<LoadedModelFile> {
  const attempts: SourceAttempt[] = [];
  const warnings: string[] = [];
  const key = modelCacheKey(manifest, file);
  const progress =
    (source: ModelSourceKind) =>
    ({ loaded, total }: { loaded: number; total: number | undefined }): void =>
      ctx.onProgress?.({ file: file.path, source, loaded, total });

  const cached = await fromCache(ctx, key, file, attempts);
  if (cached !== undefined) {
    progress('cache')({ loaded: cached.byteLength, total: cached.byteLength });
    return { bytes: cached, source: 'cache', warnings };
  }

  const finish = async (bytes: Uint8Array, source: ModelSourceKind, url: string): Promise<LoadedModelFile> => {
    await keep(ctx, key, manifest, file, bytes, url, warnings);
    return { bytes, source, url, warnings };
  };

  const sameOrigin = sameOriginUrl(ctx.baseUrl, manifest.id, file);
  const local = await tryDownload(sameOrigin, 'same-origin', file, ctx, progress('same-origin'), attempts);
  if (local !== undefined) return finish(local, 'same-origin', sameOrigin);

  const picked = await fromPicked(ctx, file, progress('picked'), attempts);
  if (picked !== undefined) return finish(picked.bytes, 'picked', picked.key);

  if (ctx.allowRemote === false) {
    attempts.push({ source: 'remote', reason: 'remote downloads are turned off' });
  } else {
    const urls = remoteUrls(manifest, file);
    if (urls.length === 0) attempts.push({ source: 'remote', reason: 'the manifest names no remote URL' });
    for (const url of urls) {
      const bytes = await tryDownload(url, 'remote', file, ctx, progress('remote'), attempts);
      if (bytes !== undefined) return finish(bytes, 'remote', url);
    }
  }

  throw new ModelUnavailableError(manifest.id, file.path, attempts);
}

/** The file's own `urls` when listed (files kept outside the hub repo), else its path in the pinned hub repo. */
export function remoteUrls(manifest: ModelManifest, file: ModelFile): string[] {
  if (file.urls !== undefined && file.urls.length > 0) return [...file.urls];
  if (manifest.hub !== undefined) return [hubUrl(manifest.hub.repo, manifest.hub.revision, file.path)];
  return [];
}

async function fromCache(
  ctx: ModelLoadContext,
  key: string | undefined,
  file: ModelFile,
  attempts: SourceAttempt[],
): Promise<Uint8Array | undefined> {
  if (ctx.cache === null) {
    attempts.push({ source: 'cache', reason: 'no cache on this page (Cache Storage needs https or localhost)' });
    return undefined;
  }
  if (key === undefined) {
    attempts.push({ source: 'cache', reason: 'not cacheable: the manifest gives no sha256 or hub revision' });
    return undefined;
  }
  try {
    const bytes = await ctx.cache.get(key);
    if (bytes === undefined) {
      attempts.push({ source: 'cache', reason: 'not cached yet' });
      return undefined;
    }
    if (file.bytes !== undefined && bytes.byteLength !== file.bytes) {
      await ctx.cache.delete(key).catch(() => false);
      attempts.push({
        source: 'cache',
        reason: `cached copy had ${bytes.byteLength} bytes instead of ${file.bytes}; removed it`,
      });
      return undefined;
    }
    return bytes;
  } catch (error) {
    attempts.push({ source: 'cache', reason: `cannot read the cache: ${messageOf(error)}` });
    return undefined;
  }
}

async function tryDownload(
  url: string,
  source: 'same-origin' | 'remote',
  file: ModelFile,
  ctx: ModelLoadContext,
  onProgress: (p: { loaded: number; total: number | undefined }) => void,
  attempts: SourceAttempt[],
): Promise<Uint8Array | undefined> {
  try {
    return await downloadWithProgress(url, {
      signal: ctx.signal,
      onProgress,
      expected: { bytes: file.bytes, sha256: file.sha256 },
      fetchImpl: ctx.fetchImpl,
      name: file.path,
      ...(source === 'remote'
        ? { connectTimeoutMs: REMOTE_CONNECT_TIMEOUT_MS, stallTimeoutMs: REMOTE_STALL_TIMEOUT_MS }
        : {}),
    });
  } catch (error) {
    if (isAbortError(error) || ctx.signal?.aborted) throw error;
    attempts.push({ source, where: url, reason: downloadFailure(error) });
    return undefined;
  }
}

function downloadFailure(error: unknown): string {
  if (error instanceof DownloadError) {
    if (error.kind === 'status' && error.status === 404) return 'not there (404)';
    // Vite and most SPA hosts answer unknown paths with index.html and a 200.
    if (error.kind === 'html') return 'not there (the server answered with an HTML page)';
  }
  return messageOf(error);
}

interface PickedCandidate {
  key: string;
  blob: Blob;
}

/**
 * Picked-file keys carry the picked folder's name (`clip-vit-base-patch32/onnx/x.onnx`) or nothing but
 * the name (single files), so a path matches as a suffix first, then by base name alone.
 */
export function pickedCandidates(picked: Map<string, Blob>, path: string): PickedCandidate[] {
  const wanted = normalizePath(path);
  const base = baseName(wanted);
  const byPath: PickedCandidate[] = [];
  const byName: PickedCandidate[] = [];
  for (const [rawKey, blob] of picked) {
    const key = normalizePath(rawKey);
    if (key === wanted || key.endsWith(`/${wanted}`)) byPath.push({ key: rawKey, blob });
    else if (baseName(key) === base) byName.push({ key: rawKey, blob });
  }
  byPath.sort((a, b) => a.key.length - b.key.length);
  byName.sort((a, b) => a.key.length - b.key.length);
  return [...byPath, ...byName];
}

async function fromPicked(
  ctx: ModelLoadContext,
  file: ModelFile,
  onProgress: (p: { loaded: number; total: number | undefined }) => void,
  attempts: SourceAttempt[],
): Promise<{ bytes: Uint8Array; key: string } | undefined> {
  if (!ctx.pickedFiles || ctx.pickedFiles.size === 0) {
    attempts.push({ source: 'picked', reason: 'no model folder or files picked' });
    return undefined;
  }
  const candidates = pickedCandidates(ctx.pickedFiles, file.path);
  if (candidates.length === 0) {
    attempts.push({
      source: 'picked',
      reason: `none of the ${ctx.pickedFiles.size} picked files is ${file.path} or ${baseName(file.path)}`,
    });
    return undefined;
  }
  for (const { key, blob } of candidates) {
    try {
      if (file.bytes !== undefined && blob.size !== file.bytes) {
        throw new Error(`${key} has ${blob.size} bytes, expected ${file.bytes}`);
      }
      const bytes = await readAllWithProgress(blob.stream(), { total: blob.size, onProgress, signal: ctx.signal });
      await verifyBytes(bytes, { bytes: file.bytes, sha256: file.sha256 }, file.path, `picked file ${key}`);
      return { bytes, key };
    } catch (error) {
      if (isAbortError(error) || ctx.signal?.aborted) throw error;
      attempts.push({ source: 'picked', where: key, reason: messageOf(error) });
    }
  }
  return undefined;
}

/** A cache that cannot store the file must not fail a load that already has the bytes. */
async function keep(
  ctx: ModelLoadContext,
  key: string | undefined,
  manifest: ModelManifest,
  file: ModelFile,
  bytes: Uint8Array,
  url: string,
  warnings: string[],
): Promise<void> {
  if (ctx.cache === null || key === undefined) return;
  try {
    await ctx.cache.put(key, bytes, { modelId: manifest.id, path: file.path, sha256: file.sha256, url });
  } catch (error) {
    const megabytes = (bytes.byteLength / 1e6).toFixed(1);
    const message = isStorageQuotaError(error)
      ? `Not enough browser storage to keep ${file.path} (${megabytes} MB) for offline use. The model is ` +
        'loaded, but it will be fetched again next time: free some space or allow persistent storage.'
      : `Could not keep ${file.path} in the browser cache (${messageOf(error)}). The model is loaded, ` +
        'but it will be fetched again next time.';
    warnings.push(message);
    ctx.onWarning?.(message);
  }
}

export async function loadCatalogue(baseUrl: string, fetchImpl?: typeof fetch): Promise<ModelCatalogue> {
  const url = new URL('models/manifest.json', baseUrl).toString();
  return parseCatalogue(await fetchJson(url, fetchImpl), url);
}

/** Checks parsed JSON against the catalogue schema; `where` names its origin in the error. */
export function parseCatalogue(value: unknown, where: string): ModelCatalogue {
  const problem = catalogueProblem(value);
  if (problem !== undefined) throw new Error(`The model catalogue ${where} is not valid: ${problem}`);
  return value as ModelCatalogue;
}

/** Ids become folder names and URL segments: no separators, no leading dot. */
export function isSafeModelId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id);
}

/**
 * Models outside the catalogue (the generated `clip-tiny`) announce themselves with their own
 * `models/<id>/manifest.json`, so generating one needs no edit to the committed catalogue.
 */
export async function resolveManifest(
  catalogue: ModelCatalogue,
  id: string,
  baseUrl: string,
  fetchImpl?: typeof fetch,
): Promise<ModelManifest> {
  const listed = catalogue.models.find((m) => m.id === id);
  if (listed !== undefined) return listed;
  // The id comes from the page URL (`?model=`): it must not climb out of models/.
  if (!isSafeModelId(id)) throw new Error(`"${id}" is not a valid model id`);
  const url = new URL(`models/${id}/manifest.json`, baseUrl).toString();
  let value: unknown;
  try {
    value = await fetchJson(url, fetchImpl);
  } catch (error) {
    const known = catalogue.models.map((m) => m.id).join(', ');
    throw new Error(`Unknown model "${id}": not in the catalogue (${known}) and ${url}: ${downloadFailure(error)}`);
  }
  if (!isModelManifest(value)) throw new Error(`${url} is not a model manifest (schema 1)`);
  if (value.id !== id) throw new Error(`${url} describes model "${value.id}", not "${id}"`);
  return value;
}

export function chooseDtypeFile(
  manifest: ModelManifest,
  part: 'vision' | 'text',
  preferred: readonly Dtype[],
): { dtype: Dtype; file: ModelFile } {
  for (const dtype of preferred) {
    const file = manifest[part][dtype];
    if (file !== undefined) return { dtype, file };
  }
  const available = Object.keys(manifest[part]).join(', ') || 'none';
  throw new Error(
    `${manifest.id} has no ${part} encoder in ${preferred.join(', ') || '(no dtype asked)'}; it has ${available}`,
  );
}

async function fetchJson(url: string, fetchImpl?: typeof fetch): Promise<unknown> {
  const bytes = await downloadWithProgress(url, { fetchImpl, name: url });
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (error) {
    throw new Error(`${url} is not JSON: ${messageOf(error)}`);
  }
}

function catalogueProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const c = value as Record<string, unknown>;
  if (c.schema !== 1) return `schema is ${JSON.stringify(c.schema)}, expected 1`;
  if (typeof c.default !== 'string') return 'no default model id';
  if (!Array.isArray(c.models)) return 'no models list';
  const bad = c.models.findIndex((m) => !isModelManifest(m));
  if (bad >= 0) return `models[${bad}] is not a model manifest`;
  return undefined;
}

function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
