/**
 * First look (issue 14): a card of camera JPEGs shows each file's own EXIF thumbnail in the grid as soon as its
 * first bytes are read, before the file is identified (a hash of every byte) and long before it is analysed;
 * a look is upright by the photo's orientation, cannot be culled, and hands its thumbnail to the file's tile.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { freshPage, sharedBrowser } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();
const EXIFTOOL = '/usr/bin/exiftool';
const COUNT = 48;

/** A 6000×4000 camera-like JPEG (noise, so it is ≈ 10 MB and slow to hash), held upright (Orientation 6), with a 160×120 EXIF thumbnail. */
async function cameraJpeg(dir: string): Promise<Buffer> {
  const width = 6000;
  const height = 4000;
  const noise = Buffer.alloc(width * height * 3);
  let x = 12345;
  for (let i = 0; i < noise.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    noise[i] = (x >>> 16) & 0xff;
  }
  const photo = join(dir, 'photo.jpg');
  const thumb = join(dir, 'thumb.jpg');
  await sharp(noise, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toFile(photo);
  await sharp(noise, { raw: { width, height, channels: 3 } }).resize(160, 120, { fit: 'fill' }).jpeg({ quality: 75 }).toFile(thumb);
  execFileSync(EXIFTOOL, ['-q', '-overwrite_original', '-n', '-Orientation=6', `-ThumbnailImage<=${thumb}`, photo]);
  return readFileSync(photo);
}

interface Seen {
  looks: Record<string, { portrait: boolean; text: string }>;
  tiles: string[];
  /** Names whose look was on screen before their tile was. */
  lookBeforeTile: string[];
}

describe.skipIf(!existsSync(EXIFTOOL))('first look (needs exiftool)', () => {
  it('shows every file by its EXIF thumbnail, upright, before it is identified, then hands it to the tile', async () => {
    const bytes = await cameraJpeg(mkdtempSync(join(tmpdir(), 'loupe-first-look-')));
    const page = await freshPage(chrome.browser);
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="drop-zone"]');
    await page.evaluate(
      ({ b64, count }) => {
        const bin = atob(b64);
        const one = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) one[i] = bin.charCodeAt(i);
        const photo = new Blob([one], { type: 'image/jpeg' });
        // Distinct files (a few bytes after the JPEG's end: distinct hashes, the same pixels), one copy in memory.
        const files = Array.from({ length: count }, (_, i) => new File([photo, `#${i}`], `DSC_${String(i).padStart(4, '0')}.JPG`, { type: 'image/jpeg' }));
        const seen: Seen = { looks: {}, tiles: [], lookBeforeTile: [] };
        (window as unknown as { seen: Seen; staged: File[] }).seen = seen;
        (window as unknown as { staged: File[] }).staged = files;
        new MutationObserver(() => {
          for (const el of document.querySelectorAll('[data-testid="first-look"]')) {
            const name = el.getAttribute('data-name') ?? '';
            const img = el.querySelector('img');
            if (!img || !img.complete || img.naturalWidth === 0 || seen.looks[name]) continue;
            seen.looks[name] = { portrait: img.naturalHeight > img.naturalWidth, text: el.textContent ?? '' };
            if (!seen.tiles.includes(name)) seen.lookBeforeTile.push(name);
          }
          for (const el of document.querySelectorAll('[data-testid="tile"]')) {
            const name = el.getAttribute('data-name') ?? '';
            if (!seen.tiles.includes(name)) seen.tiles.push(name);
          }
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      },
      { b64: bytes.toString('base64'), count: COUNT },
    );
    await page.evaluate(() => {
      const dt = new DataTransfer();
      for (const f of (window as unknown as { staged: File[] }).staged) dt.items.add(f);
      document.querySelector('[data-testid="drop-zone"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="grid"]')?.getAttribute('data-count')) >= n, COUNT, { timeout: 180_000 });

    const seen = await page.evaluate(() => (window as unknown as { seen: Seen }).seen);
    // Looks come first in the decode pool: the grid showed files before they were identified.
    expect(seen.lookBeforeTile.length, `looks seen: ${Object.keys(seen.looks).length}`).toBeGreaterThan(0);
    for (const [name, look] of Object.entries(seen.looks)) {
      expect(look.portrait, `${name}: the look is turned upright by the photo's Orientation 6`).toBe(true);
      expect(look.text).toContain('reading…');
    }
    // Once identified, no look is left; the tiles on screen show a thumbnail (the look's, until analysed).
    await expect.poll(() => page.locator('[data-testid="first-look"]').count()).toBe(0);
    const thumbs = await page.$$eval('[data-testid="tile"]', (els) => els.map((e) => !!e.querySelector('img')));
    expect(thumbs.length).toBeGreaterThan(0);
    expect(thumbs.every(Boolean)).toBe(true);
    await page.close();
  }, 300_000);
});
