/**
 * Where a JPEG keeps its EXIF thumbnail (IFD1's JPEGInterchangeFormat), and the photo's orientation (IFD0),
 * read from the first bytes of the file: the grid's first look, shown before any decode (Photo Mechanic's way).
 * A bounded walk of two IFDs; anything malformed is "no thumbnail".
 */

export interface ExifThumbnail {
  /** Byte range of the thumbnail JPEG within the file. */
  offset: number;
  length: number;
  /** IFD0's Orientation (1–8), to apply to the thumbnail; 1 when absent. */
  orientation: number;
}

const MAX_ENTRIES = 512;

/** `head`: the file's first bytes (the APP1 segment is within the first 64 KB, plus the markers before it). */
export function exifThumbnail(head: Uint8Array): ExifThumbnail | null {
  const tiff = exifTiff(head);
  if (!tiff) return null;
  const found = thumbnailInTiff(tiff.bytes);
  return found ? { ...found, offset: tiff.start + found.offset } : null;
}

/** IFD0's Orientation (1–8) of the JPEG whose first bytes are `head`; 1 when absent or unreadable. */
export function exifOrientation(head: Uint8Array): number {
  const tiff = exifTiff(head);
  return tiff ? (readIfds(tiff.bytes)?.orientation ?? 1) : 1;
}

/** The TIFF structure inside the first APP1 "Exif" segment, and where it starts in the file. */
function exifTiff(head: Uint8Array): { bytes: Uint8Array; start: number } | null {
  if (head.length < 4 || head[0] !== 0xff || head[1] !== 0xd8) return null;
  let i = 2;
  while (i + 10 <= head.length && head[i] === 0xff) {
    const marker = head[i + 1];
    const length = (head[i + 2] << 8) | head[i + 3];
    if (marker === 0xda || marker === 0xd9 || length < 2) return null;
    if (marker === 0xe1 && String.fromCharCode(...head.subarray(i + 4, i + 10)) === 'Exif\0\0') {
      const start = i + 10;
      return { bytes: head.subarray(start, Math.min(head.length, i + 2 + length)), start };
    }
    i += 2 + length;
  }
  return null;
}

/** IFD0's orientation and IFD1's tags (null without an IFD1); null when IFD0 cannot be read. */
function readIfds(tiff: Uint8Array): { orientation: number; ifd1: Map<number, number> | null } | null {
  if (tiff.length < 8) return null;
  const le = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return null;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const u16 = (at: number) => view.getUint16(at, le);
  const u32 = (at: number) => view.getUint32(at, le);
  const entries = (ifd: number): Map<number, number> | null => {
    if (ifd < 8 || ifd + 2 > tiff.length) return null;
    const count = u16(ifd);
    if (count > MAX_ENTRIES || ifd + 2 + count * 12 + 4 > tiff.length) return null;
    const tags = new Map<number, number>();
    for (let k = 0; k < count; k++) {
      const at = ifd + 2 + k * 12;
      const type = u16(at + 2);
      // SHORT values sit in the first two bytes of the value field; LONG in all four.
      tags.set(u16(at), type === 3 ? u16(at + 8) : u32(at + 8));
    }
    tags.set(-1, u32(ifd + 2 + count * 12)); // the next IFD's offset
    return tags;
  };
  const ifd0 = entries(u32(4));
  if (!ifd0) return null;
  const next = ifd0.get(-1) ?? 0;
  const orientation = ifd0.get(0x112) ?? 1;
  return { orientation: orientation >= 1 && orientation <= 8 ? orientation : 1, ifd1: next !== 0 && next !== u32(4) ? entries(next) : null };
}

/** Offsets relative to the TIFF header; null without a complete IFD1 thumbnail inside `tiff`. */
function thumbnailInTiff(tiff: Uint8Array): ExifThumbnail | null {
  const ifds = readIfds(tiff);
  const offset = ifds?.ifd1?.get(0x201);
  const length = ifds?.ifd1?.get(0x202);
  if (!ifds || !offset || !length || offset + length > tiff.length) return null;
  // A JPEG starts with SOI: anything else is not a thumbnail we can show.
  if (tiff[offset] !== 0xff || tiff[offset + 1] !== 0xd8) return null;
  return { offset, length, orientation: ifds.orientation };
}
