/**
 * The JPEGs that generated RAW containers embed, made at test time with sharp from a real photograph in
 * ../shared/images (never committed): a 1620×1080 preview (Canon's PRVW size), a 2400×1600 "full-size"
 * JPEG, a 640×424 maker-note preview and a 160×120 thumbnail; and a camera-style EXIF APP1 for the
 * formats whose preview carries its own EXIF (RAF, RW2).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Layout, T, exifFields, ifd0Fields, rel, writeIfd, type CaptureSpec } from './tiffLayout';

export const PHOTO = join(import.meta.dirname, '../../../shared/images/faces/human-group-3.jpg');

export interface PreviewJpegs {
  full: Uint8Array; // 2400×1600
  big: Uint8Array; // 1620×1080
  mid: Uint8Array; // 640×424
  thumb: Uint8Array; // 160×120
}

async function jpeg(width: number, height: number, quality = 85): Promise<Uint8Array> {
  // A real photograph when the shared data is there; a textured synthetic image otherwise.
  const source = existsSync(PHOTO)
    ? sharp(PHOTO)
    : sharp({ create: { width: 800, height: 600, channels: 3, background: '#7a8' }, }).composite([{ input: Buffer.from(
        `<svg width="800" height="600"><circle cx="300" cy="250" r="180" fill="#d62"/><rect x="420" y="300" width="300" height="200" fill="#247"/></svg>`) }]);
  const buffer = await source.resize(width, height, { fit: 'cover' }).jpeg({ quality, mozjpeg: false }).toBuffer();
  return new Uint8Array(buffer);
}

let cached: Promise<PreviewJpegs> | null = null;

export function previewJpegs(): Promise<PreviewJpegs> {
  cached ??= (async () => ({
    full: await jpeg(2400, 1600),
    big: await jpeg(1620, 1080),
    mid: await jpeg(640, 424),
    thumb: await jpeg(160, 120, 75),
  }))();
  return cached;
}

/** A TIFF as cameras put in a JPEG's APP1: IFD0, EXIF IFD, IFD1 with a JPEG thumbnail. */
export function exifTiff(c: CaptureSpec, thumb: Uint8Array, le = true): Uint8Array {
  const L = new Layout(le);
  L.ascii(le ? 'II' : 'MM').u16(42).u32(8);
  writeIfd(L, ifd0Fields(c, L.start('exif')), { next: L.start('ifd1') });
  writeIfd(L, exifFields(c), { label: 'exif' });
  writeIfd(
    L,
    [
      { tag: 0x103, type: T.SHORT, value: [6] },
      { tag: 0x11a, type: T.RATIONAL, value: [180, 1] },
      { tag: 0x11b, type: T.RATIONAL, value: [180, 1] },
      { tag: 0x128, type: T.SHORT, value: [2] },
      { tag: 0x201, type: T.LONG, value: rel(L.start('thumb')) },
      { tag: 0x202, type: T.LONG, value: L.length('thumb') },
    ],
    { label: 'ifd1' },
  );
  L.blob('thumb', thumb);
  return L.flat();
}

/** `jpeg` with an APP1 "Exif" segment holding `tiff` inserted after its SOI. */
export function withExif(jpegBytes: Uint8Array, tiff: Uint8Array): Uint8Array {
  const length = 2 + 6 + tiff.length;
  if (length > 0xffff) throw new Error('EXIF too large for one APP1 segment');
  const app1 = new Uint8Array(2 + length);
  app1.set([0xff, 0xe1, length >> 8, length & 0xff, 0x45, 0x78, 0x69, 0x66, 0, 0]);
  app1.set(tiff, 10);
  const out = new Uint8Array(jpegBytes.length + app1.length);
  out.set(jpegBytes.subarray(0, 2));
  out.set(app1, 2);
  out.set(jpegBytes.subarray(2), 2 + app1.length);
  return out;
}
