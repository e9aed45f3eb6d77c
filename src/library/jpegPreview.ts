/**
 * The fast path's cheapest source for a big camera JPEG: the large preview the camera stored in the file's MPF
 * segment (metadata/mpf.ts), often 1616×1080 or 1920×1280 and a few hundred KB, where even a 1/8 decode of the
 * photo must entropy-decode all of its 7+ MB. Used like a RAW's embedded preview (openRaw.ts): its own EXIF is
 * stripped and the photo's orientation applied once. Only on the fast path (the exact path decodes the photo as
 * PIL does), and only when the preview keeps what the fast path promises: the same picture (aspect ratio within
 * 1 %), twice the model's input on the short side, and the people checks' working size on the long side.
 */
import type { FastDecodeNeed, ImageSize } from './decodePlan';
import { exifOrientation } from './metadata/exifThumbnail';
import { mpfLargeThumbnails } from './metadata/mpf';
import { jpegWithoutExif } from './jpegWithoutExif';
import { orientBitmap, swapsSides } from './orientation';
import { readJpegHead } from './raw/jpegHead';
import { RangeReader } from './raw/rangeReader';

export interface JpegPreview {
  offset: number;
  length: number;
  /** Stored size, before orientation. */
  width: number;
  height: number;
}

/** A preview whose aspect ratio differs more than this from the photo's is letterboxed, cropped or rotated. */
const ASPECT_TOLERANCE = 0.01;
/** Below 4× the preview's pixels, the photo itself is cheap enough to decode, and is the better source. */
const MIN_PIXEL_RATIO = 4;

/** The smallest preview that meets `need` and shows the same picture as `photo`; null when none does. */
export function usableJpegPreview(previews: JpegPreview[], photo: ImageSize, need: FastDecodeNeed): JpegPreview | null {
  const aspect = photo.width / photo.height;
  const fits = previews.filter(
    (p) =>
      Math.abs(p.width / p.height / aspect - 1) <= ASPECT_TOLERANCE &&
      Math.min(p.width, p.height) >= need.shortSide &&
      Math.max(p.width, p.height) >= need.longSide &&
      p.width * p.height * MIN_PIXEL_RATIO <= photo.width * photo.height,
  );
  fits.sort((a, b) => a.width * a.height - b.width * b.height);
  return fits[0] ?? null;
}

/** The MPF previews of `file` (its first bytes are `head`) that lie inside it, with their stored sizes. */
export async function jpegPreviews(file: Blob, head: Uint8Array): Promise<JpegPreview[]> {
  const listed = mpfLargeThumbnails(head).filter((p) => p.offset + p.length <= file.size);
  if (listed.length === 0) return [];
  const reader = new RangeReader(file);
  const found: JpegPreview[] = [];
  for (const p of listed) {
    const jpeg = await readJpegHead(reader, p.offset, p.length).catch(() => null);
    if (jpeg?.kind === 'jpeg') found.push({ offset: p.offset, length: p.length, width: jpeg.width, height: jpeg.height });
  }
  return found;
}

export interface OpenedPreview {
  bitmap: ImageBitmap;
  preview: JpegPreview;
}

/**
 * The chosen preview decoded (by `decode`, the browser-image opener, at its own fast scale) and turned upright
 * by the photo's orientation; null when the file has no usable preview, or it cannot be decoded (the caller
 * then decodes the photo itself).
 */
export async function openJpegPreview(
  file: Blob,
  head: Uint8Array,
  photo: ImageSize,
  need: FastDecodeNeed,
  decode: (jpeg: Blob) => Promise<ImageBitmap | null>,
): Promise<OpenedPreview | null> {
  const preview = usableJpegPreview(await jpegPreviews(file, head), photo, need);
  if (!preview) return null;
  const jpeg = await jpegWithoutExif(file.slice(preview.offset, preview.offset + preview.length, 'image/jpeg'));
  const bitmap = await decode(jpeg);
  if (!bitmap) return null;
  return { bitmap: orientBitmap(bitmap, exifOrientation(head)), preview };
}

/** The photo's displayed size (after orientation) from its stored size and the orientation in `head`. */
export function displayedSize(photo: ImageSize, head: Uint8Array): ImageSize {
  return swapsSides(exifOrientation(head)) ? { width: photo.height, height: photo.width } : photo;
}
