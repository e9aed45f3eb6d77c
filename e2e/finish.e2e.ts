/**
 * Finish (issue 16, item 7): F opens one dialog that says, before anything happens, how many files go into
 * which folder of the archive (by capture date, or flat). The copy writes each keeper with its RAW and a
 * sidecar, every file read back and checked; run again, it copies nothing and finds it all there. Browsers
 * that cannot write into folders get the same as a bash script, which is run here on the real files. An
 * origin-private folder stands in for the folder picker (the native dialog cannot be driven headless).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { dropFiles, SHARED, sharedBrowser, waitForAnalysis, type DropFile, stubFolderPicker } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();

const exif = (when: string, offset?: string) => ({ IFD0: { Make: 'Loupe', Model: 'Finish Cam' }, IFD2: { DateTimeOriginal: when, ...(offset ? { OffsetTimeOriginal: offset } : {}) } });
async function photo(hue: number, when: string | null, offset?: string): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320"><rect width="480" height="320" fill="hsl(${hue},55%,45%)"/><circle cx="${120 + hue / 3}" cy="150" r="70" fill="#eee"/></svg>`;
  const image = sharp(Buffer.from(svg));
  return new Uint8Array(await (when ? image.withExif(exif(when, offset)) : image).jpeg({ quality: 90 }).toBuffer());
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every file under the origin-private folder: path → size and SHA-256, as the page reads them back. */
const archiveListing = (page: Page) =>
  page.evaluate(async () => {
    const out: Record<string, { size: number; sha: string }> = {};
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
      for await (const [name, h] of dir as unknown as AsyncIterable<[string, FileSystemHandle]>) {
        if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, `${prefix}${name}/`);
        else {
          const file = await (h as FileSystemFileHandle).getFile();
          const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
          out[prefix + name] = { size: file.size, sha: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
        }
      }
    };
    await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('archive', { create: true }), '');
    return out;
  });

