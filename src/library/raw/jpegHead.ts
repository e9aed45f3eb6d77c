/**
 * What a candidate preview really is, from its first markers: a JPEG a browser decodes (SOF0 baseline,
 * SOF1 extended, SOF2 progressive) and its stored size, or not. RAW containers also hold lossless JPEG
 * (SOF3: DNG and CR2 raw data use Compression 6/7 too) and dummy or corrupt data where a preview should be;
 * only the SOF marker tells them apart.
 */
import { RangeReader } from './rangeReader';

/** Offsets and length of one embedded JPEG, with where it was found (for debugging and tests). */
export interface Candidate {
  offset: number;
  length: number;
  source: string;
}

export type JpegHead =
  | { kind: 'jpeg'; sof: number; width: number; height: number; exif: { offset: number; length: number } | null }
  | { kind: 'lossless' }
  | { kind: 'other' };

/** Markers before the frame header: APPn, DQT, DHT, COM… Cameras write a handful. */
const MAX_MARKERS = 64;
/** The frame header comes after the APP segments; 1 MB holds any camera's (APP1 and APP2 are ≤ 64 KB each). */
const MAX_HEADER_BYTES = 1024 * 1024;
const BROWSER_SOFS = new Set([0xc0, 0xc1, 0xc2]);

function isSof(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

/** Reads the markers of the JPEG at [offset, offset + length) up to its frame header. */
export async function readJpegHead(r: RangeReader, offset: number, length: number): Promise<JpegHead> {
  const end = Math.min(offset + length, offset + MAX_HEADER_BYTES, r.size);
  const soi = await r.bytes(offset, 3);
  if (soi.length < 3 || soi[0] !== 0xff || soi[1] !== 0xd8 || soi[2] !== 0xff) return { kind: 'other' };
  let pos = offset + 2;
  let exif: { offset: number; length: number } | null = null;
  for (let n = 0; n < MAX_MARKERS && pos + 4 <= end; n++) {
    const m = await r.bytes(pos, 4);
    if (m[0] !== 0xff) return { kind: 'other' };
    const marker = m[1];
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      pos += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return { kind: 'other' }; // image data before any frame header
    const segment = (m[2] << 8) | m[3];
    if (segment < 2) return { kind: 'other' };
    if (isSof(marker)) {
      if (!BROWSER_SOFS.has(marker)) return marker === 0xc3 ? { kind: 'lossless' } : { kind: 'other' };
      const f = await r.bytes(pos + 4, 5);
      if (f.length < 5) return { kind: 'other' };
      const height = (f[1] << 8) | f[2];
      const width = (f[3] << 8) | f[4];
      return width > 0 && height > 0 ? { kind: 'jpeg', sof: marker, width, height, exif } : { kind: 'other' };
    }
    if (marker === 0xe1 && !exif && segment > 8) {
      const id = await r.bytes(pos + 4, 6);
      if (String.fromCharCode(...id) === 'Exif\0\0') exif = { offset: pos + 10, length: segment - 8 };
    }
    pos += 2 + segment;
  }
  return { kind: 'other' };
}
