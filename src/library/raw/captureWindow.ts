/**
 * The part of a TIFF-based RAW that exif.ts needs to read capture info: from the TIFF header to the end of
 * the furthest IFD0 or EXIF IFD entry or small value. exifr resolves offsets inside the bytes it is given,
 * so it gets one contiguous window starting at the header; cameras put IFD0 and the EXIF IFD in the first
 * tens of KB, ahead of previews and raw data. Large values (maker notes, XMP, ICC) are left out: exifr
 * does not read them for the fields we keep.
 */
import type { Ifd } from './tiffIfd';

/** Values larger than this are not capture fields (UserComment of a generated image is the largest). */
const MAX_VALUE_BYTES = 64 * 1024;
/** A window larger than this means the EXIF sits after the image data: capture info is skipped. */
const MAX_WINDOW_BYTES = 2 * 1024 * 1024;

export function captureWindow(base: number, fileSize: number, ifds: Array<Ifd | null>): { start: number; length: number } | null {
  let end = 0;
  for (const ifd of ifds) {
    if (!ifd) continue;
    end = Math.max(end, ifd.at + 2 + ifd.count * 12 + 4);
    for (const e of ifd.entries.values()) {
      // A corrupt offset pointing past the file must not push the window out of reach of the good fields.
      if (e.size <= MAX_VALUE_BYTES && e.valueAt + e.size <= fileSize) end = Math.max(end, e.valueAt + e.size);
    }
  }
  const length = Math.min(end, fileSize) - base;
  return length > 0 && length <= MAX_WINDOW_BYTES ? { start: base, length } : null;
}
