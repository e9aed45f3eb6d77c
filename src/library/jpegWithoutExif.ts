/**
 * A JPEG without its EXIF segments, as a Blob made of slices of the original (nothing is copied). Used for a
 * RAW's embedded preview: its orientation is the RAW's, applied once by orientation.ts, so the browser must
 * not also apply an orientation it finds in the preview (RAF and RW2 previews carry their own EXIF).
 */

/** Byte ranges of the APP1 "Exif" segments before the first scan; null when the header is malformed. */
export function exifSegments(bytes: Uint8Array): Array<[number, number]> | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const found: Array<[number, number]> = [];
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return found; // scan data or end: no more metadata
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (length < 2) return null;
    const isExif = marker === 0xe1 && i + 10 <= bytes.length && String.fromCharCode(...bytes.subarray(i + 4, i + 8)) === 'Exif';
    if (isExif) found.push([i, i + 2 + length]);
    i += 2 + length;
  }
  // The header ran past the bytes given: what was found so far stands (the caller reads enough for EXIF).
  return found;
}

/** Bytes read to find the EXIF segments: EXIF lives in the first 64 KB of a JPEG (APP1's length field). */
const HEADER_BYTES = 192 * 1024;

export async function jpegWithoutExif(jpeg: Blob): Promise<Blob> {
  const head = new Uint8Array(await jpeg.slice(0, HEADER_BYTES).arrayBuffer());
  const segments = exifSegments(head);
  if (!segments || segments.length === 0) return jpeg;
  const parts: Blob[] = [];
  let at = 0;
  for (const [start, end] of segments) {
    parts.push(jpeg.slice(at, start));
    at = end;
  }
  parts.push(jpeg.slice(at));
  return new Blob(parts, { type: 'image/jpeg' });
}
