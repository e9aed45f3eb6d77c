/**
 * Lightroom Classic's culling conventions (issue 16, item 5), as the user sees them: Shift+P/X flag and move
 * on, 6–9 set (and, pressed again, remove) the colour labels, the labels survive a reload and come out as
 * xmp:Label by Lightroom's names, the tags as lr:hierarchicalSubject beside dc:subject, and the help says
 * which keys differ from Lightroom's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { entryData, readCentralDirectory } from '../src/codecs/zipRead';
import { NS_DC, NS_LR, NS_RDF, NS_XMP } from '../src/library/export/xmp';
import { dropFiles, fileFromDisk, SHARED, sharedBrowser, waitForAnalysis, stubFolderPicker } from './browser';

const REAL = join(SHARED, 'images/real');
const photos = ['clive_1019.jpg', 'clive_1084.jpg', 'clive_1111.jpg', 'clive_1122.jpg'];
const base = inject('baseUrl');
const chrome = sharedBrowser();

const tile = (page: Page, name: string) => page.locator(`[data-testid="tile"][data-name="${name}"]`);
/** The colour label a tile (or the loupe) shows, or null when it shows none. */
const shownLabel = async (page: Page, scope: string) => {
  const dot = page.locator(`${scope} [data-testid="colour-label"]`);
  return (await dot.count()) === 0 ? null : dot.first().getAttribute('data-label');
};
const tileSel = (name: string) => `[data-testid="tile"][data-name="${name}"]`;
const focusedName = (page: Page) => page.getAttribute('[data-testid="tile"].focused', 'data-name');

