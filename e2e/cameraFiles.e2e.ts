/**
 * A photographer's card in one drop (issue 14): generated RAW containers of every brand (each checked by
 * ExifTool in test/rawPreview.test.ts), the real DNG and phone HEICs of ../shared/images/camera, ExifTool's
 * stripped RAWs (no preview data) and an empty CR3, a JPEG with an EXIF thumbnail, and a camera JPEG with an MPF
 * preview. Every photo shows
 * upright with a score and says what it was analysed from; the others get a reason naming their format; the
 * grid shows first looks before any score.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, inject, it } from 'vitest';
import { MPF_LARGE_THUMBNAIL_FULL_HD } from '../src/library/metadata/mpf';
import { withMpfPreviews } from '../test/helpers/mpfJpeg';
import { REQUIRED_FORMATS, writeRawContainer, type Generated } from '../test/helpers/rawContainers';
import { dropFiles, fileFromDisk, freshPage, SHARED, sharedBrowser, waitForAnalysis, type DropFile } from './browser';

const base = inject('baseUrl');
const chrome = sharedBrowser();
const CAMERA = join(SHARED, 'images/camera');
const EXIFTOOL = '/usr/bin/exiftool';

/** Displayed size of each phone file (REFERENCE §10: irot applied by libheif, EXIF orientation never on top). */
const HEICS: Record<string, string> = {
  'iphone7.heic': '4032×3024',
  'iphone8.heic': '4032×3024',
  'iphone11pro-exif-at-eof.heic': '3024×4032',
  'samsung-s10plus-rot90.heic': '3024×4032',
};
const STRIPPED: Record<string, string> = { 'Nikon.nef': 'NEF', 'CanonRaw.cr3': 'CR3', 'FujiFilm.raf': 'RAF', 'CanonRaw.cr2': 'CR2' };

/** A 3000×2000 JPEG whose EXIF carries a 160×107 thumbnail (written by ExifTool). */
async function jpegWithThumbnail(dir: string): Promise<DropFile> {
  const photo = join(dir, 'DSC_0042.JPG');
  const thumb = join(dir, 'thumb.jpg');
  const draw = () => sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#3a6' } }).composite([{ input: Buffer.from('<svg width="3000" height="2000"><circle cx="900" cy="800" r="500" fill="#fc3"/></svg>') }]);
  await draw().jpeg({ quality: 85 }).toFile(photo);
  await (await draw().png().toBuffer().then((b) => sharp(b))).resize(160, 107).jpeg({ quality: 70 }).toFile(thumb);
  execFileSync(EXIFTOOL, ['-q', '-overwrite_original', `-ThumbnailImage<=${thumb}`, photo]);
  return fileFromDisk(photo);
}

/**
 * A 4800×3200 camera JPEG held upright (Orientation 6) with a 1620×1080 MPF preview after it, as many cameras
 * write (test/mpf.test.ts checks the layout against ExifTool).
 */
async function jpegWithMpfPreview(dir: string): Promise<DropFile> {
  const draw = (w: number, h: number) =>
    sharp({ create: { width: 4800, height: 3200, channels: 3, background: '#36a' } })
      .composite([{ input: Buffer.from('<svg width="4800" height="3200"><rect x="600" y="400" width="1800" height="1200" fill="#fc3"/></svg>') }])
      .png()
      .toBuffer()
      .then((b) => sharp(b).resize(w, h).jpeg({ quality: 85 }).toBuffer());
  const photo = join(dir, 'DSC_0100.JPG');
  writeFileSync(photo, await draw(4800, 3200));
  execFileSync(EXIFTOOL, ['-q', '-overwrite_original', '-n', '-Orientation=6', '-Make=SONY', photo]);
  const preview = new Uint8Array(await draw(1620, 1080));
  const file = withMpfPreviews(new Uint8Array(readFileSync(photo)), [{ jpeg: preview, type: MPF_LARGE_THUMBNAIL_FULL_HD }]);
  return { name: 'DSC_0100.JPG', bytes: file };
}

