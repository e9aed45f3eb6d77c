import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, fileFromDisk, readTiles, SHARED, waitForAnalysis, sharedBrowser } from './browser';

const REAL = join(SHARED, 'images/real');
const photos = readdirSync(REAL).filter((f) => f.endsWith('.jpg')).sort();
const base = inject('baseUrl');

const chrome = sharedBrowser();

async function openWithPhotos(page: Page, files = photos): Promise<void> {
  await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
  await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
  await dropFiles(page, files.map((p) => fileFromDisk(join(REAL, p))));
  await waitForAnalysis(page, files.length);
}

async function rankedIds(page: Page): Promise<{ id: string; rank: number; score: number; relevance: number }[]> {
  const tiles = await page.$$eval('[data-testid="tile"]', (els) =>
    els.map((e) => ({
      id: e.getAttribute('data-id') ?? '',
      rank: Number(e.getAttribute('data-rank')),
      score: Number(e.getAttribute('data-score')),
      relevance: Number(e.getAttribute('data-relevance')),
    })),
  );
  return tiles.sort((a, b) => a.rank - b.rank);
}

describe('tags, ranking, culling, persistence (clip-tiny)', () => {
  it('ranks by a typed tag, re-ranks with the sliders, culls with the keyboard, and keeps it all across a reload', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await openWithPhotos(page);

    await page.fill('[data-testid="tag-input"]', 'a cat on a sofa');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="tag-chip"][data-tag="a cat on a sofa"][data-status="ready"]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="tile"][data-rank="1"]');
    const ranked = await rankedIds(page);
    expect(ranked.length).toBeGreaterThan(0);
    expect(ranked.map((r) => r.rank)).toEqual(ranked.map((_, i) => i + 1));
    const threshold = Number(await page.textContent('[data-testid="threshold-value"]'));
    for (const r of ranked) expect(r.relevance).toBeGreaterThanOrEqual(threshold - 1e-6);

    // Tie margin 0: pure score order. Tie margin 1: relevance decides within ≤1-point clusters.
    await page.locator('[data-testid="tie-margin"]').fill('0');
    const byScore = await rankedIds(page);
    for (let i = 1; i < byScore.length; i++) expect(byScore[i - 1].score).toBeGreaterThanOrEqual(byScore[i].score);

    // Raising the threshold keeps only the more relevant images, without running an encoder again.
    const lo = Math.min(...byScore.map((r) => r.relevance));
    const hi = Math.max(...byScore.map((r) => r.relevance));
    await page.locator('[data-testid="threshold"]').fill(String((lo + hi) / 2));
    const fewer = await rankedIds(page);
    expect(fewer.length).toBeLessThan(byScore.length);
    for (const r of fewer) expect(r.relevance).toBeGreaterThanOrEqual((lo + hi) / 2 - 1e-3);

    // Keyboard culling: focus the first tile, pick it with 5 stars, reject the next.
    await page.click(`[data-testid="tile"][data-id="${fewer[0].id}"]`);
    const first = await page.getAttribute('[data-testid="tile"][data-focused="true"]', 'data-id');
    expect(first).toBe(fewer[0].id);
    await page.keyboard.press('p');
    await page.keyboard.press('5');
    await page.keyboard.press('ArrowRight');
    const second = await page.getAttribute('[data-testid="tile"][data-focused="true"]', 'data-id');
    await page.keyboard.press('x');
    await page.waitForSelector(`[data-testid="tile"][data-id="${second}"][data-decision="reject"]`);
    await page.waitForSelector(`[data-testid="tile"][data-id="${first}"][data-decision="pick"][data-stars="5"]`);

    // Undo brings back the previous state of the last change.
    await page.keyboard.press('Control+z');
    await page.waitForSelector(`[data-testid="tile"][data-id="${second}"][data-decision="none"]`);
    await page.keyboard.press('x');
    await page.waitForSelector(`[data-testid="tile"][data-id="${second}"][data-decision="reject"]`);

    // Reload: decisions, tag and scores are back without dropping anything.
    await page.reload();
    await page.waitForSelector('[data-testid="tag-chip"][data-tag="a cat on a sofa"][data-status="ready"]', { timeout: 60_000 });
    await page.waitForSelector(`[data-testid="tile"][data-id="${first}"][data-decision="pick"][data-stars="5"]`, { timeout: 60_000 });
    await page.waitForSelector(`[data-testid="tile"][data-id="${second}"][data-decision="reject"]`);
    const restored = await page.$$eval('[data-testid="tile"][data-status="scored"]', (els) => els.length);
    expect(restored).toBeGreaterThan(0);
    await context.close();
  });

  it('filters by decision, and bulk-rejects what is shown with undo', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await openWithPhotos(page, photos.slice(0, 10));
    const all = await readTiles(page);
    const scores = all.map((t) => t.score!).sort((a, b) => a - b);
    const cut = scores[4] + 1e-9; // the 5 lowest are below the cut
    await page.fill('[data-testid="filter-score-max"]', String(cut));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 5);
    await page.click('[data-testid="bulk-reject"]');
    await page.waitForSelector('[data-testid="notice"]');
    await page.fill('[data-testid="filter-score-max"]', '');
    await page.selectOption('[data-testid="filter-decision"]', 'reject');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 5);
    const rejected = await readTiles(page);
    for (const t of rejected) expect(t.score!).toBeLessThan(cut);
    await page.keyboard.press('Escape'); // leave the score field, as a user would
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 0);
    await context.close();
  });

  it('opens the loupe at 100 %, compares two images, lists the shortcuts, and explains a rank', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await openWithPhotos(page, photos.slice(0, 4));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid="loupe"][data-zoom="fit"] [data-testid="loupe-image"][data-source="file"]');
    await page.keyboard.press('z');
    await page.waitForSelector('[data-testid="loupe"][data-zoom="100"]');
    // The zoom's layout lands a frame after the attribute: poll rather than read once.
    const offBy = () =>
      page.$eval('[data-testid="loupe-image"]', (img) => {
        const i = img as HTMLImageElement;
        return i.naturalWidth > 0 ? Math.abs(i.getBoundingClientRect().width - i.naturalWidth / devicePixelRatio) : Infinity;
      });
    await expect.poll(offBy).toBeLessThan(1);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="loupe"]', { state: 'detached' });

    await page.keyboard.press('c');
    await page.waitForSelector('[data-testid="compare"]');
    expect(await page.$$eval('[data-testid="compare-cell"]', (els) => els.length)).toBe(2);
    await page.keyboard.press('p');
    await page.keyboard.press('Escape');

    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="shortcuts-help"]');
    expect(await page.textContent('[data-testid="shortcuts-help"]')).toMatch(/reject/i);
    await page.keyboard.press('Escape');

    await page.fill('[data-testid="tag-input"]', 'landscape');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="tile"][data-rank="1"]', { timeout: 60_000 });
    await page.click('[data-testid="tile"][data-rank="1"]');
    await page.keyboard.press('e');
    const explain = await page.textContent('[data-testid="explain"]');
    expect(explain).toMatch(/Relevance to “landscape”/);
    expect(explain).toMatch(/Rank 1 of/);
    await context.close();
  });
});

