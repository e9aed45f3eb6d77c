/**
 * Photos first (issue 16, item 6). At 1440×900 the first row of photos starts within the top 200 px, beside a
 * side panel of controls rather than under a column of them, and the grid fills its width. The panel hides
 * with Shift+B (the grid widens into its room) and the choice survives a reload. On a 390×844 phone the panel starts
 * closed, photos are on the first screen, the header's first controls are the drawer's toggle and culling
 * mode, and culling works by taps. Screenshots at both sizes go to test-results/.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, sharedBrowser, type DropFile } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();

async function photos(n: number): Promise<DropFile[]> {
  const files: DropFile[] = [];
  for (let i = 0; i < n; i++) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360"><rect width="480" height="360" fill="hsl(${i * 37},60%,50%)"/><circle cx="${80 + i * 25}" cy="160" r="50" fill="white"/></svg>`;
    files.push({ name: `layout-${String(i).padStart(2, '0')}.jpg`, bytes: new Uint8Array(await sharp(Buffer.from(svg)).jpeg().toBuffer()) });
  }
  return files;
}

/** Every photo analysed; the grid is windowed, so this reads its count and the queue, not the tiles. */
async function waitForAll(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (count) =>
      document.querySelector('[data-testid="grid"]')?.getAttribute('data-count') === String(count) &&
      !document.querySelector('[data-testid="cancel"]') &&
      !document.querySelector('[data-testid="tile"][data-status="queued"]'),
    n,
    { timeout: 180_000, polling: 250 },
  );
}

const firstTileTop = (page: Page) => page.evaluate(() => document.querySelector('[data-testid="tile"]')!.getBoundingClientRect().top);
/** The grid's columns: the distinct left edges of the tiles in its first row. */
const columns = (page: Page) =>
  page.evaluate(() => {
    const boxes = Array.from(document.querySelectorAll('[data-testid="tile"]'), (t) => t.getBoundingClientRect());
    const top = Math.min(...boxes.map((b) => b.top));
    return boxes.filter((b) => Math.abs(b.top - top) < 1).length;
  });

async function open(page: Page): Promise<void> {
  await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
  await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
}

describe('photos first', () => {
  it('at 1440×900 the photos start near the top beside a side panel that Shift+B hides, remembered across a reload', async () => {
    const files = await photos(16);
    const context = await chrome.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await open(page);
    await dropFiles(page, files);
    await waitForAll(page, files.length);

    expect(await firstTileTop(page)).toBeLessThanOrEqual(200);
    const panel = page.locator('[data-testid="side-panel"]');
    expect(await panel.isVisible()).toBe(true);
    // The controls are in the panel, not above the photos.
    for (const id of ['filter-decision', 'bulk-pick', 'export-csv', 'backend-select']) expect(await panel.locator(`[data-testid="${id}"]`).count(), id).toBe(1);
    // The grid fills its width: less than one tile of room is left beside its last column.
    const fill = await page.evaluate(() => {
      const grid = document.querySelector('[data-testid="grid"]')!.getBoundingClientRect();
      const right = Math.max(...Array.from(document.querySelectorAll('[data-testid="tile"]'), (t) => t.getBoundingClientRect().right));
      const tile = document.querySelector('[data-testid="tile"]')!.getBoundingClientRect().width;
      return { spare: grid.right - right, tile };
    });
    expect(fill.spare).toBeLessThan(fill.tile);
    const withPanel = await columns(page);
    await page.screenshot({ path: 'test-results/layout-desktop.png' });

    // Shift+B hides the panel and the grid takes its room; the choice is kept across a reload; the Controls button shows it again.
    await page.keyboard.press('Shift+B');
    await expect.poll(() => panel.count()).toBe(0);
    await expect.poll(() => columns(page)).toBeGreaterThan(withPanel);
    expect(await page.getAttribute('[data-testid="panel-toggle"]', 'aria-expanded')).toBe('false');
    await page.reload();
    await page.waitForSelector('[data-testid="tile"]');
    expect(await panel.count()).toBe(0);
    await page.click('[data-testid="panel-toggle"]');
    expect(await panel.isVisible()).toBe(true);
    await page.click('[data-testid="side-panel-close"]');
    await expect.poll(() => panel.count()).toBe(0);
    await context.close();
  });

  it('on a 390×844 phone: photos on the first screen, the controls in a drawer, culling by taps', async () => {
    const files = await photos(4);
    const context = await chrome.browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await open(page);
    await dropFiles(page, files);
    await waitForAll(page, files.length);

    // Closed by default on a phone: the photos get the screen.
    expect(await page.locator('[data-testid="side-panel"]').count()).toBe(0);
    const top = await firstTileTop(page);
    expect(top).toBeLessThan(844 / 2);
    // The drawer's toggle and culling mode are on screen without scrolling the header.
    for (const id of ['panel-toggle', 'culling-mode']) {
      const box = (await page.locator(`[data-testid="${id}"]`).boundingBox())!;
      expect(box.x + box.width, id).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: 'test-results/layout-phone.png' });
    await page.tap('[data-testid="panel-toggle"]');
    const drawer = page.locator('[data-testid="side-panel"]');
    expect(await drawer.isVisible()).toBe(true);
    await page.screenshot({ path: 'test-results/layout-phone-drawer.png' });
    await page.tap('[data-testid="side-panel-close"]');
    await expect.poll(() => drawer.count()).toBe(0);

    // Culling by taps: culling mode, then Pick on the shown photo.
    await page.tap('[data-testid="culling-mode"]');
    await page.waitForSelector('[data-testid="culling"]');
    const shown = (await page.getAttribute('[data-testid="culling"]', 'data-shown'))!;
    await page.tap('[data-testid="cull-pick"]');
    await expect.poll(() => page.getAttribute(`[data-testid="tile"][data-id="${shown}"]`, 'data-decision')).toBe('pick');
    await context.close();
  });
});
