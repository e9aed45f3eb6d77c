/**
 * The grid's first look: a small upright thumbnail taken from what the file already carries (a JPEG's EXIF
 * thumbnail), made while the file is identified, so a photographer can start culling before any score exists,
 * as in Photo Mechanic: a JPEG's EXIF thumbnail, a RAW's embedded preview (decoded at a reduced scale).
 * Nothing is decoded at full size; a file without such a preview gets none (its tile fills in when analysed).
 */
import { jpegSize } from './decodePlan';
import { exifThumbnail } from './metadata/exifThumbnail';
import { openRaw } from './openRaw';
import { orientBitmap } from './orientation';
import { detectRaw, type RawFormat } from './raw';

/** The EXIF segment is within a JPEG's first 64 KB (its length field), after at most a few small markers. */
const HEAD_BYTES = 80 * 1024;

/** A JPEG of at most `size` px on the long side, upright; null when the file carries no thumbnail. */
export async function firstLook(file: Blob, name: string, size: number): Promise<Blob | null> {
  if (size <= 0) return null;
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const raw = detectRaw(head, name);
  if (raw) return rawFirstLook(file, raw, size);
  const found = exifThumbnail(head);
  if (!found) return null;
  const jpeg = file.slice(found.offset, found.offset + found.length, 'image/jpeg');
  // Upright and small already (most photos): its own bytes are the look, with nothing decoded or encoded.
  const stored = jpegSize(head.subarray(found.offset, found.offset + found.length));
  if (found.orientation === 1 && stored && 'width' in stored && Math.max(stored.width, stored.height) <= size) return jpeg;
  return thumbnailFrom(jpeg, found.orientation, size);
}

/** A RAW's embedded preview, decoded by the JPEG decoder at a reduced scale (the analysis's fast path). */
async function rawFirstLook(file: Blob, format: RawFormat, size: number): Promise<Blob | null> {
  const opened = await openRaw(file, format, { exact: false, faceLongSide: 0 });
  if ('reason' in opened) return null;
  try {
    return await encodeThumbnail(opened.bitmap, size);
  } finally {
    opened.bitmap.close();
  }
}

/** `jpeg` decoded (it is small), turned upright by `orientation`, scaled down to `size` and encoded again. */
export async function thumbnailFrom(jpeg: Blob, orientation: number, size: number): Promise<Blob> {
  // The thumbnail's own EXIF, if any, is not the photo's: the photo's orientation is applied here, once.
  const decoded = await createImageBitmap(jpeg, { imageOrientation: 'none' });
  const upright = orientBitmap(decoded, orientation);
  try {
    return await encodeThumbnail(upright, size);
  } finally {
    upright.close();
  }
}

/** `upright` scaled down (never up) to `size` on the long side, as a JPEG. */
async function encodeThumbnail(upright: ImageBitmap, size: number): Promise<Blob> {
  const scale = Math.min(1, size / Math.max(upright.width, upright.height));
  const w = Math.max(1, Math.round(upright.width * scale));
  const h = Math.max(1, Math.round(upright.height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in this worker');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(upright, 0, 0, w, h);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
}
