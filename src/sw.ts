/// <reference lib="webworker" />
/**
 * Loupe's service worker (built to /sw.js by build/precacheManifest.ts, registered in production only).
 *
 * Install: every file the build emitted (HTML, JS, CSS, ORT's and TF.js's .wasm and .mjs, icons) is put
 * in a cache named after the build's version, each checked against its sha256; files whose bytes did not
 * change since the previous version are copied from its cache instead of downloaded again.
 * Activate: older app caches are deleted and open pages are taken over.
 * Fetch: precached files come from the cache; navigations get the cached HTML (with the cross-origin
 * isolation headers, so WASM threads survive offline). Model files are not ours: the engine keeps them in
 * its own Cache Storage entry (`loupe-models-v1`) and looks there before any fetch.
 */
import {
  appCacheName,
  REVISION_HEADER,
  routeRequest,
  staleAppCaches,
  withIsolationHeaders,
  type PrecacheEntry,
  type PrecacheManifest,
} from './offline/precache';
import { sha256Hex } from './platform/sha256Hex';

declare let self: ServiceWorkerGlobalScope;

// Replaced by the build with the list of emitted files (see build/precacheManifest.ts).
const MANIFEST: PrecacheManifest = (self as unknown as { __LOUPE_PRECACHE__: PrecacheManifest }).__LOUPE_PRECACHE__;
const CACHE = appCacheName(MANIFEST.version);
const PARALLEL = 4;

function absolute(entry: PrecacheEntry): string {
  return new URL(entry.url, self.registration.scope).href;
}

/** A response the cache can keep: its revision recorded, the isolation headers present, not redirected. */
function stored(body: ArrayBuffer | ReadableStream<Uint8Array> | null, from: Response, sha256: string): Response {
  const headers = withIsolationHeaders(from.headers);
  headers.set(REVISION_HEADER, sha256);
  return new Response(body, { status: from.status, statusText: from.statusText, headers });
}

async function fromOlderCache(entry: PrecacheEntry, url: string): Promise<Response | undefined> {
  for (const name of staleAppCaches(await caches.keys(), CACHE)) {
    const old = await (await caches.open(name)).match(url);
    if (old?.headers.get(REVISION_HEADER) === entry.sha256) return old;
  }
  return undefined;
}

async function precacheOne(cache: Cache, entry: PrecacheEntry): Promise<void> {
  const url = absolute(entry);
  const have = await cache.match(url);
  if (have?.headers.get(REVISION_HEADER) === entry.sha256) return; // an interrupted install, retried
  const reused = await fromOlderCache(entry, url);
  if (reused !== undefined) return cache.put(url, reused);
  // `no-cache`: revalidate, so a stale HTTP-cached copy of an unhashed file (index.html) is not kept.
  const response = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
  if (!response.ok || response.redirected) {
    throw new Error(`precache: ${url} answered ${response.status}${response.redirected ? ' (redirected)' : ''}`);
  }
  const bytes = await response.arrayBuffer();
  const got = await sha256Hex(bytes);
  // A server already on a newer build: fail this install; the next visit installs the newer worker.
  if (got !== entry.sha256) throw new Error(`precache: ${url} has sha256 ${got}, the build listed ${entry.sha256}`);
  await cache.put(url, stored(bytes, response, entry.sha256));
}

async function install(): Promise<void> {
  const cache = await caches.open(CACHE);
  const queue = [...MANIFEST.entries];
  const lane = async (): Promise<void> => {
    for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) await precacheOne(cache, entry);
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  // A new build takes over at once: its cache is complete, and old pages keep their already-loaded code.
  await self.skipWaiting();
}

async function activate(): Promise<void> {
  await Promise.all(staleAppCaches(await caches.keys(), CACHE).map((name) => caches.delete(name)));
  await self.clients.claim();
}

/** A cached response with the isolation headers, as the server sends them (a Response's headers are immutable). */
function isolated(response: Response): Response {
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: withIsolationHeaders(response.headers),
  });
}

async function cached(entry: PrecacheEntry): Promise<Response | undefined> {
  const response = await (await caches.open(CACHE)).match(absolute(entry));
  return response === undefined ? undefined : isolated(response);
}

async function cacheFirst(request: Request, entry: PrecacheEntry): Promise<Response> {
  // Missing only if the browser evicted the cache: the network still has the file while online.
  return (await cached(entry)) ?? fetch(request);
}

async function networkFirst(request: Request, entry: PrecacheEntry): Promise<Response> {
  try {
    const response = await fetch(request);
    if (response.ok) return response;
    return (await cached(entry)) ?? response;
  } catch (error) {
    const response = await cached(entry);
    if (response !== undefined) return response;
    throw error;
  }
}

async function navigationFallback(request: Request, index: PrecacheEntry | undefined): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    const response = index === undefined ? undefined : await cached(index);
    if (response !== undefined) return response;
    throw error;
  }
}

self.addEventListener('install', (event) => event.waitUntil(install()));
self.addEventListener('activate', (event) => event.waitUntil(activate()));
self.addEventListener('fetch', (event) => {
  const { request } = event;
  const route = routeRequest(MANIFEST, self.registration.scope, request);
  switch (route.kind) {
    case 'pass':
      return;
    case 'cache-first':
      return event.respondWith(cacheFirst(request, route.entry));
    case 'network-first':
      return event.respondWith(networkFirst(request, route.entry));
    case 'navigation-fallback':
      return event.respondWith(navigationFallback(request, route.entry));
  }
});
