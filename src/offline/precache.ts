/**
 * The service worker's precache: what the build lists (build/precacheManifest.ts) and how the worker
 * (src/sw.ts) decides which cached file answers a request. Pure code, shared by both and unit-tested;
 * the app's pages never import it.
 */

export interface PrecacheEntry {
  /** Path relative to the service worker's scope, without a leading slash: `assets/main-1a2b.js`. */
  url: string;
  /** sha256 (hex) of the file's bytes: the install checks what it fetched against it. */
  sha256: string;
  bytes: number;
  /**
   * `cache-first` (default): served from the cache, the network only when the entry is missing.
   * `network-first`: the server's copy while online, the cached one offline (the models' small JSON
   * manifests, which `npm run models:fetch` may change without a new build).
   */
  strategy?: 'cache-first' | 'network-first';
}

export interface PrecacheManifest {
  /** Derived from every entry's url and sha256: a build that changes any file gets a new cache. */
  version: string;
  entries: PrecacheEntry[];
}

/** Every cache this worker owns starts with this; the engine's model cache (`loupe-models-v1`) does not. */
export const APP_CACHE_PREFIX = 'loupe-app-';

export function appCacheName(version: string): string {
  return `${APP_CACHE_PREFIX}${version}`;
}

/** Caches an activating worker deletes: older app caches, never the model cache or anything else. */
export function staleAppCaches(names: readonly string[], current: string): string[] {
  return names.filter((n) => n.startsWith(APP_CACHE_PREFIX) && n !== current);
}

/**
 * Older builds' caches kept for the pages still running them: cache name → ids of the clients (tabs) that were
 * open when a newer build took over. Those pages keep their loaded code and may still ask for a lazy chunk
 * of their own build (the taste or grouping worker, TF.js); the new build's server no longer has it, and
 * offline there is no server at all.
 */
export type RetainedCaches = Record<string, string[]>;

/**
 * At a new build's activation: every older app cache is kept for the clients open now (none of which runs
 * the new build yet), added to what an earlier activation kept.
 */
export function retainOnActivate(previous: RetainedCaches, stale: readonly string[], openClients: readonly string[]): RetainedCaches {
  const out: RetainedCaches = {};
  for (const name of stale) out[name] = [...new Set([...(previous[name] ?? []), ...openClients])];
  return out;
}

/** An older cache goes once none of the clients it was kept for is open; `open`: the ids of the clients open now. */
export function releaseRetained(retained: RetainedCaches, open: readonly string[]): { keep: RetainedCaches; remove: string[] } {
  const alive = new Set(open);
  const keep: RetainedCaches = {};
  const remove: string[] = [];
  for (const [name, clients] of Object.entries(retained)) {
    const still = clients.filter((id) => alive.has(id));
    if (still.length > 0) keep[name] = still;
    else remove.push(name);
  }
  return { keep, remove };
}

/** What a page posts to the active worker when it starts: caches kept for closed pages may go now. */
export const RELEASE_MESSAGE = 'loupe-release-retained-caches';

/** The header a precached response carries its entry's sha256 in, so a new install can reuse it. */
export const REVISION_HEADER = 'x-loupe-sha256';

/**
 * Cross-origin isolation (SharedArrayBuffer, hence WASM threads) needs these on the document and on
 * worker scripts. A response served by the service worker is the one whose headers count, so cached
 * responses must carry them too.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export type Route =
  /** Serve the entry from the cache (navigations: the page's HTML; others: the asset itself). */
  | { kind: 'cache-first'; entry: PrecacheEntry }
  | { kind: 'network-first'; entry: PrecacheEntry }
  /** A navigation to a path the precache does not hold: the network, else the app's index.html. */
  | { kind: 'navigation-fallback'; entry: PrecacheEntry | undefined }
  /**
   * A build file this build does not have (`assets/…`): one an older build's page still running asks for (a
   * lazily loaded worker or chunk). From that build's retained cache, else the network.
   */
  | { kind: 'older-build' }
  /** Not ours: the request goes to the network untouched (model files, other origins, POSTs). */
  | { kind: 'pass' };

export interface RequestFacts {
  url: string;
  method: string;
  mode: string;
}

/**
 * Which cached file answers a request. `scope` is the worker's registration scope (a URL ending in `/`).
 * Query strings are ignored for precached files (`/?model=clip-tiny` is index.html); model files
 * (`models/…` other than the JSON manifests) are never listed, so they pass to the engine's own cache
 * logic and the network.
 */
export function routeRequest(manifest: PrecacheManifest, scope: string, req: RequestFacts): Route {
  if (req.method !== 'GET') return { kind: 'pass' };
  const url = new URL(req.url);
  const scopeUrl = new URL(scope);
  if (url.origin !== scopeUrl.origin || !url.pathname.startsWith(scopeUrl.pathname)) return { kind: 'pass' };
  const path = decodeURIComponent(url.pathname.slice(scopeUrl.pathname.length));
  const byUrl = new Map(manifest.entries.map((e) => [e.url, e]));
  if (req.mode === 'navigate') {
    const page = path === '' || path.endsWith('/') ? `${path}index.html` : path;
    const entry = byUrl.get(page) ?? (page.endsWith('.html') ? undefined : byUrl.get(`${page}.html`));
    if (entry !== undefined && entry.url.endsWith('.html')) return { kind: 'cache-first', entry };
    // A file opened in the tab (a model's JSON, an image) is not a page of the app: the network's answer.
    if (/\.[A-Za-z0-9]+$/.test(page) && !page.endsWith('.html')) return { kind: 'pass' };
    return { kind: 'navigation-fallback', entry: byUrl.get('index.html') };
  }
  const entry = byUrl.get(path);
  if (entry === undefined) return path.startsWith('assets/') ? { kind: 'older-build' } : { kind: 'pass' };
  if (entry.strategy === 'network-first') return { kind: 'network-first', entry };
  return { kind: 'cache-first', entry };
}

/** Headers with the isolation headers added where the response lacks them. */
export function withIsolationHeaders(headers: Headers): Headers {
  const out = new Headers(headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) if (!out.has(name)) out.set(name, value);
  return out;
}
