/**
 * The directory of an ICO or CUR file, and the entry Chromium shows. Blink's ICO decoder sorts the entries by
 * area, then by bit depth, and decodes the first: so the image's size is the largest entry's size, and that
 * entry's pixels are what createImageBitmap gives. The CLI decodes the same entry (cli/lib/decodeIco.ts), and
 * decodePlan.ts takes the size from here before anything is decoded.
 */

export interface IcoEntry {
  /** The size the directory gives: a 0 byte means 256. */
  width: number;
  height: number;
  /** Bits per pixel as the directory gives it, or as its colour count implies (cursors, and icons giving 0). */
  bitCount: number;
  /** Where the entry's image (a PNG, or a BMP without its file header) starts, and its length. */
  offset: number;
  byteSize: number;
}

export const ICO_ICON = 1;
export const ICO_CURSOR = 2;

const u16 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/** Whether the first bytes are an icon or cursor directory with at least one entry. */
export function looksLikeIco(head: Uint8Array): boolean {
  return head.length >= 6 && u16(head, 0) === 0 && (u16(head, 2) === ICO_ICON || u16(head, 2) === ICO_CURSOR) && u16(head, 4) > 0;
}

/**
 * The entries, in file order; null when `bytes` (a prefix of the file) does not hold the whole directory or an
 * entry points into the directory itself, which Chromium refuses.
 */
export function readIcoDirectory(bytes: Uint8Array): IcoEntry[] | null {
  if (!looksLikeIco(bytes)) return null;
  const cursor = u16(bytes, 2) === ICO_CURSOR;
  const count = u16(bytes, 4);
  const end = 6 + 16 * count;
  if (bytes.length < end) return null;
  const entries: IcoEntry[] = [];
  for (let i = 6; i < end; i += 16) {
    // A cursor keeps its hot spot where an icon keeps planes and bit count.
    let bitCount = cursor ? 0 : u16(bytes, i + 6);
    if (bitCount === 0) {
      // The smallest depth that holds the colour count (0 counts as 256): used only to rank entries.
      for (let colors = (bytes[i + 2] || 256) - 1; colors > 0; colors >>= 1) bitCount++;
    }
    const entry = { width: bytes[i] || 256, height: bytes[i + 1] || 256, bitCount, byteSize: u32(bytes, i + 8), offset: u32(bytes, i + 12) };
    if (entry.offset < end) return null;
    entries.push(entry);
  }
  return entries;
}

/** The entry Chromium decodes: the largest area, then the deepest; the first in the file among equals. */
export function bestIcoEntry(entries: readonly IcoEntry[]): IcoEntry | null {
  let best: IcoEntry | null = null;
  for (const e of entries) {
    const area = e.width * e.height;
    const bestArea = best ? best.width * best.height : -1;
    if (area > bestArea || (area === bestArea && e.bitCount > best!.bitCount)) best = e;
  }
  return best;
}