describe('finish', () => {
  it('shows what goes where, copies the keepers with their RAW and sidecars checked, skips them on a second run, and offers a script', async () => {
    const RAW = new Uint8Array(readFileSync(join(SHARED, 'images/camera/stripped/CanonRaw.cr2')));
    const files: DropFile[] = [
      // 23:30 in New York: 04:30 the next day in UTC, but the photo's own day is 1 June.
      { name: 'IMG_0001.JPG', bytes: await photo(20, '2026:06:01 23:30:00', '-05:00'), relativePath: 'shoot/IMG_0001.JPG' },
      { name: 'IMG_0001.CR2', bytes: RAW, relativePath: 'shoot/IMG_0001.CR2' },
      { name: 'IMG_0002.JPG', bytes: await photo(140, '2026:06:02 09:30:00'), relativePath: 'shoot/IMG_0002.JPG' },
      { name: 'IMG_0003.JPG', bytes: await photo(250, null), relativePath: 'shoot/IMG_0003.JPG' },
      { name: 'IMG_0004.JPG', bytes: await photo(320, '2026:06:02 11:00:00'), relativePath: 'shoot/IMG_0004.JPG' },
    ];
    const context = await chrome.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    await stubFolderPicker(context, 'archive');
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await dropFiles(page, files);
    await waitForAnalysis(page, 4);

    for (const [name, key] of [['IMG_0001.JPG', 'p'], ['IMG_0002.JPG', 'p'], ['IMG_0003.JPG', 'p'], ['IMG_0004.JPG', 'x']] as const) {
      await page.click(`[data-testid="tile"][data-name="${name}"]`);
      await page.keyboard.press(key);
      await page.waitForSelector(`[data-testid="tile"][data-name="${name}"][data-decision="${key === 'p' ? 'pick' : 'reject'}"]`);
    }

    // Before anything happens: how many files go where.
    await page.keyboard.press('f');
    await page.waitForSelector('[data-testid="finish"]');
    expect(await page.textContent('[data-testid="finish-summary"]')).toMatch(/^3 keepers: 4 files \(1 with their RAW\) and 3 sidecars/);
    const folders = () => page.$$eval('[data-testid="finish-folder"]', (rows) => rows.map((r) => [r.getAttribute('data-folder'), r.querySelector('td')?.textContent?.replace(/, [\d.]+ [kKM]?B$/, '')]));
    expect(await folders()).toEqual([
      ['2026/2026-06-01', '1 photo, 2 files'],
      ['2026/2026-06-02', '1 photo, 1 file'],
      ['undated', '1 photo, 1 file'],
    ]);
    expect(await page.textContent('[data-testid="finish-rejects"]')).toMatch(/^1 reject: left where they are unless you set them aside/);
    await page.screenshot({ path: 'test-results/finish.png' });

    // The copy: every file read back and checked, the RAW beside its JPEG, one sidecar per keeper.
    await page.click('[data-testid="finish-copy"]');
    const report = page.locator('[data-testid="finish-report"]');
    await report.waitFor();
    expect([await report.getAttribute('data-copied'), await report.getAttribute('data-failed')]).toEqual(['4', '0']);
    const listing = await archiveListing(page);
    const byName = Object.fromEntries(files.map((f) => [f.name, f.bytes]));
    expect(Object.keys(listing).sort()).toEqual([
      '2026/2026-06-01/IMG_0001.CR2',
      '2026/2026-06-01/IMG_0001.JPG',
      '2026/2026-06-01/IMG_0001.xmp',
      '2026/2026-06-02/IMG_0002.JPG',
      '2026/2026-06-02/IMG_0002.JPG.xmp',
      'undated/IMG_0003.JPG',
      'undated/IMG_0003.JPG.xmp',
    ]);
    for (const [path, { size, sha: digest }] of Object.entries(listing)) {
      if (path.endsWith('.xmp')) continue;
      const original = byName[path.slice(path.lastIndexOf('/') + 1)];
      expect([size, digest], path).toEqual([original.length, sha(original)]);
    }
    const xmp = await page.evaluate(async () => {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('archive');
      const day = await (await root.getDirectoryHandle('2026')).getDirectoryHandle('2026-06-01');
      return (await (await day.getFileHandle('IMG_0001.xmp')).getFile()).text();
    });
    expect(xmp).toContain('<xmp:Label>Green</xmp:Label>');
    expect(xmp).toContain('<loupe:Decision>pick</loupe:Decision>');

    // Run again (as after an interruption): nothing copied twice.
    await page.click('[data-testid="finish-copy"]');
    await expect.poll(() => report.getAttribute('data-already')).toBe('4');
    expect(await report.getAttribute('data-copied')).toBe('0');

    // Flat: one folder. The script does the same where the browser cannot write folders; run it on the files.
    await page.click('[data-testid="finish-flat"]');
    await expect.poll(folders).toEqual([['', '3 photos, 4 files']]);
    await page.check('[data-testid="finish-set-aside"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="finish-script"]')]);
    expect(download.suggestedFilename()).toMatch(/^loupe-finish-\d{4}-\d\d-\d\d\.sh$/);
    const work = mkdtempSync(join(tmpdir(), 'loupe-finish-e2e-'));
    mkdirSync(join(work, 'from/shoot'), { recursive: true });
    for (const f of files) writeFileSync(join(work, 'from', f.relativePath!), f.bytes);
    const out = execFileSync('bash', [(await download.path())!, join(work, 'from'), join(work, 'archive')], { encoding: 'utf8' });
    expect(out).toContain('Copied 4, already there 0, set aside 1, problems 0.');
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [relative(join(work, 'archive'), join(dir, n))]));
    expect(walk(join(work, 'archive')).sort()).toEqual(['IMG_0001.CR2', 'IMG_0001.JPG', 'IMG_0001.xmp', 'IMG_0002.JPG', 'IMG_0002.JPG.xmp', 'IMG_0003.JPG', 'IMG_0003.JPG.xmp']);
    expect(sha(readFileSync(join(work, 'archive/IMG_0001.CR2')))).toBe(sha(RAW));
    expect(readdirSync(join(work, 'from/shoot')).sort()).toEqual(['IMG_0001.CR2', 'IMG_0001.JPG', 'IMG_0002.JPG', 'IMG_0003.JPG', '_rejects']);
    expect(readdirSync(join(work, 'from/shoot/_rejects'))).toEqual(['IMG_0004.JPG']);

    // Dropped, not opened with "Open folder": the browser gave no leave to write there, and the page says so.
    await page.click('[data-testid="finish-aside-now"]');
    const refused = page.locator('[data-testid="finish-aside-report"]');
    await refused.waitFor();
    expect([await refused.getAttribute('data-moved'), await refused.getAttribute('data-failed')]).toEqual(['0', '1']);
    expect(await refused.textContent()).toContain('shoot/IMG_0004.JPG: Loupe may not write into “shoot”: open it with “Open folder…”');
    await context.close();
  });

  /** Every file under the origin-private folder `name`: path → SHA-256. */
  const folderListing = (page: Page, name: string) =>
    page.evaluate(async (folder) => {
      const out: Record<string, string> = {};
      const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
        for await (const [n, h] of dir as unknown as AsyncIterable<[string, FileSystemHandle]>) {
          if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, `${prefix}${n}/`);
          else {
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await (await (h as FileSystemFileHandle).getFile()).arrayBuffer()));
            out[prefix + n] = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
          }
        }
      };
      await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle(folder), '');
      return out;
    }, name);

  it.each([
    ['moves', true],
    ['copies, checks and deletes only after a second confirmation where it cannot move', false],
  ])('sets the rejects aside into “_rejects” in the folder they were opened from: %s', async (_what, canMove) => {
    const RAW = new Uint8Array(readFileSync(join(SHARED, 'images/camera/stripped/CanonRaw.cr2')));
    const files: DropFile[] = [
      { name: 'IMG_0001.JPG', bytes: await photo(20, '2026:06:01 10:00:00'), relativePath: 'IMG_0001.JPG' },
      { name: 'IMG_0004.JPG', bytes: await photo(320, '2026:06:01 10:01:00'), relativePath: 'IMG_0004.JPG' },
      { name: 'IMG_0004.CR2', bytes: RAW, relativePath: 'IMG_0004.CR2' },
      { name: 'IMG_0005.JPG', bytes: await photo(200, '2026:06:02 10:00:00'), relativePath: 'day2/IMG_0005.JPG' },
    ];
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The folder dialog answers with origin-private folders: "shoot" to open, "archive" to copy into. Without
    // move(), the browser is one that can only copy and delete.
    await context.addInitScript((move) => {
      const w = window as unknown as { showDirectoryPicker: (o?: { id?: string }) => Promise<FileSystemDirectoryHandle> };
      w.showDirectoryPicker = async (o) => (await navigator.storage.getDirectory()).getDirectoryHandle(o?.id === 'loupe-archive' ? 'archive' : 'shoot', { create: true });
      if (!move) delete (FileSystemFileHandle.prototype as { move?: unknown }).move;
    }, canMove);
    const page = await context.newPage();
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    await page.evaluate(async (list) => {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('shoot', { create: true });
      for (const f of list) {
        let dir = root;
        const parts = f.path.split('/');
        for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
        const w = await (await dir.getFileHandle(parts[parts.length - 1], { create: true })).createWritable();
        await w.write(new Uint8Array(f.bytes));
        await w.close();
      }
    }, files.map((f) => ({ path: f.relativePath!, bytes: Array.from(f.bytes) })));
    const before = await folderListing(page, 'shoot');
    await page.click('[data-testid="pick-folder"]');
    await waitForAnalysis(page, 3);
    for (const [name, key] of [['IMG_0001.JPG', 'p'], ['IMG_0004.JPG', 'x'], ['IMG_0005.JPG', 'x']] as const) {
      await page.click(`[data-testid="tile"][data-name="${name}"]`);
      await page.keyboard.press(key);
      await page.waitForSelector(`[data-testid="tile"][data-name="${name}"][data-decision="${key === 'p' ? 'pick' : 'reject'}"]`);
    }
    await page.keyboard.press('f');
    await page.waitForSelector('[data-testid="finish"]');
    const report = page.locator('[data-testid="finish-aside-report"]');
    await page.click('[data-testid="finish-aside-now"]');
    if (!canMove) {
      // Asked a second time; "leave them" leaves every file as it was.
      await page.waitForSelector('[data-testid="finish-aside-confirm"]');
      expect(await page.textContent('[data-testid="finish-aside-confirm"]')).toContain('deleting the original');
      await page.screenshot({ path: 'test-results/finish-confirm-delete.png' });
      await page.click('[data-testid="finish-aside-keep"]');
      await page.waitForSelector('[data-testid="finish-aside-confirm"]', { state: 'detached' });
      expect(await folderListing(page, 'shoot')).toEqual(before);
      await page.click('[data-testid="finish-aside-now"]');
      await page.click('[data-testid="finish-aside-delete"]');
    }
    await report.waitFor();
    expect([await report.getAttribute('data-moved'), await report.getAttribute('data-failed')]).toEqual(['3', '0']);
    // The rejects (the RAW with its JPEG) are in "_rejects" beside where they were, byte for byte; the keeper stays.
    expect(await folderListing(page, 'shoot')).toEqual({
      'IMG_0001.JPG': before['IMG_0001.JPG'],
      '_rejects/IMG_0004.JPG': before['IMG_0004.JPG'],
      '_rejects/IMG_0004.CR2': before['IMG_0004.CR2'],
      'day2/_rejects/IMG_0005.JPG': before['day2/IMG_0005.JPG'],
    });
    // Run again (as after an interruption): all found aside, nothing moved twice.
    await page.click('[data-testid="finish-aside-now"]');
    if (!canMove) await page.click('[data-testid="finish-aside-delete"]');
    await expect.poll(() => report.getAttribute('data-already')).toBe('3');
    expect(await report.getAttribute('data-moved')).toBe('0');
    await context.close();
  });
});
