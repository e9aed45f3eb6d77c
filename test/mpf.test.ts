/**
 * MPF previews in camera JPEGs (src/library/metadata/mpf.ts), checked against ExifTool as the independent
 * reader: the bytes it extracts as MPImage2/MPImage3 are the bytes the parser points at, in both byte orders.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { usableJpegPreview } from '../src/library/jpegPreview';
import { MPF_LARGE_THUMBNAIL_FULL_HD, MPF_LARGE_THUMBNAIL_VGA, mpfLargeThumbnails } from '../src/library/metadata/mpf';
import { EXIFTOOL, HAS_EXIFTOOL } from './helpers/exiftool';
import { withMpfPreviews } from './helpers/mpfJpeg';

async function jpeg(width: number, height: number, shade: string, orientation?: number): Promise<Uint8Array> {
  let s = sharp({ create: { width, height, channels: 3, background: shade } });
  if (orientation) s = s.withMetadata({ orientation });
  return new Uint8Array(await s.jpeg({ quality: 80 }).toBuffer());
}

const HEAD = 128 * 1024;

describe('mpfLargeThumbnails', () => {
  it.skipIf(!HAS_EXIFTOOL)('points at the bytes ExifTool extracts as MPImage2 and MPImage3, in both byte orders (skipped without exiftool)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-mpf-'));
    const primary = await jpeg(1200, 800, '#357', 6);
    const vga = await jpeg(640, 427, '#a52');
    const hd = await jpeg(1620, 1080, '#2a5');
    for (const le of [true, false]) {
      const file = withMpfPreviews(primary, [{ jpeg: vga, type: MPF_LARGE_THUMBNAIL_VGA }, { jpeg: hd, type: MPF_LARGE_THUMBNAIL_FULL_HD }], le);
      const path = join(dir, `mpf-${le ? 'le' : 'be'}.jpg`);
      writeFileSync(path, file);
      const found = mpfLargeThumbnails(file.subarray(0, HEAD));
      expect(found.map((f) => f.type)).toEqual([MPF_LARGE_THUMBNAIL_VGA, MPF_LARGE_THUMBNAIL_FULL_HD]);
      for (const [k, image] of found.entries()) {
        // ExifTool names the second image PreviewImage (in its group MPImage2), the third MPImage3.
        const tag = k === 0 ? '-MPImage2:PreviewImage' : '-MPImage3:MPImage3';
        const reference = execFileSync(EXIFTOOL, ['-b', tag, path]);
        expect(reference.length, tag).toBeGreaterThan(0);
        expect(Buffer.from(file.subarray(image.offset, image.offset + image.length)).equals(reference)).toBe(true);
      }
      // The primary is still the JPEG a browser shows, with its orientation.
      expect(execFileSync(EXIFTOOL, ['-s3', '-n', '-Orientation', path]).toString().trim()).toBe('6');
    }
  });

  it('offers only large thumbnails: not a gain map, a disparity image or a non-JPEG entry', async () => {
    const primary = await jpeg(400, 300, '#357');
    const other = await jpeg(200, 150, '#a52');
    const gainMap = 0x000000; // what phones' HDR gain maps are typed as: "undefined"
    const disparity = 0x020002;
    const file = withMpfPreviews(primary, [{ jpeg: other, type: gainMap }, { jpeg: other, type: disparity }, { jpeg: other, type: 0x01010002 }]);
    expect(mpfLargeThumbnails(file)).toEqual([]);
  });

  it('says "none" for a plain JPEG, a PNG, a cut MPF segment and a list with more images than it holds', async () => {
    const plain = await jpeg(64, 48, '#468');
    expect(mpfLargeThumbnails(plain)).toEqual([]);
    expect(mpfLargeThumbnails(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 0, 0]))).toEqual([]);
    const file = withMpfPreviews(plain, [{ jpeg: plain, type: MPF_LARGE_THUMBNAIL_FULL_HD }]);
    expect(mpfLargeThumbnails(file)).toHaveLength(1);
    const at = file.findIndex((_, i) => file[i] === 0x4d && file[i + 1] === 0x50 && file[i + 2] === 0x46 && file[i + 3] === 0);
    // Cut inside the MP index: nothing is offered.
    expect(mpfLargeThumbnails(file.subarray(0, at + 40))).toEqual([]);
    // NumberOfImages larger than the MPEntry list: refused.
    const lying = file.slice();
    const view = new DataView(lying.buffer);
    view.setUint32(at + 4 + 10 + 12 + 8, 7, true);
    expect(mpfLargeThumbnails(lying)).toEqual([]);
  });
});

describe('usableJpegPreview', () => {
  const photo = { width: 6000, height: 4000 };
  const off = { shortSide: 448, longSide: 0 };
  const on = { shortSide: 448, longSide: 1600 };
  const p = (width: number, height: number) => ({ offset: 100, length: 10, width, height });

  it('takes the smallest preview that keeps 448 px on the short side (and 1600 on the long with people checks)', () => {
    const vga = p(640, 427);
    const sony = p(1616, 1080);
    const fuji = p(1920, 1280);
    expect(usableJpegPreview([fuji, vga, sony], photo, off)).toBe(sony);
    expect(usableJpegPreview([fuji, vga, sony], photo, on)).toBe(sony);
    expect(usableJpegPreview([vga], photo, off)).toBeNull();
    expect(usableJpegPreview([p(1500, 1000)], photo, on)).toBeNull();
  });

  it('refuses a preview of another shape (letterboxed, cropped or rotated) and one too close to the photo in size', () => {
    expect(usableJpegPreview([p(1920, 1080)], photo, off)).toBeNull(); // 16:9 for a 3:2 photo
    expect(usableJpegPreview([p(1080, 1620)], photo, off)).toBeNull(); // stored turned
    expect(usableJpegPreview([p(1620, 1080)], { width: 2400, height: 1600 }, off)).toBeNull(); // photo < 4× its pixels
    expect(usableJpegPreview([p(1620, 1080)], { width: 3600, height: 2400 }, off)).not.toBeNull();
  });
});
