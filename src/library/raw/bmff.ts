/**
 * ISO-BMFF box headers (CR3 is a QuickTime/MP4-style file): size, type, and for 'uuid' boxes their
 * 16-byte id. Only headers are read; a box that claims to run past its parent is cut at the parent's end
 * and ends the list (a truncated file, or ExifTool's stripped samples, whose sizes still count the data).
 */
import { RangeReader, ascii, u32 } from './rangeReader';

export interface Box {
  type: string;
  /** Absolute position of the box and of its payload (after the size, type, and uuid id). */
  at: number;
  start: number;
  end: number;
  /** Lower-case hex of a 'uuid' box's id, '' for other boxes. */
  uuid: string;
}

/** Boxes in [start, end), at most `max` of them. */
export async function readBoxes(r: RangeReader, start: number, end: number, max: number): Promise<Box[]> {
  const boxes: Box[] = [];
  let pos = start;
  while (pos + 8 <= end && boxes.length < max) {
    const h = await r.bytes(pos, 32);
    if (h.length < 8) break;
    let size = u32(h, 0, false);
    const type = ascii(h, 4, 4);
    let header = 8;
    if (size === 1) {
      if (h.length < 16) break;
      size = u32(h, 8, false) * 0x100000000 + u32(h, 12, false); // 64-bit size
      header = 16;
    } else if (size === 0) {
      size = end - pos; // "to the end of the file"
    }
    let uuid = '';
    if (type === 'uuid') {
      if (h.length < header + 16) break;
      uuid = Array.from(h.subarray(header, header + 16), (b) => b.toString(16).padStart(2, '0')).join('');
      header += 16;
    }
    if (size < header) break; // a corrupt size would loop or go backwards
    const boxEnd = Math.min(pos + size, end);
    boxes.push({ type, at: pos, start: pos + header, end: boxEnd, uuid });
    if (pos + size > end) break;
    pos += size;
  }
  return boxes;
}

export async function child(r: RangeReader, parent: Box, type: string): Promise<Box | null> {
  return (await readBoxes(r, parent.start, parent.end, 64)).find((b) => b.type === type) ?? null;
}