describe("Lightroom's keys and labels", () => {
  it('flags and moves on with Shift+P/X, sets and clears colour labels with 6–9, and exports them as Lightroom reads them', async () => {
    const context = await chrome.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, photos.map((p) => fileFromDisk(join(REAL, p))));
    await waitForAnalysis(page, photos.length);
    await page.selectOption('[data-testid="sort"]', 'name');
    const [a, b, c, d] = photos;

    // Shift+P picks and moves on; Shift+X rejects and moves on; plain P stays put.
    await tile(page, a).click();
    await page.keyboard.press('Shift+P');
    await expect.poll(() => focusedName(page)).toBe(b);
    await expect.poll(() => tile(page, a).getAttribute('data-decision')).toBe('pick');
    await page.keyboard.press('Shift+X');
    await expect.poll(() => focusedName(page)).toBe(c);
    await expect.poll(() => tile(page, b).getAttribute('data-decision')).toBe('reject');
    await page.keyboard.press('p');
    await expect.poll(() => tile(page, c).getAttribute('data-decision')).toBe('pick');
    expect(await focusedName(page)).toBe(c);

    // 6 = Red on c; 9 twice on d = no label; 7, undone, then 8 = Green.
    await page.keyboard.press('6');
    await expect.poll(() => shownLabel(page, tileSel(c))).toBe('red');
    expect(await page.getAttribute(`${tileSel(c)} [data-testid="colour-label"]`, 'aria-label')).toBe('Red label');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('9');
    await expect.poll(() => shownLabel(page, tileSel(d))).toBe('blue');
    await page.keyboard.press('9');
    await expect.poll(() => shownLabel(page, tileSel(d))).toBe(null);
    await page.keyboard.press('7');
    await expect.poll(() => shownLabel(page, tileSel(d))).toBe('yellow');
    // Ctrl+Z takes the label back, as any decision.
    await page.keyboard.press('Control+z');
    await expect.poll(() => shownLabel(page, tileSel(d))).toBe(null);
    await page.keyboard.press('8');
    await expect.poll(() => shownLabel(page, tileSel(d))).toBe('green');
    // The loupe shows the label too.
    await page.keyboard.press('Enter');
    await expect.poll(() => shownLabel(page, '[data-testid="loupe"]')).toBe('green');
    await page.keyboard.press('Escape');

    // The help names the keys that differ from Lightroom's.
    await page.keyboard.press('?');
    expect(await page.textContent('[data-testid="help-lightroom"]')).toContain('there G shows the grid and E the loupe');
    expect(await page.textContent('[data-testid="shortcuts-help"]')).toContain('Red, Yellow, Green, Blue label');
    await page.keyboard.press('Escape');

    // A reload keeps the labels.
    await page.reload();
    await page.waitForSelector(`[data-testid="tile"][data-name="${c}"]`, { timeout: 60_000 });
    await expect.poll(() => shownLabel(page, tileSel(c))).toBe('red');
    await expect.poll(() => shownLabel(page, tileSel(d))).toBe('green');
    await expect.poll(() => shownLabel(page, tileSel(a))).toBe(null);

    // A tag every photo makes the cut for, so each sidecar carries keywords.
    await page.fill('[data-testid="tag-input"]', 'photo');
    await page.press('[data-testid="tag-input"]', 'Enter');
    await page.focus('[data-testid="threshold"]');
    await page.keyboard.press('Home'); // the slider's minimum: every photo has the tag
    await expect.poll(() => page.locator('[data-testid="tile"]:not([data-rank=""])').count()).toBe(photos.length);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-xmp"]')]);
    const bytes = new Uint8Array(readFileSync((await dl.path())!));
    const sidecars = new Map(
      readCentralDirectory(bytes).map((e) => [e.name, new DOMParser().parseFromString(new TextDecoder().decode(entryData(bytes, e)), 'text/xml') as unknown as Document]),
    );
    const label = (name: string) => sidecars.get(`${name}.xmp`)?.getElementsByTagNameNS(NS_XMP, 'Label')[0]?.textContent ?? null;
    // c is a pick with a red label: the user's label wins over the pick label; a (pick, no label) gets Green.
    expect([label(a), label(b), label(c), label(d)]).toEqual(['Green', null, 'Red', 'Green']);
    const items = (doc: Document, ns: string, local: string) =>
      Array.from(doc.getElementsByTagNameNS(ns, local), (el) => Array.from(el.getElementsByTagNameNS(NS_RDF, 'li'), (li) => li.textContent));
    expect(sidecars.size).toBe(photos.length);
    for (const doc of sidecars.values()) {
      expect(items(doc, NS_DC, 'subject')).toEqual([['photo']]);
      expect(items(doc, NS_LR, 'hierarchicalSubject')).toEqual([['photo']]);
    }

    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    const rows = readFileSync((await csvDl.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n').map((r) => r.split(','));
    const col = rows[0].indexOf('label');
    const labelOf = new Map(rows.slice(1).map((r) => [r[rows[0].indexOf('name')], r[col]]));
    expect([labelOf.get(a), labelOf.get(c), labelOf.get(d)]).toEqual(['', 'red', 'green']);
    await context.close();
  }, 300_000);

  it('writes sidecars beside the photos, merging into the Lightroom sidecar already there (checked by ExifTool)', async () => {
    // Lightroom's sidecar for one photo, with develop settings Loupe knows nothing of.
    const tmp = mkdtempSync(join(tmpdir(), 'loupe-e2e-xmp-'));
    const theirsPath = join(tmp, 'theirs.xmp');
    execFileSync('exiftool', ['-o', theirsPath, '-XMP-xmp:Rating=2', '-XMP-dc:Subject=family', '-XMP-crs:Exposure2012=+0.50', '-XMP-crs:ProcessVersion=11.0']);
    const [a, b] = photos;
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The folder dialog cannot be driven headless: it answers with a folder of the origin-private file system
    // holding the photos (same File System Access API behind it).
    await stubFolderPicker(context, 'shoot');
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await page.evaluate(
      async ({ names, sidecar, sidecarText }) => {
        const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('shoot', { create: true });
        for (const [name, text] of [...names.map((n) => [n, 'photo bytes']), [sidecar, sidecarText]]) {
          const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
          await w.write(text);
          await w.close();
        }
      },
      { names: [a, b], sidecar: `${a}.xmp`, sidecarText: readFileSync(theirsPath, 'utf8') },
    );
    await dropFiles(page, [a, b].map((p) => fileFromDisk(join(REAL, p))));
    await waitForAnalysis(page, 2);
    await tile(page, a).click();
    await page.keyboard.press('p');
    await page.keyboard.press('4');
    await page.keyboard.press('9');
    await expect.poll(() => shownLabel(page, tileSel(a))).toBe('blue');
    await page.click('[data-testid="sidecars-into-folder"]');
    await page.waitForFunction(() => /Sidecars in “shoot”/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''));
    expect(await page.textContent('[data-testid="notice"]')).toContain('1 new one, 1 merged into those already there');
    const written = await page.evaluate(async (names) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('shoot');
      return Promise.all(names.map(async (n) => (await (await dir.getFileHandle(n)).getFile()).text()));
    }, [`${a}.xmp`, `${b}.xmp`]);
    const read = (text: string) => {
      const path = join(tmp, `read-${Math.random()}.xmp`);
      writeFileSync(path, text);
      return (JSON.parse(execFileSync('exiftool', ['-j', '-G1', path], { encoding: 'utf8' })) as Record<string, unknown>[])[0];
    };
    const merged = read(written[0]);
    expect([merged['XMP-xmp:Rating'], merged['XMP-xmp:Label'], merged['XMP-crs:Exposure2012'], merged['XMP-crs:ProcessVersion']]).toEqual([4, 'Blue', '+0.50', 11]);
    expect(merged['XMP-dc:Subject']).toBe('family');
    const fresh = read(written[1]);
    expect([fresh['XMP-xmp:Rating'], fresh['XMP-xmp:Label'], fresh['XMP-crs:Exposure2012']]).toEqual([0, undefined, undefined]);
    await context.close();
  }, 300_000);
});
