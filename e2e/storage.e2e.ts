/**
 * Storage that stays (issue 15): the browser is asked to keep the data at a moment a user understands (the
 * first decision, or a model cached for offline use), once per visit and never on a bare load; the storage
 * panel shows what is kept, whether the browser may clear it, and deletes the downloaded models on request.
 */
import { describe, expect, inject, it } from 'vitest';
import sharp from 'sharp';
import { dropFiles, freshPage, sharedBrowser } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();

async function photo(shade: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: 320, height: 240, channels: 3, background: shade } }).jpeg().toBuffer());
}

/** A fresh page whose `navigator.storage.persist()` calls are counted (and let through to the browser). */
async function countingPage(): Promise<{ page: Awaited<ReturnType<typeof freshPage>>; calls: () => Promise<number> }> {
  const page = await freshPage(chrome.browser);
  await page.addInitScript(() => {
    const w = window as unknown as { persistCalls: number };
    w.persistCalls = 0;
    const original = navigator.storage.persist.bind(navigator.storage);
    navigator.storage.persist = () => {
      w.persistCalls++;
      return original();
    };
  });
  return { page, calls: () => page.evaluate(() => (window as unknown as { persistCalls: number }).persistCalls) };
}

describe('storage', () => {
  it('asks to keep the data at the first decision, once per visit, never on a bare load', async () => {
    const { page, calls } = await countingPage();
    // No model: nothing is downloaded, so nothing is worth keeping until the user decides something.
    await page.goto(new URL('?model=none-here&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="drop-zone"]');
    await dropFiles(page, [
      { name: 'a.jpg', bytes: await photo('#a53') },
      { name: 'b.jpg', bytes: await photo('#35a') },
    ]);
    await expect.poll(() => page.locator('[data-testid="tile"][data-status="decoded"]').count(), { timeout: 60_000 }).toBe(2);
    expect(await calls()).toBe(0);
    await page.click('[data-testid="tile"][data-name="a.jpg"]');
    await page.keyboard.press('p');
    await expect.poll(() => page.getAttribute('[data-testid="tile"][data-name="a.jpg"]', 'data-decision')).toBe('pick');
    await expect.poll(calls).toBe(1);
    await page.click('[data-testid="tile"][data-name="b.jpg"]');
    await page.keyboard.press('x');
    await expect.poll(() => page.getAttribute('[data-testid="tile"][data-name="b.jpg"]', 'data-decision')).toBe('reject');
    await page.waitForTimeout(300);
    expect(await calls()).toBe(1);
    await page.close();
  }, 120_000);

  it('asks once a model is cached for offline use; the panel shows what is kept and deletes the models', async () => {
    const { page, calls } = await countingPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await expect.poll(calls).toBe(1);

    await page.click('[data-testid="storage-button"]');
    const panel = page.locator('[data-testid="storage-panel"]');
    await expect.poll(() => panel.locator('[data-testid="storage-total"] td').textContent()).toMatch(/^[\d.]+ (B|KB|MB|GB) of [\d.]+ (B|KB|MB|GB)$/);
    // The library and its thumbnails are counted as the panel opens.
    await expect.poll(() => panel.locator('[data-testid="storage-library"] td').textContent()).toMatch(/^[\d.]+ (B|KB|MB|GB)$/);
    expect(await panel.locator('[data-testid="storage-thumbnails"] td').textContent()).toMatch(/^[\d.]+ (B|KB|MB|GB)$/);
    const models = panel.locator('[data-testid="storage-models"] td');
    expect(await models.textContent()).toMatch(/^[\d.]+ (KB|MB)$/);
    const kept = await panel.locator('[data-testid="storage-kept"]').getAttribute('data-persisted');
    expect(['true', 'false']).toContain(kept);
    if (kept === 'false') {
      // The user may ask again; that is a request of its own.
      await panel.locator('[data-testid="keep-data"]').click();
      await expect.poll(calls).toBe(2);
    }
    await panel.locator('[data-testid="delete-models"]').click();
    await expect.poll(() => models.textContent()).toBe('0 B');
    await expect.poll(() => page.textContent('body')).toContain('The downloaded models were deleted');
    expect(await panel.locator('[data-testid="delete-models"]').isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => panel.count()).toBe(0);
    await page.close();
  }, 240_000);

  it('pauses the analysis when the storage is full, keeps the decisions made before, and resumes once there is room', async () => {
    const page = await freshPage(chrome.browser);
    // A full disk, faked: IndexedDB writes fail as the browser fails them when the site's quota is used up.
    // (Chromium's DevTools quota override lowers the reported quota but let these writes through here.)
    await page.addInitScript(() => {
      const w = window as unknown as { storageFull: boolean };
      w.storageFull = false;
      for (const method of ['put', 'add'] as const) {
        const original = IDBObjectStore.prototype[method];
        IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
          if (w.storageFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return original.apply(this, args);
        };
      }
    });
    const setFull = (full: boolean) => page.evaluate((f) => void ((window as unknown as { storageFull: boolean }).storageFull = f), full);
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, [
      { name: 'kept-1.jpg', bytes: await photo('#a53') },
      { name: 'kept-2.jpg', bytes: await photo('#3a5') },
    ]);
    await expect.poll(() => page.locator('[data-testid="tile"][data-status="scored"]').count(), { timeout: 60_000 }).toBe(2);
    await page.click('[data-testid="tile"][data-name="kept-1.jpg"]');
    await page.keyboard.press('p');
    await expect.poll(() => page.getAttribute('[data-testid="tile"][data-name="kept-1.jpg"]', 'data-decision')).toBe('pick');
    await page.waitForTimeout(500);

    // The storage fills up as a folder of 40 arrives.
    await setFull(true);
    const more = await Promise.all(Array.from({ length: 40 }, async (_, i) => ({ name: `more-${String(i).padStart(2, '0')}.jpg`, bytes: await photo(`#${(0x123 + i * 0x51).toString(16).padStart(3, "0").slice(-3)}`) })));
    await dropFiles(page, more);
    await page.waitForSelector('[data-testid="storage-full"]', { timeout: 120_000 });
    expect(await page.textContent('[data-testid="notice"]')).toContain('storage for this site is full: analysis is paused');
    const resume = (await page.textContent('[data-testid="resume"]')) ?? '';
    const left = Number(/Resume \((\d+) not analysed\)/.exec(resume)?.[1]);
    expect(left).toBeGreaterThan(0);
    // The decision made before is still there.
    expect(await page.getAttribute('[data-testid="tile"][data-name="kept-1.jpg"]', 'data-decision')).toBe('pick');

    // Room again: Resume analyses the rest.
    await setFull(false);
    await page.click('[data-testid="resume"]');
    await page.waitForSelector('[data-testid="progress"]:not(:has([data-testid="cancel"]))', { timeout: 120_000 });
    await expect.poll(() => page.$('[data-testid="resume"]'), { timeout: 120_000 }).toBeNull();
    expect(await page.$('[data-testid="storage-full"]')).toBeNull();
    await page.reload();
    await page.waitForSelector('[data-testid="tile"][data-name="kept-1.jpg"]', { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid="tile"][data-name="kept-1.jpg"]', 'data-decision')).toBe('pick');
    await page.close();
  }, 300_000);
});