describe.skipIf(!existsSync(CAMERA) || !existsSync(EXIFTOOL))('camera files (needs ../shared/images/camera and exiftool)', () => {
  it('reads RAW of every brand from its preview, HEIC upright, refuses stripped RAWs by name, and shows first looks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-card-'));
    const raws: Generated[] = [];
    for (const format of REQUIRED_FORMATS) raws.push(await writeRawContainer(dir, format, {}, `IMG_${format}`));
    const files: DropFile[] = [
      ...raws.map((g) => fileFromDisk(g.path)),
      ...Object.keys(HEICS).map((n) => fileFromDisk(join(CAMERA, n))),
      fileFromDisk(join(CAMERA, 'canon-eos-6d.dng')),
      ...Object.keys(STRIPPED).map((n) => fileFromDisk(join(CAMERA, 'stripped', n))),
      { name: 'EMPTY.CR3', bytes: new Uint8Array(0) },
      await jpegWithThumbnail(dir),
      await jpegWithMpfPreview(dir),
    ];
    const page = await freshPage(chrome.browser);
    await page.goto(new URL('?model=clip-tiny&backend=wasm&people=off', base).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend="wasm"]', { timeout: 120_000 });
    // Records every tile that showed a first look (its own thumbnail before analysis), however briefly.
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { firstLooks: Set<string> }).firstLooks = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[data-testid="tile"][data-first-look="true"]')) if (el.querySelector('img')) seen.add(el.getAttribute('data-name') ?? '');
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await dropFiles(page, files);
    await waitForAnalysis(page, files.length, 300_000);

    const tiles = await page.$$eval('[data-testid="tile"]', (els) =>
      Object.fromEntries(
        els.map((el) => [
          el.getAttribute('data-name') ?? '',
          {
            status: el.getAttribute('data-status'),
            size: el.getAttribute('data-size'),
            origin: el.querySelector('[data-testid="origin"]')?.textContent ?? null,
            error: el.querySelector('[data-testid="tile-error"]')?.textContent ?? null,
          },
        ]),
      ),
    );
    for (const g of raws) {
      const name = g.path.split('/').pop()!;
      const t = tiles[name];
      expect(t?.status, `${name}: ${t?.error}`).toBe('scored');
      const { width, height } = g.largest;
      expect(t.origin, name).toBe(`RAW · embedded preview ${width}×${height}`);
      // Upright by the RAW's orientation: 5–8 turn the preview a quarter.
      const upright = g.capture.orientation >= 5 ? `${height}×${width}` : `${width}×${height}`;
      expect(t.size, name).toBe(upright);
    }
    for (const [name, size] of Object.entries(HEICS)) {
      expect(tiles[name]?.status, `${name}: ${tiles[name]?.error}`).toBe('scored');
      expect(tiles[name].size, name).toBe(size);
    }
    expect(tiles['canon-eos-6d.dng']?.status, tiles['canon-eos-6d.dng']?.error ?? '').toBe('scored');
    expect(tiles['canon-eos-6d.dng'].origin).toMatch(/^RAW · embedded preview \d+×\d+/);
    for (const [name, format] of Object.entries(STRIPPED)) {
      expect(tiles[name]?.status, name).toBe('failed');
      expect(tiles[name].error, name).toMatch(new RegExp(`^${format}: `));
      expect(tiles[name].error, name).not.toMatch(/TIFF/);
    }
    expect(tiles['EMPTY.CR3']).toMatchObject({ status: 'failed', error: 'CR3: empty file (0 bytes)' });
    expect(tiles['DSC_0042.JPG']?.status).toBe('scored');
    // A camera JPEG with an MPF preview: analysed from the preview (the fast path), upright by the photo's EXIF.
    expect(tiles['DSC_0100.JPG']?.status, tiles['DSC_0100.JPG']?.error ?? '').toBe('scored');
    expect(tiles['DSC_0100.JPG'].size).toBe('3200×4800');
    const thumb = await page.$eval('[data-testid="tile"][data-name="DSC_0100.JPG"] img', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    expect(thumb[0], 'the thumbnail is upright (portrait)').toBeLessThan(thumb[1]);

    const firstLooks = await page.evaluate(() => [...(window as unknown as { firstLooks: Set<string> }).firstLooks]);
    expect(firstLooks).toContain('DSC_0042.JPG');
    expect(firstLooks).toContain('IMG_NEF.nef');
    // After analysis every tile shows the analysis's own thumbnail.
    expect(await page.locator('[data-testid="tile"][data-first-look="true"]').count()).toBe(0);

    // The explain panel says what a RAW was analysed from.
    await page.click('[data-testid="tile"][data-name="IMG_CR3.cr3"]');
    await page.keyboard.press('e');
    await expect.poll(() => page.textContent('[data-testid="explain"]')).toContain("CR3 file's embedded JPEG preview (2400×1600)");
    await page.keyboard.press('Escape');
    await page.click('[data-testid="tile"][data-name="DSC_0100.JPG"]');
    await page.keyboard.press('e');
    await expect.poll(() => page.textContent('[data-testid="explain"]')).toContain('Analysed from the 1620×1080 preview the camera embedded in this JPEG (MPF)');
    await page.close();
  }, 420_000);
});
