import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { NS_XMP } from '../src/library/export/xmp';
import { entryData, readCentralDirectory } from '../src/codecs/zipRead';
import { copiedFiles, dropFiles, fileFromDisk, SHARED, waitForAnalysis, sharedBrowser, stubFolderPicker } from './browser';

const REAL = join(SHARED, 'images/real');
const photos = ['clive_1019.jpg', 'clive_1084.jpg', 'clive_1111.jpg', 'clive_1122.jpg', 'clive_1135.jpg', 'clive_545.jpg'];
const base = inject('baseUrl');

const chrome = sharedBrowser();

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), bytes: readFileSync(path!) };
}

interface JsonImage {
  name: string;
  decision: string;
  stars: number;
  aesthetic: number | null;
  tags: { tag: string; relevance: number; rank: number | null }[];
}

describe('export to other tools', () => {
  it('exports CSV, JSON and XMP sidecars with the decisions, stars, scores and ranks the user sees', async () => {
    const context = await chrome.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, photos.map((p) => fileFromDisk(join(REAL, p))));
    await waitForAnalysis(page, photos.length);
    await page.fill('[data-testid="tag-input"]', 'landscape');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.waitForSelector('[data-testid="tile"][data-rank="1"]', { timeout: 60_000 });

    const firstName = (await page.getAttribute('[data-testid="tile"][data-rank="1"]', 'data-name'))!;
    const secondName = (await page.getAttribute('[data-testid="tile"][data-rank="2"]', 'data-name'))!;
    await page.click('[data-testid="tile"][data-rank="1"]');
    await page.keyboard.press('p');
    await page.keyboard.press('3');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('x');
    await page.waitForSelector(`[data-testid="tile"][data-name="${secondName}"][data-decision="reject"]`);
    await page.waitForSelector(`[data-testid="tile"][data-name="${firstName}"][data-stars="3"]`);
    const shownRanks = await page.$$eval('[data-testid="tile"]', (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-name'), Number(e.getAttribute('data-rank'))])),
    );

    const json = await download(page, 'export-json');
    expect(json.name).toMatch(/\.json$/);
    const doc = JSON.parse(json.bytes.toString('utf8')) as { format: string; modelId: string; images: JsonImage[] };
    expect(doc.format).toBe('loupe-export');
    expect(doc.modelId).toBe('clip-tiny');
    expect(doc.images).toHaveLength(photos.length);
    const byName = new Map(doc.images.map((i) => [i.name, i]));
    expect(byName.get(firstName)).toMatchObject({ decision: 'pick', stars: 3 });
    expect(byName.get(secondName)).toMatchObject({ decision: 'reject' });
    for (const img of doc.images) {
      expect(Number.isFinite(img.aesthetic)).toBe(true);
      const tag = img.tags.find((t) => t.tag === 'landscape');
      expect(tag?.rank ?? null).toBe(shownRanks[img.name] ?? null);
    }

    const csv = await download(page, 'export-csv');
    const lines = csv.bytes.toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/);
    expect(lines).toHaveLength(photos.length + 1);
    const header = lines[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['path', 'decision', 'stars', 'aesthetic', 'rank:landscape']));
    const row = lines.find((l) => l.startsWith(`${firstName},`))!.split(',');
    expect(row[header.indexOf('decision')]).toBe('pick');
    expect(row[header.indexOf('stars')]).toBe('3');
    expect(Number(row[header.indexOf('rank:landscape')])).toBe(shownRanks[firstName]);

    const zip = await download(page, 'export-xmp');
    expect(zip.name).toMatch(/\.zip$/);
    const bytes = new Uint8Array(zip.bytes);
    const entries = readCentralDirectory(bytes);
    expect(entries.map((e) => e.name).sort()).toEqual(photos.map((p) => `${p}.xmp`).sort());
    const rating = (name: string) => {
      const entry = entries.find((e) => e.name === `${name}.xmp`)!;
      const xml = new DOMParser().parseFromString(new TextDecoder().decode(entryData(bytes, entry)), 'text/xml');
      return xml.getElementsByTagNameNS(NS_XMP, 'Rating')[0]?.textContent;
    };
    expect(rating(firstName)).toBe('3');
    expect(rating(secondName)).toBe('-1');
    await context.close();
  });
});

describe('copy picks to a folder', () => {
  it('writes the picked originals into the chosen folder, without overwriting', async () => {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The native folder dialog cannot be driven headless: answer it with a real folder of the origin-private
    // file system, which has the same File System Access API behind it.
    await stubFolderPicker(context, 'keepers');
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, photos.slice(0, 3).map((p) => fileFromDisk(join(REAL, p))));
    await waitForAnalysis(page, 3);
    await page.click(`[data-testid="tile"][data-name="${photos[0]}"]`);
    await page.keyboard.press('p');
    await page.click(`[data-testid="tile"][data-name="${photos[2]}"]`);
    await page.keyboard.press('p');
    await page.waitForSelector(`[data-testid="tile"][data-name="${photos[2]}"][data-decision="pick"]`);
    await page.click('[data-testid="copy-picks"]');
    await page.waitForFunction(() => /Copied 2 picks/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''));
    await page.click('[data-testid="copy-picks"]');
    // Done once the numbered copy has its bytes (Chromium writes through a temporary .crswap file).
    const written = await copiedFiles(page, 'keepers', [photos[0], photos[2], photos[0].replace('.jpg', ' (2).jpg')]);
    const size = (p: string) => readFileSync(join(REAL, p)).length;
    expect(written[photos[0]]).toBe(size(photos[0]));
    expect(written[photos[2]]).toBe(size(photos[2]));
    expect(written[photos[1]]).toBeUndefined();
    // The second copy did not overwrite: it numbered.
    expect(written[photos[0].replace('.jpg', ' (2).jpg')]).toBe(size(photos[0]));
    await context.close();
  });
});
