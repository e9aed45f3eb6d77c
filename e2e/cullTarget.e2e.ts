/**
 * Cull to a target (issue 16, item 2): Shift+K opens a dialog that shows, before anything changes, which photos
 * "the best N" or "the best N %" keeps. A burst gives only its best frame until every other photo is kept
 * (coverage); Mark picks them and rejects the rest in one change that one Ctrl+Z undoes.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { mulberry32 } from '../src/scoring/mulberry32';
import { dropFiles, sharedBrowser, waitForAnalysis, type DropFile } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();

function scene(seed: number, dx: number): string {
  const r = mulberry32(seed);
  const hue = Math.floor(r() * 360);
  const dots = Array.from({ length: 300 }, () => `<rect x="${(r() * 480 + dx).toFixed(1)}" y="${(r() * 360).toFixed(1)}" width="3" height="3" fill="${r() > 0.5 ? '#fff' : '#000'}"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360"><rect width="480" height="360" fill="hsl(${hue},55%,45%)"/><circle cx="${100 + r() * 280 + dx}" cy="${120 + r() * 100}" r="${40 + r() * 40}" fill="hsl(${(hue + 160) % 360},80%,60%)"/>${dots}</svg>`;
}

const taken = (minutes: number, seconds: number) => `2026:06:01 12:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
async function photo(name: string, svg: string, when: string): Promise<DropFile> {
  const bytes = await sharp(Buffer.from(svg)).withExif({ IFD0: { Make: 'Loupe', Model: 'Target Cam' }, IFD2: { DateTimeOriginal: when } }).jpeg({ quality: 90 }).toBuffer();
  return { name, bytes: new Uint8Array(bytes) };
}

const summary = async (page: Page) => {
  const el = page.locator('[data-testid="target-summary"]');
  await el.waitFor();
  return { keep: Number(await el.getAttribute('data-keep')), covering: Number(await el.getAttribute('data-covering')) };
};
const keptIds = (page: Page) => page.$$eval('[data-testid="target-keep"]', (els) => els.map((e) => e.getAttribute('data-id') ?? ''));

describe('cull to a target', () => {
  it('keeps the best N with each burst giving its best first, shown before it acts, in one undoable change', async () => {
    const files: DropFile[] = [];
    // A burst: one scene, shifted a little, a second apart. Six other photos, minutes apart.
    for (let i = 0; i < 4; i++) files.push(await photo(`burst-${i}.jpg`, scene(1, i * 3), taken(0, i)));
    for (let k = 0; k < 6; k++) files.push(await photo(`single-${k}.jpg`, scene(10 + k, 0), taken(10 + 5 * k, 0)));
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, files);
    await waitForAnalysis(page, files.length);
    const idOf = new Map(await page.$$eval('[data-testid="tile"]', (els) => els.map((e) => [e.getAttribute('data-name') ?? '', e.getAttribute('data-id') ?? ''] as [string, string])));
    const burstIds = new Set(files.filter((f) => f.name.startsWith('burst')).map((f) => idOf.get(f.name)!));
    // The burst is one group, and only it.
    await expect
      .poll(() => page.$$eval('[data-testid="tile"]', (els) => els.filter((e) => e.getAttribute('data-group')).map((e) => e.getAttribute('data-name')).sort()), { timeout: 60_000 })
      .toEqual(['burst-0.jpg', 'burst-1.jpg', 'burst-2.jpg', 'burst-3.jpg']);

    await page.keyboard.press('Shift+K');
    await page.waitForSelector('[data-testid="cull-target"]');
    // The best 30 % of 10: three photos, at most one of them from the burst.
    await page.fill('[data-testid="target-amount"]', '30');
    await page.selectOption('[data-testid="target-unit"]', 'percent');
    await expect.poll(() => summary(page)).toEqual({ keep: 3, covering: 3 });
    expect((await keptIds(page)).filter((id) => burstIds.has(id)).length).toBeLessThanOrEqual(1);
    // Nothing has changed yet.
    expect(await page.locator('[data-testid="tile"][data-decision="pick"]').count()).toBe(0);

    // The best 8 photos: the burst's best and the six others first (7 covering), then one more burst frame.
    await page.selectOption('[data-testid="target-unit"]', 'photos');
    await page.fill('[data-testid="target-amount"]', '8');
    await expect.poll(() => summary(page)).toEqual({ keep: 8, covering: 7 });
    const kept = await keptIds(page);
    expect(kept.filter((id) => burstIds.has(id))).toHaveLength(2);
    await page.screenshot({ path: 'test-results/cull-target.png' });
    // Variety moves the slider's value, and the kept set is worked out again.
    await page.locator('[data-testid="target-variety"]').fill('0.8');
    expect(await page.textContent('[data-testid="target-variety-value"]')).toBe('0.80');
    await expect.poll(() => summary(page)).toEqual({ keep: 8, covering: 7 });

    // Mark them, rejecting the rest: one change.
    await page.check('[data-testid="target-reject-rest"]');
    const chosen = new Set(await keptIds(page));
    await page.click('[data-testid="target-apply"]');
    await expect.poll(() => page.locator('[data-testid="cull-target"]').count()).toBe(0);
    expect(await page.textContent('[data-testid="notice"]')).toContain('Picked 8, rejected 2');
    const decisions = () => page.$$eval('[data-testid="tile"]', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-id'), e.getAttribute('data-decision')])));
    await expect.poll(async () => Object.values(await decisions()).filter((d) => d === 'pick').length).toBe(8);
    for (const [id, d] of Object.entries(await decisions())) expect(d, id).toBe(chosen.has(id) ? 'pick' : 'reject');
    // One Ctrl+Z undoes all ten.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => Object.values(await decisions()).every((d) => d === 'none')).toBe(true);
    await context.close();
  });
});
