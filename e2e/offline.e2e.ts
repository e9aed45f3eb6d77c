/**
 * The installable, offline app: load it once, go offline (Playwright's offline mode, which in Chromium
 * also cuts the service worker's own fetches), reload, drop new photos, get scores. The test runs its own
 * preview server of the same build so that it can see every request that reaches it: while offline,
 * none may. A second context with service workers blocked shows that the worker is what makes the
 * offline reload work.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Connect } from 'vite';
import { preview, type PreviewServer } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropFiles, fileFromDisk, SHARED, sharedBrowser, waitForAnalysis } from './browser';

const REAL = join(SHARED, 'images/real');
const photos = readdirSync(REAL).filter((f) => f.endsWith('.jpg')).sort();
const QUERY = '?model=clip-tiny&backend=wasm';
const BADGE_WASM = '[data-testid="backend-badge"][data-backend="wasm"]';

const chrome = sharedBrowser();
let server: PreviewServer | null = null;
let base = '';
/** Every request the server received, in order: `GET /path`. */
const received: string[] = [];
/** Set while the test is offline: the server then refuses everything, as an unreachable host would. */
let unreachable = false;

beforeAll(async () => {
  const root = resolve(import.meta.dirname, '..');
  const outDir = resolve(root, process.env.LOUPE_DIST ?? 'dist');
  const log: Connect.NextHandleFunction = (req, _res, next) => {
    received.push(`${req.method} ${req.url}`);
    if (unreachable) req.socket.destroy();
    else next();
  };
  server = await preview({
    root,
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
    plugins: [{ name: 'offline-e2e-request-log', configurePreviewServer: (s) => void s.middlewares.use(log) }],
    logLevel: 'warn',
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('preview server has no URL');
  base = url;
});

afterEach(() => {
  unreachable = false;
});

afterAll(async () => {
  await server?.close();
});

describe('offline (service worker)', () => {
  it('after one visit, reloads without a network, stays cross-origin isolated, and scores new photos', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The engine reports a model file it could not get (auto-tags need the tokenizer and text encoder).
    page.on('console', (m) => {
      if (/is not available/.test(m.text())) errors.push(m.text());
    });
    await page.goto(new URL(QUERY, base).href);

    // The worker installs (precaching the app and ORT's wasm), activates and takes the page over.
    await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, { timeout: 60_000 });
    const sw = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL ?? '');
    expect(new URL(sw).pathname).toBe('/sw.js');
    await page.waitForSelector('[data-testid="offline-ready"]', { timeout: 10_000 });
    // Installable: a valid manifest, icons, a worker. Playwright's contexts are incognito, which alone blocks it.
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);
    expect(manifest.errors).toEqual([]);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
    await cdp.detach();

    // First visit, online: the model loads (and goes into the engine's cache), two photos get scores.
    await page.waitForSelector(BADGE_WASM, { timeout: 120_000 });
    await dropFiles(page, photos.slice(0, 2).map((p) => fileFromDisk(join(REAL, p))));
    const online = await waitForAnalysis(page, 2, 120_000);
    expect(online.map((t) => t.status)).toEqual(['scored', 'scored']);
    // Auto-tags run the text side (tokenizer, text encoder): once shown, every model file is in the cache.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"] [data-testid="autotag"]').length > 0, undefined, {
      timeout: 120_000,
    });
    const cacheNames = await page.evaluate(() => caches.keys());
    expect(cacheNames).toContain('loupe-models-v1'); // the engine's, with the model files
    expect(cacheNames.filter((n) => n.startsWith('loupe-app-'))).toHaveLength(1); // the worker's, one version
    const precached = await page.evaluate(async () => {
      const name = (await caches.keys()).find((n) => n.startsWith('loupe-app-'))!;
      return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    });
    expect(precached).toContain('/index.html');
    expect(precached.some((p) => /\/assets\/ort-wasm-simd-threaded\.jsep-.*\.wasm$/.test(p))).toBe(true);
    expect(precached.some((p) => /\/assets\/ort-wasm-simd-threaded\.jsep-.*\.mjs$/.test(p))).toBe(true);
    // No model file is precached: only the models' JSON manifests.
    expect(precached.filter((p) => p.startsWith('/models/') && !p.endsWith('/manifest.json'))).toEqual([]);

    await context.setOffline(true);
    unreachable = true;
    const seenBefore = received.length;
    // Offline mode covers the worker's own fetches: the catalogue (network-first) comes from its cache.
    const catalogue = await page.evaluate(async () => {
      const r = await fetch('/models/manifest.json');
      return { status: r.status, ok: Array.isArray(((await r.json()) as { models?: unknown }).models) };
    });
    expect(catalogue).toEqual({ status: 200, ok: true });
    // A page request the worker does not handle fails, as without a network.
    expect(await page.evaluate(() => fetch('/models/clip-tiny/generator.json').then(() => 'answered', () => 'failed'))).toBe('failed');

    await page.reload({ timeout: 30_000 });
    await page.waitForSelector('[data-testid="drop-zone"]', { timeout: 30_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await page.waitForSelector(BADGE_WASM, { timeout: 120_000 });
    expect(await page.textContent('[data-testid="backend-badge"]')).toContain('WASM');
    await page.waitForSelector('[data-testid="offline-ready"]', { timeout: 10_000 });

    // The session comes back from IndexedDB; two new photos are decoded, embedded and scored offline.
    await dropFiles(page, photos.slice(2, 4).map((p) => fileFromDisk(join(REAL, p))));
    const offline = await waitForAnalysis(page, 4, 120_000);
    const scored = offline.filter((t) => t.status === 'scored');
    expect(scored.map((t) => t.name).sort()).toEqual(photos.slice(0, 4));
    for (const t of scored) expect(Number.isFinite(t.score)).toBe(true);
    // Auto-tags too: the text encoder and tokenizer come from the engine's cache.
    await page.waitForFunction(
      (names) => names.every((n) => document.querySelector(`[data-testid="tile"][data-name="${n}"] [data-testid="autotag"]`) !== null),
      photos.slice(2, 4),
      { timeout: 120_000 },
    );

    // Nothing the page, its workers or the service worker asked for reached the server while offline. The
    // one exception is the browser's own update check of /sw.js on navigation, which Playwright's offline
    // mode does not cover (Chromium makes it outside the page and the worker); the server refused it, as
    // a real network outage would, and the installed worker carried on.
    expect(received.slice(seenBefore).filter((r) => r !== 'GET /sw.js')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('without the service worker the same offline reload fails', async () => {
    const context = await chrome.browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL(QUERY, base).href);
    await page.waitForSelector('[data-testid="drop-zone"]', { timeout: 30_000 });
    expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
    await context.setOffline(true);
    await expect(page.reload({ timeout: 30_000 })).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
    await context.close();
  });
});
