import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, fileFromDisk, freshPage, readTiles, SHARED, waitForAnalysis, type DropFile, type TileState, sharedBrowser } from './browser';

const REAL = join(SHARED, 'images/real');
const photos = readdirSync(REAL).filter((f) => f.endsWith('.jpg')).sort();

/** Bad input made in the test: nothing here is committed. */
function badFiles(): DropFile[] {
  const jpeg = readFileSync(join(REAL, photos[0]));
  return [
    { name: 'notes.txt', bytes: new TextEncoder().encode('these are my notes, not a photo\n') },
    { name: 'empty.jpg', bytes: new Uint8Array(0) },
    { name: 'truncated.jpg', bytes: new Uint8Array(jpeg.subarray(0, Math.floor(jpeg.length / 2))) },
  ];
}

const base = inject('baseUrl');
const chrome = sharedBrowser();

async function analyse(query: string, files: DropFile[]): Promise<{ page: Page; tiles: TileState[] }> {
  const page = await freshPage(chrome.browser);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(new URL(`?${query}`, base).href);
  await page.waitForSelector('[data-testid="backend-badge"][data-backend]:not([data-backend=""])', { timeout: 240_000 });
  await dropFiles(page, files);
  const tiles = await waitForAnalysis(page, files.length);
  expect(errors).toEqual([]);
  return { page, tiles };
}

function scoresByName(tiles: TileState[]): Map<string, number> {
  return new Map(tiles.filter((t) => t.status === 'scored').map((t) => [t.name, t.score!]));
}

describe('drop photos, get scores (clip-tiny, real browser)', () => {
  let webgpuScores: Map<string, number>;

  it('has a real WebGPU adapter in this Chromium', async () => {
    const page = await freshPage(chrome.browser);
    await page.goto(base);
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? { vendor: a.info.vendor, architecture: a.info.architecture } : null;
    });
    expect(adapter).not.toBeNull();
    await page.close();
  });

  it('scores every photo on forced WebGPU, and names the reason on each bad file', async () => {
    const files = [...photos.map((p) => fileFromDisk(join(REAL, p))), ...badFiles()];
    const { page, tiles } = await analyse('model=clip-tiny&backend=webgpu', files);
    expect(await page.getAttribute('[data-testid="backend-badge"]', 'data-backend')).toBe('webgpu');
    expect(await page.textContent('[data-testid="backend-badge"]')).toContain('WebGPU');

    webgpuScores = scoresByName(tiles);
    expect(webgpuScores.size).toBe(photos.length);
    for (const p of photos) expect(Number.isFinite(webgpuScores.get(p))).toBe(true);
    // Random weights still give each photo its own embedding, hence its own score.
    expect(new Set([...webgpuScores.values()].map((s) => s.toFixed(6))).size).toBeGreaterThan(photos.length / 2);

    const shown = await page.$$eval('[data-testid="score"]', (els) => els.map((e) => e.textContent ?? ''));
    expect(shown).toHaveLength(photos.length);
    for (const s of shown) expect(s).toMatch(/^-?\d+\.\d$/);

    const byName = new Map(tiles.map((t) => [t.name, t]));
    expect(byName.get('notes.txt')?.error).toMatch(/not an image/);
    expect(byName.get('empty.jpg')?.error).toMatch(/empty file \(0 bytes\)/);
    expect(byName.get('truncated.jpg')?.error).toMatch(/truncated JPEG/);

    // Sorted by score, best first: the grid's order is the score order.
    const order = tiles.filter((t) => t.status === 'scored').map((t) => t.score!);
    expect(order).toEqual([...order].sort((a, b) => b - a));
    await page.screenshot({ path: 'test-results/webgpu-scores.png', fullPage: false });
    await page.close();
  });

  it('gives the same scores on WASM (within 1e-3)', async () => {
    const { page, tiles } = await analyse('model=clip-tiny&backend=wasm', photos.map((p) => fileFromDisk(join(REAL, p))));
    expect(await page.getAttribute('[data-testid="backend-badge"]', 'data-backend')).toBe('wasm');
    const wasm = scoresByName(tiles);
    expect(wasm.size).toBe(photos.length);
    for (const p of photos) expect(Math.abs(wasm.get(p)! - webgpuScores.get(p)!)).toBeLessThan(1e-3);
    await page.close();
  });

  it('picks WASM on its own when the only adapter is a software one, and says why', async () => {
    const page = await freshPage(chrome.browser);
    await page.goto(new URL('?model=clip-tiny', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend]:not([data-backend=""])', { timeout: 120_000 });
    expect(await page.getAttribute('[data-testid="backend-badge"]', 'data-backend')).toBe('wasm');
    expect(await page.textContent('[data-testid="backend-reason"]')).toMatch(/software fallback/i);
    await page.close();
  });
});

describe('without a model', () => {
  it('still opens images and says what is missing and how to get it', async () => {
    const page = await freshPage(chrome.browser);
    await page.goto(new URL('?model=no-such-model', base).href);
    const problem = await page.waitForSelector('[data-testid="engine-problem"]', { timeout: 60_000 });
    expect(await problem.textContent()).toMatch(/models:fetch/);
    await dropFiles(page, photos.slice(0, 3).map((p) => fileFromDisk(join(REAL, p))));
    const tiles = await waitForAnalysis(page, 3);
    for (const t of tiles) expect(t.status).toBe('decoded');
    expect(await page.$$eval('[data-testid="tile"] img', (els) => els.length)).toBe(3);
    await page.close();
  });
});

describe('cancel and resume', () => {
  it('stops on Cancel, keeps the scores made, and finishes the rest on Resume', async () => {
    const page = await freshPage(chrome.browser);
    await page.goto(new URL('?model=clip-tiny&backend=webgpu&batch=1', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="webgpu"]', { timeout: 240_000 });
    await dropFiles(page, photos.map((p) => fileFromDisk(join(REAL, p))));
    await page.waitForSelector('[data-testid="tile"][data-status="scored"]', { timeout: 120_000 });
    await page.click('[data-testid="cancel"]');
    await page.waitForSelector('[data-testid="resume"]', { timeout: 60_000 });
    const afterCancel = await readTiles(page);
    const scoredBefore = afterCancel.filter((t) => t.status === 'scored');
    expect(scoredBefore.length).toBeGreaterThan(0);
    expect(afterCancel.filter((t) => t.status === 'cancelled').length).toBeGreaterThan(0);
    expect(afterCancel.filter((t) => t.status === 'queued')).toEqual([]);

    await page.click('[data-testid="resume"]');
    const done = await waitForAnalysis(page, photos.length);
    expect(done.every((t) => t.status === 'scored')).toBe(true);
    // Scores made before the cancel are the ones still shown.
    const now = new Map(done.map((t) => [t.name, t.score]));
    for (const t of scoredBefore) expect(now.get(t.name)).toBe(t.score);
    await page.close();
  });
});
