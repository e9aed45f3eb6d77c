/**
 * Minolta MRW: "\0MRM", a big-endian length, then blocks ("\0PRD", "\0TTW", "\0WBG", "\0RIF"), each a
 * 4-byte name and a big-endian length. The TTW block is a TIFF structure (IFD0, EXIF, a Minolta maker note
 * with the preview); its offsets are relative to the block's start (ExifTool MinoltaRaw.pm).
 */
import { RangeReader, ascii, u32 } from './rangeReader';

const MAX_BLOCKS = 16;

/** Absolute position of the TTW block's TIFF header; null when there is none. */
export async function mrwTiffBase(r: RangeReader): Promise<number | null> {
  const h = await r.bytes(0, 8);
  if (h.length < 8 || ascii(h, 0, 4) !== '\0MRM') return null;
  const end = Math.min(8 + u32(h, 4, false), r.size);
  let pos = 8;
  for (let n = 0; n < MAX_BLOCKS && pos + 8 <= end; n++) {
    const b = await r.bytes(pos, 8);
    if (ascii(b, 0, 4) === '\0TTW') return pos + 8;
    pos += 8 + u32(b, 4, false);
  }
  return null;
}
