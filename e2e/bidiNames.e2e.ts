/**
 * A file name holding a right-to-left override (U+202E) must not display reversed: "photo‮gpj.exe" would read
 * "photoexe.jpg", a spoofed extension. On the tile, in the explain panel and in the loupe the control is shown
 * as "[U+202E]", the name sits in a <bdi>, and titles, alt texts and labels carry the visible form too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, freshPage, SHARED, sharedBrowser, waitForAnalysis } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();
const SPOOF = 'photo\u202Egpj.exe';
const SHOWN = 'photo[U+202E]gpj.exe';

describe('names with bidi controls (clip-tiny)', () => {
  it('shows the control and keeps the letters in stored order on the tile, in the explain panel and in the loupe', async () => {
    const page = await freshPage(chrome.browser);
    await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, [{ name: SPOOF, bytes: new Uint8Array(readFileSync(join(SHARED, 'images/real/clive_673.jpg'))) }]);
    await waitForAnalysis(page, 1);

    const tile = page.locator('[data-testid="tile"]');
    expect(await tile.getAttribute('data-name')).toBe(SPOOF); // the data keeps the real name
    const name = tile.locator('figcaption .name');
    expect(await name.textContent()).toBe(SHOWN);
    expect(await name.getAttribute('title')).toBe(SHOWN);
    expect(await name.locator('bdi').textContent()).toBe(SHOWN);
    expect(await tile.locator('img').getAttribute('alt')).toBe(SHOWN);

    // Not reversed on screen: "gpj" is drawn left of ".exe", as stored (an override would draw "exe." first).
    const order = await name.evaluate((el) => {
      const text = el.querySelector('bdi')!.firstChild!;
      const x = (i: number) => {
        const r = document.createRange();
        r.setStart(text, i);
        r.setEnd(text, i + 1);
        return r.getBoundingClientRect().left;
      };
      const s = text.textContent!;
      return { g: x(s.indexOf('gpj')), dot: x(s.indexOf('.exe')), x: x(s.indexOf('xe')) };
    });
    expect(order.g).toBeLessThan(order.dot);
    expect(order.dot).toBeLessThan(order.x);

    await tile.click();
    await page.keyboard.press('e');
    const explain = page.locator('[data-testid="explain"] header strong');
    expect(await explain.textContent()).toBe(SHOWN);
    expect(await explain.locator('bdi').count()).toBe(1);

    await page.keyboard.press('Escape');
    await tile.dblclick();
    const loupe = page.locator('[data-testid="loupe"]');
    await loupe.waitFor();
    expect(await loupe.getAttribute('aria-label')).toBe(`Loupe: ${SHOWN}`);
    expect(await loupe.locator('.loupe-path bdi').textContent()).toBe(SHOWN);
    expect(await loupe.locator('[data-testid="loupe-image"]').getAttribute('alt')).toBe(SHOWN);
    // No raw override anywhere in the page's text or attributes.
    const raw = await page.evaluate(() => {
      const all = [document.body.innerText, ...Array.from(document.querySelectorAll('*')).flatMap((e) => ['title', 'alt', 'aria-label'].map((a) => e.getAttribute(a) ?? ''))];
      return all.some((s) => s.includes('\u202E'));
    });
    expect(raw).toBe(false);
    await page.close();
  });
});