describe('prompt templates', () => {
  it('re-embeds the tags with the user’s templates, which changes relevance', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await openWithPhotos(page, photos.slice(0, 4));
    await page.fill('[data-testid="tag-input"]', 'portrait');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="tile"][data-rank="1"]', { timeout: 60_000 });
    const before = await rankedIds(page);
    await page.click('[data-testid="edit-prompts"]');
    await page.fill('[data-testid="prompt-templates"]', 'a blurry snapshot of {} at night');
    await page.click('text=Save and re-embed tags');
    await page.waitForFunction(
      (old) => {
        const el = document.querySelector('[data-testid="tile"][data-rank="1"]');
        return el && el.getAttribute('data-relevance') !== old;
      },
      String(before[0].relevance),
      { timeout: 60_000 },
    );
    // Survives a reload too.
    await page.reload();
    await page.waitForSelector('[data-testid="tag-chip"][data-tag="portrait"][data-status="ready"]', { timeout: 60_000 });
    await page.click('[data-testid="edit-prompts"]');
    expect(await page.inputValue('[data-testid="prompt-templates"]')).toBe('a blurry snapshot of {} at night');
    await context.close();
  });
});

describe('a tag longer than CLIP reads', () => {
  it('is cut between words to the tokens CLIP reads, and the chip and a notice say so', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await openWithPhotos(page, photos.slice(0, 3));
    const sentence = 'a quiet harbour at dawn with fishing boats moored along the old stone quay while gulls circle above';
    const typed = `${sentence} the nets, ${sentence} the boats, ${sentence} the pier, ${sentence} and a figure in a yellow coat`;
    await page.fill('[data-testid="tag-input"]', typed);
    await page.press('[data-testid="tag-input"]', 'Enter');
    const chip = page.locator('[data-testid="tag-chip"][data-cut="true"][data-status="ready"]');
    await chip.waitFor({ timeout: 60_000 });
    const tag = (await chip.getAttribute('data-tag'))!;
    // A start of what was typed, ending on a whole word, and much longer than the old 200-character cut.
    expect(typed.startsWith(tag)).toBe(true);
    expect(typed[tag.length]).toBe(' ');
    expect(tag.length).toBeGreaterThan(200);
    expect(await chip.textContent()).toContain('(cut)');
    expect(await chip.getAttribute('title')).toContain(typed);
    expect(await page.textContent('[data-testid="notice"]')).toMatch(/The tag was cut to the \d+ tokens CLIP reads; it now ends “…\w/);
    // It ranks like any tag, under its cut text; the uncut text is not left behind as a second tag.
    await page.waitForSelector('[data-testid="tile"][data-rank="1"]', { timeout: 60_000 });
    expect(await page.locator('[data-testid="tag-chip"]').count()).toBe(1);
    await context.close();
  });
});

