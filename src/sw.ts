/// <reference lib="webworker" />
/**
 * Loupe's service worker (built to /sw.js by build/precacheManifest.ts, registered in production only).
 *
 * Install: every file the build emitted (HTML, JS, CSS, ORT's and TF.js's .wasm and .mjs, icons) is put
 * in a cache named after the build's version, each checked against its sha256; files whose bytes did not
 * change since the previous version are copied from its cache instead of downloaded again.
 * Activate: open pages are taken over; older app caches are kept for the pages still running their build
 * (they keep their loaded code and may still load a lazy chunk of it, online or not), and deleted once
 * none of those pages is open (checked at activation and whenever a page of the app starts).
 * Fetch: precached files come from the cache; navigations get the cached HTML (with the cross-origin
 * isolation headers, so WASM threads survive offline). Model files are not ours: the engine keeps them in
 * its own Cache Storage entry (`loupe-models-v1`) and looks there before any fetch.
 */
import {
  appCacheName,
  releaseRetained,
  retainOnActivate,
  REVISION_HEADER,
  routeRequest,
  RELEASE_MESSAGE,
  staleAppCaches,
  withIsolationHeaders,
  type PrecacheEntry,
  type PrecacheManifest,
  type RetainedCaches,
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

/** Where the worker keeps its list of retained caches (not an app cache: it outlives builds). */
const STATE_CACHE = 'loupe-sw-state';
const retainedKey = () => new URL('__loupe/retained-caches.json', self.registration.scope).href;

async function readRetained(): Promise<RetainedCaches> {
  const response = await (await caches.open(STATE_CACHE)).match(retainedKey());
  return response ? ((await response.json()) as RetainedCaches) : {};
}

async function openClientIds(): Promise<string[]> {
  return (await self.clients.matchAll({ includeUncontrolled: true, type: 'window' })).map((c) => c.id);
}

/** Keeps `retained` minus the caches no open page needs, which are deleted; returns how many are still kept. */
async function settleRetained(retained: RetainedCaches, open: string[]): Promise<number> {
  const { keep, remove } = releaseRetained(retained, open);
  await Promise.all(remove.map((name) => caches.delete(name)));
  const body = JSON.stringify(keep);
  await (await caches.open(STATE_CACHE)).put(retainedKey(), new Response(body, { headers: { 'content-type': 'application/json' } }));
  return Object.keys(keep).length;
}

// One at a time: an activation and a page's start may race over the same list.
let settling: Promise<unknown> = Promise.resolve();
function serially<T>(task: () => Promise<T>): Promise<T> {
  const run = settling.then(task, task);
  settling = run.catch(() => undefined);
  return run;
}

async function activate(): Promise<void> {
  await serially(async () => {
    const open = await openClientIds();
    await settleRetained(retainOnActivate(await readRetained(), staleAppCaches(await caches.keys(), CACHE), open), open);
  });
  await self.clients.claim();
}

/**
 * A page started (a reload among them): older caches kept only for pages now closed can go. The page a reload
 * replaced is still listed for a moment after the new one starts, so a cache still kept is looked at again.
 */
async function releaseClosed(): Promise<void> {
  for (const delayMs of [0, 2000, 10_000]) {
    if (delayMs > 0) await new Promise((done) => setTimeout(done, delayMs));
    const kept = await serially(async () => settleRetained(await readRetained(), await openClientIds()));
    if (kept === 0) return;
  }
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

/** A file of an older build, for a page still running it: from that build's retained cache, else the network. */
async function fromOlderBuild(request: Request): Promise<Response> {
  for (const name of staleAppCaches(await caches.keys(), CACHE)) {
    const response = await (await caches.open(name)).match(request, { ignoreSearch: true });
    if (response !== undefined) return isolated(response);
  }
  return fetch(request);
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
self.addEventListener('message', (event) => {
  if (event.data === RELEASE_MESSAGE) event.waitUntil(releaseClosed());
});
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
    case 'older-build':
      return event.respondWith(fromOlderBuild(request));
  }
});
