/**
 * Canon CRW (CIFF, 1998-2004 cameras): "II", header length, "HEAPCCDR", then a heap of records. A heap's
 * last 4 bytes give its directory (relative to the heap): u16 count, then 10-byte entries (u16 tag, u32
 * size, u32 offset). Bits 0x3800 of the tag give its type (0x2800/0x3000: a sub-heap), bit 0x4000 that the
 * value sits in the entry. Tag 0x2007 is JpgFromRaw, 0x2008 ThumbnailImage, 0x1810 ImageInfo (rotation in
 * degrees at word 3). Layout as ExifTool reads it (CanonRaw.pm, ProcessCanonRaw). CRW has no EXIF.
 */
import type { Candidate } from './jpegHead';
import { RangeReader, ascii, u16, u32 } from './rangeReader';

const MAX_HEAPS = 16;
const MAX_DEPTH = 4;
const MAX_ENTRIES = 512;
const ROTATION_TO_ORIENTATION: Readonly<Record<number, number>> = { 0: 1, 90: 6, 180: 3, 270: 8, [-90]: 8, [-180]: 3, [-270]: 6 };

export interface CrwScan {
  candidates: Candidate[];
  orientation: number | null;
}

export async function scanCrw(r: RangeReader): Promise<CrwScan | null> {
  const h = await r.bytes(0, 14);
  if (h.length < 14 || ascii(h, 6, 8) !== 'HEAPCCDR') return null;
  const le = ascii(h, 0, 2) === 'II';
  const scan: CrwScan = { candidates: [], orientation: null };
  let heaps = 0;

  const heap = async (start: number, end: number, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || heaps++ >= MAX_HEAPS || end - start < 6 || end > r.size) return;
    const dir = start + u32(await r.bytes(end - 4, 4), 0, le);
    if (dir < start || dir + 2 > end) return;
    const count = Math.min(u16(await r.bytes(dir, 2), 0, le), MAX_ENTRIES);
    const table = await r.bytes(dir + 2, count * 10);
    for (let i = 0; i + 10 <= table.length; i += 10) {
      const tag = u16(table, i, le);
      if (tag & 0x4000) continue; // value inside the entry: none we need
      const size = u32(table, i + 2, le);
      const at = start + u32(table, i + 6, le);
      const type = (tag >> 8) & 0x38;
      const id = tag & 0x3fff;
      if (type === 0x28 || type === 0x30) await heap(at, at + size, depth + 1);
      else if (id === 0x2007) scan.candidates.push({ offset: at, length: size, source: 'CRW JpgFromRaw' });
      else if (id === 0x2008) scan.candidates.push({ offset: at, length: size, source: 'CRW ThumbnailImage' });
      else if (id === 0x1810 && size >= 16) {
        const info = await r.bytes(at, 16);
        const rotation = u32(info, 12, le) | 0; // int32s
        scan.orientation = ROTATION_TO_ORIENTATION[rotation] ?? null;
      }
    }
  };

  await heap(u32(h, 2, le), r.size, 0);
  return scan;
}
