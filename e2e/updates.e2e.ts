/**
 * A deploy in the middle of a session (issue 15): a tab opened on one build, a new build deployed whose every
 * file name differs (LOUPE_ASSET_TAG, vite.config.ts), its service worker taking over, then the network gone.
 * The old tab still loads the lazy parts of its own build (decode and grouping workers, the taste worker and
 * TF.js) from the cache its build left behind, says a new version is ready, and after a reload runs the new
 * build, whose worker then deletes the old cache.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP_HEADER } from '../build/csp';
import { mulberry32 } from '../src/scoring/mulberry32';
import { dropFiles, sharedBrowser, waitForAnalysis, type DropFile } from './browser';

const ROOT = resolve(import.meta.dirname, '..');
const OLD_BUILD = resolve(ROOT, process.env.LOUPE_DIST ?? 'dist');
const NEW_BUILD = join(tmpdir(), 'loupe-e2e-new-build');
const QUERY = '?model=clip-tiny&backend=wasm&people=off';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const chrome = sharedBrowser();
let server: Server | null = null;
let base = '';
/** The build the server deploys; none while "offline" (the server then drops every connection). */
let deployed: string | null = OLD_BUILD;
const received: string[] = [];

/** A static server of one build at a time, with the headers the app is served with (isolation, CSP). */
function serve(): Promise<void> {
  server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    if (deployed === null) return void req.socket.destroy();
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(deployed, path));
    if (!file.startsWith(deployed)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end('not in this deploy');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Content-Security-Policy': CSP_HEADER,
      // Not in the browser's HTTP cache either: only the service worker's caches can give an old file back.
      'Cache-Control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((done) => server!.listen(0, '127.0.0.1', () => done()));
}

beforeAll(async () => {
  // The next deploy: the same app with every emitted file renamed.
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', NEW_BUILD, '--emptyOutDir'], {
    cwd: ROOT,
    // NODE_ENV is "test" under vitest: it would make a development build (React's, no service worker).
    env: { ...process.env, NODE_ENV: 'production', LOUPE_ASSET_TAG: 'next' },
    stdio: 'inherit',
  });
  await serve();
  base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
}, 300_000);

afterAll(async () => {
  await new Promise((done) => server?.close(done));
});

/** Warm blobs or cool stripes (two kinds any encoder tells apart), the first of each kind twice: a group. */
async function scenes(): Promise<DropFile[]> {
  const files: DropFile[] = [];
  for (const kind of ['warm', 'cool'] as const) {
    for (let n = 0; n < 5; n++) {
      const random = mulberry32(kind === 'warm' ? 10 + n : 50 + n);
      const px = Buffer.alloc(160 * 160 * 3);
      for (let i = 0; i < px.length; i += 3) {
        const x = (i / 3) % 160;
        const noise = (random() - 0.5) * 40;
        px[i] = kind === 'warm' ? 210 + noise * 0.3 : 40 + noise;
        px[i + 1] = kind === 'warm' ? 110 + noise : 120 + (Math.sin(x / 5 + n) > 0 ? 50 : 0) + noise;
        px[i + 2] = kind === 'warm' ? 40 + noise : 200 + noise * 0.3;
      }
      const image = sharp(px, { raw: { width: 160, height: 160, channels: 3 } });
      files.push({ name: `${kind}-${n}.jpg`, bytes: new Uint8Array(await image.clone().jpeg({ quality: 90 }).toBuffer()) });
      if (n === 0) files.push({ name: `${kind}-0-again.jpg`, bytes: new Uint8Array(await image.clone().jpeg({ quality: 80 }).toBuffer()) });
    }
  }
  return files;
}

const appCaches = (page: Page) => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('loupe-app-')).sort());

describe('a new build deployed while a tab is open', () => {
  it('leaves the old tab working, offline too, says a new version is ready, and cleans up after a reload', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} (${r.failure()?.errorText})`));

    // The first build: installed for offline use, the model loaded (and cached by the engine).
    await page.goto(new URL(QUERY, base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await page.waitForSelector('[data-testid="offline-ready"]', { timeout: 60_000 });
    const [oldCache] = await appCaches(page);
    expect(oldCache).toBeDefined();
    expect(await page.$('[data-testid="update-banner"]')).toBeNull();

    // The next build is deployed; the tab's worker finds it (as on its next update check) and it takes over.
    deployed = NEW_BUILD;
    await page.evaluate(async () => void (await (await navigator.serviceWorker.getRegistration())!.update()));
    await page.waitForSelector('[data-testid="update-banner"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="update-banner"]')).toMatch(/new version of Loupe is installed.*reload/i);
    await expect.poll(() => appCaches(page)).toHaveLength(2);
    expect(await appCaches(page)).toContain(oldCache);
    // The old build's files are gone from the server.
    const oldMain = await page.evaluate(() => (document.querySelector('script[type="module"][src]') as HTMLScriptElement).src);
    expect((await fetch(oldMain)).status).toBe(404);

    // Offline, the old tab analyses a folder: its decode and grouping workers load now, from its own build.
    deployed = null;
    await context.setOffline(true);
    const offlineFrom = received.length;
    const files = await scenes();
    await dropFiles(page, files);
    await waitForAnalysis(page, files.length);
    expect(await page.$$eval('[data-testid="tile"][data-status="scored"]', (els) => els.length)).toBe(files.length);
    await page.waitForFunction(() => {
      const group = (name: string) => document.querySelector(`[data-testid="tile"][data-name="${name}"]`)?.getAttribute('data-group') ?? '';
      return group('warm-0.jpg') !== '' && group('warm-0.jpg') === group('warm-0-again.jpg');
    }, undefined, { timeout: 60_000 });

    // …and learns a taste: the taste worker and TF.js, also its own build's.
    await page.fill('[data-testid="tag-input"]', 'a photo');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="tile"][data-rank="1"]', { timeout: 60_000 });
    // Every image in the ranking, however relevant to the tag.
    const threshold = page.locator('[data-testid="threshold"]');
    await threshold.fill((await threshold.getAttribute('min'))!);
    for (const [name, key, decision] of [['warm-1.jpg', 'p', 'pick'], ['warm-2.jpg', 'p', 'pick'], ['cool-1.jpg', 'x', 'reject'], ['cool-2.jpg', 'x', 'reject']]) {
      await page.click(`[data-testid="tile"][data-name="${name}"]`);
      await page.keyboard.press(key);
      await page.waitForSelector(`[data-testid="tile"][data-name="${name}"][data-decision="${decision}"]`);
    }
    await page.keyboard.press('t');
    await page.waitForSelector('[data-testid="taste"][data-status="ready"]', { timeout: 180_000 });
    // Nothing reached the server but the browser's own update checks of the worker script (they ignore
    // Playwright's offline mode, and find no server).
    expect(received.slice(offlineFrom).filter((r) => r !== 'GET /sw.js')).toEqual([]);
    expect(failed.filter((f) => f.includes('/assets/'))).toEqual([]);
    expect(errors).toEqual([]);

    // A reload (still offline) opens the new build; the old build's cache goes once no tab runs it.
    await page.reload();
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    expect(await page.evaluate(() => (document.querySelector('script[type="module"][src]') as HTMLScriptElement).src)).toMatch(/-next\.js$/);
    expect(await page.$('[data-testid="update-banner"]')).toBeNull();
    await expect.poll(() => appCaches(page), { timeout: 30_000 }).toHaveLength(1);
    expect(await appCaches(page)).not.toContain(oldCache);
    expect(errors).toEqual([]);
    await context.close();
  });
});
