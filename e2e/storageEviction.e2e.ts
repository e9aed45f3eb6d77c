/**
 * Storage that stays (issue 15): the storage panel shows the thumbnails apart from the models and the rest of
 * the library, and a load after the browser evicted the site's data (IndexedDB and Cache Storage deleted,
 * localStorage kept, as Chromium evicts under storage pressure) says plainly what was lost, once. A normal reload,
 * or models deleted with the app's own action, say nothing.
 */
import { describe, expect, inject, it } from 'vitest';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { dropFiles, freshPage, sharedBrowser } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();
const APP = new URL('?model=clip-tiny&backend=wasm&people=off', base).href;
const BYTES = /^([\d.]+) (B|KB|MB|GB)$/;

async function photo(shade: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: 640, height: 480, channels: 3, background: shade }, }).jpeg().toBuffer());
}

const noticeText = async (page: Page) => ((await page.locator('[data-testid="notice"]').count()) ? await page.textContent('[data-testid="notice"]') : '') ?? '';

async function load(page: Page): Promise<void> {
  await page.goto(APP);
  await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
}

async function openStorage(page: Page) {
  await page.click('[data-testid="storage-button"]');
  const panel = page.locator('[data-testid="storage-panel"]');
  await panel.waitFor();
  return panel;
}

describe('storage: thumbnails apart, eviction said plainly', () => {
  it('shows the thumbnails apart; after the browser evicts the data, says what was lost, once', async () => {
    const page = await freshPage(chrome.browser);
    await load(page);
    // A first visit says nothing.
    expect(await noticeText(page)).not.toContain('The browser deleted');
    await dropFiles(page, [
      { name: 'a.jpg', bytes: await photo('#a53') },
      { name: 'b.jpg', bytes: await photo('#35a') },
      { name: 'c.jpg', bytes: await photo('#3a5') },
    ]);
    await expect.poll(() => page.locator('[data-testid="tile"][data-status="scored"]').count(), { timeout: 120_000 }).toBe(3);

    // The panel: models, library and thumbnails, each a figure.
    let panel = await openStorage(page);
    const thumbnails = panel.locator('[data-testid="storage-thumbnails"] td');
    await expect.poll(() => thumbnails.textContent(), { timeout: 30_000 }).toMatch(BYTES);
    const [, figure, unit] = BYTES.exec((await thumbnails.textContent()) ?? '')!;
    expect(Number(figure) * (unit === 'B' ? 1 : 1000)).toBeGreaterThan(0);
    expect(await panel.locator('[data-testid="storage-thumbnails"] th').textContent()).toBe('Thumbnails');
    expect(await panel.locator('[data-testid="storage-models"] td').textContent()).toMatch(/^[\d.]+ (KB|MB)$/);
    expect(await panel.locator('[data-testid="storage-library"] td').textContent()).toMatch(BYTES);
    expect(await panel.locator('[data-testid="storage-evicted"]').count()).toBe(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count()).toBe(0);
    // The note of what is stored has caught up with the drop (it is written shortly after the library changes).
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('loupe-kept-v1')))
      .toBe(JSON.stringify({ models: ['clip-tiny'], library: 3 }));

    // A normal reload: everything is there, nothing to say.
    await load(page);
    await expect.poll(() => page.locator('[data-testid="tile"]').count(), { timeout: 60_000 }).toBe(3);
    await page.waitForTimeout(1500);
    expect(await noticeText(page)).not.toContain('The browser deleted');

    // The browser evicts the site's data under storage pressure: IndexedDB and Cache Storage go, localStorage stays.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Storage.clearDataForOrigin', { origin: new URL(base).origin, storageTypes: 'indexeddb,cache_storage' });
    // Told as the page opens, while the model downloads again (not after: a notice fades once read).
    await page.goto(APP);
    const told =
      'The browser deleted this site’s saved library (3 photos’ decisions and scores) and the downloaded model (clip-tiny) to free space. ' +
      'Drop the folder again to analyse it. It is downloaded again, which needs a connection. ' +
      'To stop this, choose “Keep my data on this device” in Storage.';
    await expect.poll(() => noticeText(page), { timeout: 30_000 }).toBe(told);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    expect(await page.locator('[data-testid="tile"]').count()).toBe(0);
    panel = await openStorage(page);
    expect(await panel.locator('[data-testid="storage-evicted"]').textContent()).toBe(told);
    await page.keyboard.press('Escape');

    // Said once: the next load (models downloaded again meanwhile) says nothing.
    await expect.poll(() => page.evaluate(() => localStorage.getItem('loupe-kept-v1'))).toBe(JSON.stringify({ models: ['clip-tiny'], library: 0 }));
    await load(page);
    await page.waitForTimeout(1500);
    expect(await noticeText(page)).not.toContain('The browser deleted');

    // Models deleted with the app's own action are not reported as lost.
    panel = await openStorage(page);
    await panel.locator('[data-testid="delete-models"]').click();
    await expect.poll(() => noticeText(page)).toContain('The downloaded models were deleted');
    await load(page);
    await page.waitForTimeout(1500);
    expect(await noticeText(page)).not.toContain('The browser deleted');
    await page.close();
  }, 360_000);
});
