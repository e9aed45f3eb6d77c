import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { entryData, readCentralDirectory } from '../src/codecs/zipRead';
import { NS_DC, NS_RDF, NS_XMP } from '../src/library/export/xmp';
import { copiedFiles, dropFiles, SHARED, sharedBrowser, waitForAnalysis, type DropFile, stubFolderPicker } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();

// Read at test time, never copied into the repository: any bytes do for the RAW, which is never decoded.
const JPEG = readFileSync(join(SHARED, 'images/real/clive_1019.jpg'));
const RAW = readFileSync(join(SHARED, 'images/camera/stripped/CanonRaw.cr2'));
const PLAIN = readFileSync(join(SHARED, 'images/real/clive_1084.jpg'));
const LATER = readFileSync(join(SHARED, 'images/real/clive_1111.jpg'));
const folder: DropFile[] = [
  { name: 'IMG_0001.JPG', bytes: new Uint8Array(JPEG), relativePath: 'shoot/IMG_0001.JPG' },
  { name: 'IMG_0001.CR2', bytes: new Uint8Array(RAW), relativePath: 'shoot/IMG_0001.CR2' },
  { name: 'clive_1084.jpg', bytes: new Uint8Array(PLAIN), relativePath: 'shoot/clive_1084.jpg' },
];
const PAIR = '[data-testid="tile"][data-name="IMG_0001.JPG"]';
const TAG = 'a portrait';

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
  return { name: dl.suggestedFilename(), bytes: readFileSync((await dl.path())!) };
}

/** The sidecars of the XMP zip, by path: rating, label and keywords as Lightroom reads them. */
async function sidecars(page: Page): Promise<Map<string, { rating: string | null; label: string | null; keywords: string[] }>> {
  const zip = new Uint8Array((await download(page, 'export-xmp')).bytes);
  const out = new Map<string, { rating: string | null; label: string | null; keywords: string[] }>();
  for (const entry of readCentralDirectory(zip)) {
    const xml = new DOMParser().parseFromString(new TextDecoder().decode(entryData(zip, entry)), 'text/xml');
    const text = (ns: string, name: string) => xml.getElementsByTagNameNS(ns, name)[0]?.textContent ?? null;
    const subject = xml.getElementsByTagNameNS(NS_DC, 'subject')[0];
    const keywords = subject ? Array.from(subject.getElementsByTagNameNS(NS_RDF, 'li'), (li) => li.textContent ?? '') : [];
    out.set(entry.name, { rating: text(NS_XMP, 'Rating'), label: text(NS_XMP, 'Label'), keywords });
  }
  return out;
}

/** The badge as the user sees it: drawn, with its words. */
async function badgeText(page: Page, scope: string): Promise<string | null> {
  const badge = page.locator(`${scope} [data-testid="raw-badge"]`);
  return (await badge.isVisible()) ? badge.textContent() : null;
}

