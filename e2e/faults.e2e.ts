/**
 * Faults mid-analysis: the WebGPU device is destroyed while a batch of photos is being scored (as a
 * driver reset or a GPU taken away would do). The engine must move to WASM, say so, and finish every
 * image — with the scores WASM gives on its own.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, fileFromDisk, freshPage, readTiles, SHARED, sharedBrowser, waitForAnalysis } from './browser';

const REAL = join(SHARED, 'images/real');
const photos = readdirSync(REAL).filter((f) => f.endsWith('.jpg')).sort().map((p) => fileFromDisk(join(REAL, p)));
const base = inject('baseUrl');
const chrome = sharedBrowser();

describe('faults during an analysis', () => {
  it('moves to WASM when the WebGPU device is lost mid-batch, says so, and scores every image as WASM does', async () => {
    const page = await freshPage(chrome.browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Batches of 2: the loss lands between the first batches and the last.
    await page.goto(new URL('?model=clip-tiny&backend=webgpu&batch=2&testHooks=1', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="webgpu"]', { timeout: 240_000 });
    await dropFiles(page, photos);
    await page.waitForSelector('[data-testid="tile"][data-status="scored"]', { timeout: 120_000 });
    await page.evaluate(() => (window as unknown as { loupeTestHooks: { loseGpuDevice(): Promise<void> } }).loupeTestHooks.loseGpuDevice());
    const scoredOnGpu = (await readTiles(page)).filter((t) => t.status === 'scored').length;
    expect(scoredOnGpu).toBeLessThan(photos.length);

    const tiles = await waitForAnalysis(page, photos.length);
    expect(tiles.filter((t) => t.error !== null).map((t) => `${t.name}: ${t.error}`)).toEqual([]);
    expect(tiles.every((t) => t.status === 'scored')).toBe(true);
    expect(await page.getAttribute('[data-testid="backend-badge"]', 'data-backend')).toBe('wasm');
    expect(await page.getAttribute('[data-testid="backend-badge"]', 'title')).toMatch(/WebGPU device lost/);
    expect(await page.textContent('[data-testid="notice"]')).toMatch(/WebGPU stopped working .*WebAssembly/);
    expect(errors).toEqual([]);

    // A tag still embeds after the move: the text encoder is rebuilt on WASM too.
    await page.fill('[data-testid="tag-input"]', 'a photo');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="tag-chip"][data-tag="a photo"][data-status="ready"]', { timeout: 60_000 });

    // The same photos on WASM from the start: the images scored after the move match them.
    const reference = await freshPage(chrome.browser);
    await reference.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await reference.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 240_000 });
    await dropFiles(reference, photos);
    const wasm = new Map((await waitForAnalysis(reference, photos.length)).map((t) => [t.name, t.score!]));
    for (const t of tiles) expect(Math.abs(t.score! - wasm.get(t.name)!), t.name).toBeLessThan(1e-3);
    await reference.close();
    await page.close();
  });
});
