import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, fileFromDisk, readTiles, SHARED, sharedBrowser, stubFolderPicker } from './browser';

const REAL = join(SHARED, 'images/real');
const photos = readdirSync(REAL).filter((f) => f.endsWith('.jpg')).sort();
const base = inject('baseUrl');

const chrome = sharedBrowser();

describe('nothing is lost on reload', () => {
  it('reloaded mid-analysis: finished images keep their scores, a re-drop analyses only the rest', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 2400 } });
    const page = await context.newPage();
    // WebGPU on the software adapter at batch 1 is slow enough to reload in the middle.
    const url = new URL('?model=clip-tiny&backend=webgpu&batch=1', base).href;
    await page.goto(url);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="webgpu"]', { timeout: 240_000 });
    await dropFiles(page, photos.map((p) => fileFromDisk(join(REAL, p))));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"][data-status="scored"]').length >= 3, undefined, { timeout: 120_000 });
    await page.click('[data-testid="tile"][data-status="scored"]');
    await page.keyboard.press('p');
    const picked = await page.getAttribute('[data-testid="tile"][data-focused="true"]', 'data-id');
    await page.waitForSelector(`[data-testid="tile"][data-id="${picked}"][data-decision="pick"]`);

    await page.reload();
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="webgpu"]', { timeout: 240_000 });
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tile"]').length === n, photos.length, { timeout: 60_000 });
    await page.waitForSelector(`[data-testid="tile"][data-id="${picked}"][data-decision="pick"][data-status="scored"]`, { timeout: 60_000 });
    const restored = await readTiles(page);
    const scoredBefore = new Map(restored.filter((t) => t.status === 'scored').map((t) => [t.name, t.score]));
    expect(scoredBefore.size).toBeGreaterThanOrEqual(3);
    expect(scoredBefore.size).toBeLessThan(photos.length);
    // The others say what they need: the file again.
    const waiting = await page.$$eval('[data-testid="tile"][data-status="cancelled"] .meta', (els) => els.map((e) => e.textContent ?? ''));
    expect(waiting.length).toBe(photos.length - scoredBefore.size);
    for (const text of waiting) expect(text).toMatch(/drop the file again/);

    // Re-drop: files re-attach by content hash; only the unfinished ones are analysed.
    await dropFiles(page, photos.map((p) => fileFromDisk(join(REAL, p))));
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="tile"][data-status="scored"]').length === n,
      photos.length,
      { timeout: 240_000 },
    );
    const done = await readTiles(page);
    for (const [name, score] of scoredBefore) expect(done.find((t) => t.name === name)?.score).toBe(score);
    const progress = await page.getAttribute('[data-testid="progress"]', 'data-total');
    expect(Number(progress)).toBe(photos.length - scoredBefore.size);
    expect(await page.getAttribute(`[data-testid="tile"][data-id="${picked}"]`, 'data-decision')).toBe('pick');
    await context.close();
  });
});

describe('reconnecting a folder after a reload (File System Access API)', () => {
  it('remembers the opened folder and gives the files back with one click', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 1600 } });
    // The native folder dialog cannot be driven headless: it answers with a folder of the origin-private
    // file system, a real FileSystemDirectoryHandle like the one the dialog returns.
    await stubFolderPicker(context, 'photos');
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    const four = photos.slice(0, 4);
    await page.evaluate(async (files) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('photos', { create: true });
      for (const f of files) {
        const w = await (await dir.getFileHandle(f.name, { create: true })).createWritable();
        await w.write(new Uint8Array(f.bytes));
        await w.close();
      }
    }, four.map((name) => ({ name, bytes: Array.from(fileFromDisk(join(REAL, name)).bytes) })));

    await page.click('[data-testid="pick-folder"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tile"][data-status="scored"]').length === n, four.length, { timeout: 60_000 });

    await page.reload();
    await page.waitForSelector('[data-testid="reconnect-banner"]', { timeout: 60_000 });
    await page.click('[data-testid="reconnect"]');
    await page.waitForSelector('[data-testid="reconnect-banner"]', { state: 'detached', timeout: 60_000 });
    // With its file back, the loupe shows the original, not the stored thumbnail.
    await page.click('[data-testid="tile"]');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid="loupe-image"][data-source="file"]');
    await context.close();
  });
});
