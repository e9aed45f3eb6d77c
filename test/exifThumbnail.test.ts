/**
 * The first look's EXIF thumbnail, checked against ExifTool as an independent reader (`-b -ThumbnailImage`):
 * the same bytes, and IFD0's orientation.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { exifThumbnail } from '../src/library/metadata/exifThumbnail';

const EXIFTOOL = '/usr/bin/exiftool';
const hasExiftool = existsSync(EXIFTOOL);

async function photoWithThumbnail(dir: string, orientation: number): Promise<string> {
  const noise = Buffer.alloc(600 * 400 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  const photo = join(dir, `photo-${orientation}.jpg`);
  const thumb = join(dir, `thumb-${orientation}.jpg`);
  await sharp(noise, { raw: { width: 600, height: 400, channels: 3 } }).withMetadata({ orientation }).jpeg().toFile(photo);
  await sharp(noise, { raw: { width: 600, height: 400, channels: 3 } }).resize(160, 107).jpeg({ quality: 70 }).toFile(thumb);
  execFileSync(EXIFTOOL, ['-q', '-overwrite_original', `-ThumbnailImage<=${thumb}`, photo]);
  return photo;
}

describe('exifThumbnail', () => {
  it.skipIf(!hasExiftool)('finds the bytes ExifTool extracts, and the orientation, for each orientation (skipped without exiftool)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-exif-thumb-'));
    for (const orientation of [1, 3, 6, 8]) {
      const photo = await photoWithThumbnail(dir, orientation);
      const bytes = new Uint8Array(readFileSync(photo));
      const found = exifThumbnail(bytes.subarray(0, 65536 + 4096));
      expect(found, `orientation ${orientation}`).not.toBeNull();
      const reference = execFileSync(EXIFTOOL, ['-b', '-ThumbnailImage', photo]);
      expect(Buffer.from(bytes.subarray(found!.offset, found!.offset + found!.length)).equals(reference)).toBe(true);
      expect(found!.orientation).toBe(Number(execFileSync(EXIFTOOL, ['-s3', '-n', '-Orientation', photo]).toString().trim()));
    }
  });

  it('says "none" for a JPEG without EXIF, a PNG, and a thumbnail pointing past the bytes given', async () => {
    const plain = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#468' } }).jpeg().toBuffer());
    expect(exifThumbnail(plain)).toBeNull();
    expect(exifThumbnail(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    if (!hasExiftool) return;
    const dir = mkdtempSync(join(tmpdir(), 'loupe-exif-thumb-'));
    const photo = await photoWithThumbnail(dir, 1);
    const bytes = new Uint8Array(readFileSync(photo));
    const found = exifThumbnail(bytes)!;
    // Cut the bytes inside the thumbnail: it is not complete, so it is not offered.
    expect(exifThumbnail(bytes.subarray(0, found.offset + 10))).toBeNull();
  });
});