describe('ranking with a tag head', () => {
  it('ranks by the head’s (image, tag) score when the model has a tag head', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 2400 } });
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny-head&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, photos.slice(0, 12).map((p) => fileFromDisk(join(REAL, p))));
    await waitForAnalysis(page, 12);
    await page.fill('[data-testid="tag-input"]', 'a dog');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForFunction(() => {
      const tiles = [...document.querySelectorAll('[data-testid="tile"][data-rank]')];
      return tiles.length > 0 && tiles.every((t) => t.getAttribute('data-tag-score') !== '');
    }, undefined, { timeout: 60_000 });
    await page.locator('[data-testid="tie-margin"]').fill('0');
    const tiles = await page.$$eval('[data-testid="tile"][data-rank]', (els) =>
      els.map((e) => ({
        rank: Number(e.getAttribute('data-rank')),
        tagScore: Number(e.getAttribute('data-tag-score')),
        relevance: Number(e.getAttribute('data-relevance')),
        score: Number(e.getAttribute('data-score')),
      })),
    );
    tiles.sort((a, b) => a.rank - b.rank);
    // The test head is 5 + 5·cosine: its score must be that, and the ranking must follow it, not the aesthetic score.
    for (const t of tiles) expect(t.tagScore).toBeCloseTo(5 + 5 * t.relevance, 4);
    for (let i = 1; i < tiles.length; i++) expect(tiles[i - 1].tagScore).toBeGreaterThanOrEqual(tiles[i].tagScore);
    const aestheticOrder = [...tiles].sort((a, b) => b.score - a.score).map((t) => t.rank);
    expect(aestheticOrder).not.toEqual(tiles.map((t) => t.rank));
    await context.close();
  });
});