describe('RAW+JPEG pairs', () => {
  it('shows a pair as one badged photo whose cull reaches both files: sidecars, CSV, JSON, copy, reload', async () => {
    const context = await chrome.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    // The native folder dialog cannot be driven headless: an origin-private folder stands in for it.
    await stubFolderPicker(context, 'keepers');
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, folder);
    await waitForAnalysis(page, 2);
    expect(await badgeText(page, PAIR)).toBe('RAW+JPEG');
    expect(await page.locator('[data-testid="tile"][data-name="clive_1084.jpg"] [data-testid="raw-badge"]').count()).toBe(0);
    expect(await page.locator('[data-testid="tile"][data-name="IMG_0001.CR2"]').count()).toBe(0);

    // A keyword: a tag the photo makes the cut for (the threshold at its lowest, so both do).
    await page.fill('[data-testid="tag-input"]', TAG);
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="threshold"]', { timeout: 60_000 });
    const lowest = (await page.getAttribute('[data-testid="threshold"]', 'min'))!;
    await page.locator('[data-testid="threshold"]').fill(lowest);
    await page.waitForSelector(`${PAIR}[data-rank]:not([data-rank=""])`);

    // Pick with four stars (a pick writes Lightroom's Green label); the explain panel names the pair too.
    await page.click(PAIR);
    await page.keyboard.press('p');
    await page.keyboard.press('4');
    await page.waitForSelector(`${PAIR}[data-decision="pick"][data-stars="4"]`);
    await page.keyboard.press('e');
    expect(await badgeText(page, '[data-testid="explain"]')).toBe('RAW+JPEG');
    await page.keyboard.press('Escape');

    // Lightroom's naming by default: one IMG_0001.xmp beside the CR2 (and the JPEG).
    expect(await page.locator('[data-testid="raw-sidecar-naming"]').inputValue()).toBe('replace');
    const lightroom = await sidecars(page);
    expect([...lightroom.keys()].sort()).toEqual(['shoot/IMG_0001.xmp', 'shoot/clive_1084.jpg.xmp']);
    expect(lightroom.get('shoot/IMG_0001.xmp')).toEqual({ rating: '4', label: 'Green', keywords: [TAG] });

    // darktable and digiKam: one sidecar per file, the same cull in both.
    await page.selectOption('[data-testid="raw-sidecar-naming"]', 'append');
    const darktable = await sidecars(page);
    expect([...darktable.keys()].sort()).toEqual(['shoot/IMG_0001.CR2.xmp', 'shoot/IMG_0001.JPG.xmp', 'shoot/clive_1084.jpg.xmp']);
    expect(darktable.get('shoot/IMG_0001.CR2.xmp')).toEqual({ rating: '4', label: 'Green', keywords: [TAG] });
    expect(darktable.get('shoot/IMG_0001.JPG.xmp')).toEqual(darktable.get('shoot/IMG_0001.CR2.xmp'));

    // CSV and JSON: one row per photo, both paths.
    const csv = (await download(page, 'export-csv')).bytes.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
    const [header, ...rows] = csv;
    expect(rows).toHaveLength(2);
    const pairRow = rows.find((r) => r[header.indexOf('path')] === 'shoot/IMG_0001.JPG')!;
    expect([pairRow[header.indexOf('raw_path')], pairRow[header.indexOf('decision')], pairRow[header.indexOf('stars')]]).toEqual(['shoot/IMG_0001.CR2', 'pick', '4']);
    const json = JSON.parse((await download(page, 'export-json')).bytes.toString('utf8')) as { images: { path: string; raw: { path: string; bytes: number } | null }[] };
    expect(json.images.map((i) => [i.path, i.raw?.path ?? null]).sort()).toEqual([
      ['shoot/IMG_0001.JPG', 'shoot/IMG_0001.CR2'],
      ['shoot/clive_1084.jpg', null],
    ]);
    expect(json.images.find((i) => i.raw)!.raw!.bytes).toBe(RAW.length);

    // Copy picks writes both files of the picked pair.
    await page.click('[data-testid="copy-picks"]');
    await page.waitForFunction(() => /Copied 2 files of 1 pick/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''));
    const written = await copiedFiles(page, 'keepers', ['IMG_0001.JPG', 'IMG_0001.CR2']);
    expect(written).toEqual({ 'IMG_0001.JPG': JPEG.length, 'IMG_0001.CR2': RAW.length });

    // A RAW dropped after its JPEG (same folder, same base name) joins that photo.
    const LATE = '[data-testid="tile"][data-name="IMG_0002.JPG"]';
    await dropFiles(page, [{ name: 'IMG_0002.JPG', bytes: new Uint8Array(LATER), relativePath: 'shoot/IMG_0002.JPG' }]);
    await waitForAnalysis(page, 3);
    expect(await badgeText(page, LATE)).toBeNull();
    await dropFiles(page, [{ name: 'IMG_0002.CR2', bytes: new Uint8Array(RAW), relativePath: 'shoot/IMG_0002.CR2' }]);
    await page.waitForSelector(`${LATE} [data-testid="raw-badge"]`);
    expect(await page.locator('[data-testid="tile"]').count()).toBe(3);

    // A reload keeps each pair one badged photo with its cull, and the naming chosen; a re-drop adds no photo.
    await page.reload();
    await page.waitForSelector(`${PAIR}[data-decision="pick"][data-stars="4"]`, { timeout: 60_000 });
    expect(await page.locator('[data-testid="tile"]').count()).toBe(3);
    expect(await badgeText(page, PAIR)).toBe('RAW+JPEG');
    expect(await badgeText(page, LATE)).toBe('RAW+JPEG');
    expect(await page.locator('[data-testid="raw-sidecar-naming"]').inputValue()).toBe('append');
    await dropFiles(page, folder);
    await page.waitForSelector(`${PAIR}[data-status="scored"]`, { timeout: 60_000 });
    expect(await badgeText(page, PAIR)).toBe('RAW+JPEG');
    expect(await page.locator('[data-testid="tile"]').count()).toBe(3);
    await context.close();
  });
});
