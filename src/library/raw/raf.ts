/**
 * Fujifilm RAF: a fixed big-endian header ("FUJIFILMCCD-RAW ", format version, camera id and name) whose
 * words at 0x54 and 0x58 give the offset and length of the embedded JPEG (ExifTool FujiFilm.pm,
 * ProcessRAF). That JPEG carries the EXIF (orientation, capture time) as in a camera JPEG.
 */
import type { Candidate } from './jpegHead';
import { RangeReader, ascii, u32 } from './rangeReader';

const HEADER_BYTES = 0x5c;

/** The header's JPEG, [] when the header has none, null when this is not an RAF header. */
export async function rafCandidates(r: RangeReader): Promise<Candidate[] | null> {
  const h = await r.bytes(0, HEADER_BYTES);
  if (h.length < HEADER_BYTES || ascii(h, 0, 16) !== 'FUJIFILMCCD-RAW ') return null;
  const offset = u32(h, 0x54, false);
  const length = u32(h, 0x58, false);
  return offset > 0 && length > 0 ? [{ offset, length, source: 'RAF header JPEG' }] : [];
}
