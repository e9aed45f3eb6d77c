/**
 * Scale benchmark (issue 7): 1,000 / 5,000 / 20,000 small generated photos in one drop on the real app
 * (clip-tiny, WASM), each in a fresh browser context. Per size: time, throughput, the page's peak JS heap
 * (and heap + ArrayBuffer backing stores), the whole tab's memory with its workers
 * (performance.measureUserAgentSpecificMemory, the page is cross-origin isolated) after the run, how many
 * tiles are in the DOM (the grid is windowed), the frame times while the whole grid is scrolled top to bottom,
 * and whether the grid jumps to the last image.
 * GPU memory is not measured: the run is on WASM (on this machine the only adapter is SwiftShader).
 *
 *     npm run bench:scale            # all sizes (≈ 15 min on 2 cores)
 *     npm run bench:scale -- 1000    # some sizes
 *
 * Writes bench/scale-results.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../e2e/browser';
import { imageUrls, PageErrors, runApp } from './browser';
import { ensureImages } from './images';
import { distStaleReason, ROOT, serve, viteBuild } from './server';

const args = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SIZES = args.length ? args : [1000, 5000, 20_000];
const WIDTH = 160;
const HEIGHT = 120;

interface AfterRun {
  tabMemoryBytes: number | null;
  tabMemoryBreakdown: { bytes: number; types: string[] }[];
  tilesInDom: number;
  gridCount: number;
  lastTileShown: boolean;
  scrollMs: number;
  scroll: ScrollFrames;
}

interface ScrollFrames {
  frames: number;
  stepPx: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * Scrolls the grid from top to bottom one step per animation frame (at most ≈ 1,500 steps, at least half a
 * screen each) and times each frame (rAF to rAF): a frame that has to re-render many tiles shows as a long one.
 */
async function scrollFrames(page: Page): Promise<ScrollFrames> {
  return page.evaluate(async () => {
    // Under tsx (esbuild's keepNames) named arrows are wrapped in __name(), which pages lack.
    (globalThis as { __name?: unknown }).__name ??= (f: unknown) => f;
    const total = document.documentElement.scrollHeight - window.innerHeight;
    const stepPx = Math.max(Math.round(window.innerHeight / 2), Math.ceil(total / 1500));
    window.scrollTo(0, 0);
    const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
    const times: number[] = [];
    let last = await frame();
    for (let y = stepPx; y <= total + stepPx; y += stepPx) {
      window.scrollTo(0, Math.min(y, total));
      const now = await frame();
      times.push(now - last);
      last = now;
    }
    const sorted = [...times].sort((a, b) => a - b);
    return { frames: times.length, stepPx, p95Ms: sorted[Math.floor(0.95 * (sorted.length - 1))] ?? 0, maxMs: sorted.at(-1) ?? 0 };
  });
}

async function afterRun(page: Page): Promise<AfterRun> {
  const memory = await page.evaluate(async () => {
    const p = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: { bytes: number; types: string[] }[] }> };
    if (!p.measureUserAgentSpecificMemory) return null;
    const m = await p.measureUserAgentSpecificMemory();
    return { bytes: m.bytes, breakdown: m.breakdown.filter((b) => b.bytes > 0).map((b) => ({ bytes: b.bytes, types: b.types })) };
  });
  const gridCount = Number(await page.getAttribute('[data-testid="grid"]', 'data-count'));
  const scroll = await scrollFrames(page);
  const t0 = Date.now();
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  // The last row is drawn once the scroll lands: the last image in view order is in the DOM.
  const lastTileShown = await page
    .waitForFunction(() => {
      const tiles = [...document.querySelectorAll('[data-testid="tile"]')];
      const grid = document.querySelector('[data-testid="grid"]');
      return tiles.length > 0 && grid !== null && tiles.some((t) => t.getBoundingClientRect().bottom > window.innerHeight - 400);
    }, undefined, { timeout: 30_000 })
    .then(() => true, () => false);
  const scrollMs = Date.now() - t0;
  const tilesInDom = await page.locator('[data-testid="tile"]').count();
  return { tabMemoryBytes: memory?.bytes ?? null, tabMemoryBreakdown: memory?.breakdown ?? [], tilesInDom, gridCount, lastTileShown, scrollMs, scroll };
}

// LOUPE_BENCH_DIST: another build to measure (e.g. an older commit's, for a before/after in one session).
const DIST = process.env.LOUPE_BENCH_DIST ?? 'dist';
const stale = DIST === 'dist' ? distStaleReason() : null;
if (stale) {
  console.log(`building dist/ (${stale})`);
  viteBuild();
}
const set = await ensureImages(Math.max(...SIZES), WIDTH, HEIGHT, (l) => console.log(l));
const { server, baseUrl } = await serve(DIST);
const browser = await launchChromium();
const errors = new PageErrors();
const rows: object[] = [];
const MB = 1024 * 1024;
try {
  for (const n of SIZES) {
    let after: AfterRun | null = null;
    const r = await runApp(browser, baseUrl, 'model=clip-tiny&backend=wasm&people=off', imageUrls(set, n), errors, `scale-${n}`, {
      afterRun: async (page) => void (after = await afterRun(page)),
    });
    const a = after as AfterRun | null;
    const row = {
      images: n,
      elapsedS: r.elapsedMs / 1000,
      imagesPerSecond: r.imagesPerSecond,
      scored: r.scored,
      failed: r.failed,
      heapBeforeMB: r.heap.beforeDropBytes / MB,
      heapPeakMB: r.heap.peakBytes / MB,
      heapWithBuffersPeakMB: r.heap.peakWithBuffersBytes / MB,
      heapAfterMB: r.heap.afterBytes / MB,
      tabMemoryAfterMB: a?.tabMemoryBytes == null ? null : a.tabMemoryBytes / MB,
      tabMemoryBreakdown: a?.tabMemoryBreakdown ?? [],
      tilesInDom: a?.tilesInDom ?? null,
      gridCount: a?.gridCount ?? null,
      lastTileShown: a?.lastTileShown ?? null,
      scrollMs: a?.scrollMs ?? null,
      /** Frame times while scrolling the whole grid top to bottom (scrollFrames). */
      scrollFrames: a?.scroll ?? null,
      longTasksOver50: r.longTasks.over50,
      longestTaskMs: r.longTasks.maxMs,
    };
    rows.push(row);
    console.log(
      `${String(n).padStart(6)} images · ${row.elapsedS.toFixed(1)} s (${row.imagesPerSecond.toFixed(0)}/s) · scored ${r.scored}, failed ${r.failed} · page heap peak ${row.heapPeakMB.toFixed(0)} MB (+buffers ${row.heapWithBuffersPeakMB.toFixed(0)} MB) · tab with workers after ${row.tabMemoryAfterMB?.toFixed(0) ?? '–'} MB · ${row.tilesInDom} tiles in the DOM for ${row.gridCount} · scrolled to the end: ${row.lastTileShown} · scrolling ${row.scrollFrames?.frames ?? '–'} frames, p95 ${row.scrollFrames?.p95Ms.toFixed(1) ?? '–'} ms, max ${row.scrollFrames?.maxMs.toFixed(1) ?? '–'} ms · longest task ${row.longestTaskMs.toFixed(0)} ms`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
if (errors.messages.length) console.log(`page errors:\n${errors.messages.slice(0, 20).join('\n')}`);
const out = join(ROOT, 'bench/scale-results.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg(), imageSize: `${WIDTH}x${HEIGHT}`, rows, errors: errors.messages.slice(0, 50) }, null, 2)}\n`);
console.log(`written to ${out}`);
