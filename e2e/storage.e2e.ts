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
    expect(await panel.locator('[data-testid="storage-library"] td').textContent()).toMatch(/^[\d.]+ (B|KB|MB|GB)$/);
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
});
