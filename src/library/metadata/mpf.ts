/**
 * The images a camera JPEG carries after its own, listed in its APP2 "MPF" segment (CIPA DC-007, the
 * Multi-Picture Format): many cameras store a large preview there (up to 1920×1080 "full-HD equivalent", or
 * 640×480 "VGA equivalent"), a few hundred KB against the photo's 7+ MB. Phones use the same segment for other
 * things (HDR gain maps, depth), which are not previews: only the two "large thumbnail" types are offered.
 * A bounded walk of the head of the file; anything malformed is "no images".
 */

export interface MpfImage {
  /** Byte range of the image's JPEG within the file. */
  offset: number;
  length: number;
  /** The MP type code (attribute bits 0–23): 0x010001 VGA, 0x010002 full-HD large thumbnail. */
  type: number;
}

export const MPF_LARGE_THUMBNAIL_VGA = 0x010001;
export const MPF_LARGE_THUMBNAIL_FULL_HD = 0x010002;

/** CIPA allows more, but a camera writes two or three; a list longer than this is not a camera's. */
const MAX_IMAGES = 32;
const MAX_MARKERS = 64;
const MP_ENTRY = 0xb002;
const NUMBER_OF_IMAGES = 0xb001;

/**
 * The large-thumbnail JPEGs listed in the MPF segment of the JPEG whose first bytes are `head` (the segment
 * sits among the APP segments, within the first 128 KB in practice). Offsets are absolute; entries that are not
 * JPEG data, have no size, or point before the segment are left out. The caller checks them against the file.
 */
export function mpfLargeThumbnails(head: Uint8Array): MpfImage[] {
  if (head.length < 4 || head[0] !== 0xff || head[1] !== 0xd8) return [];
  let i = 2;
  for (let n = 0; n < MAX_MARKERS && i + 8 <= head.length; n++) {
    if (head[i] !== 0xff) return [];
    const marker = head[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return [];
    const length = (head[i + 2] << 8) | head[i + 3];
    if (length < 2) return [];
    if (marker === 0xe2 && head[i + 4] === 0x4d && head[i + 5] === 0x50 && head[i + 6] === 0x46 && head[i + 7] === 0) {
      // Offsets in the MP index count from the MP header ("II*\0"/"MM\0*"), right after "MPF\0".
      const headerAt = i + 8;
      return largeThumbnails(head.subarray(headerAt, Math.min(head.length, i + 2 + length)), headerAt);
    }
    i += 2 + length;
  }
  return [];
}

function largeThumbnails(mp: Uint8Array, headerAt: number): MpfImage[] {
  if (mp.length < 8) return [];
  const le = mp[0] === 0x49 && mp[1] === 0x49;
  if (!le && !(mp[0] === 0x4d && mp[1] === 0x4d)) return [];
  const view = new DataView(mp.buffer, mp.byteOffset, mp.byteLength);
  const u16 = (at: number) => view.getUint16(at, le);
  const u32 = (at: number) => view.getUint32(at, le);
  if (u16(2) !== 42) return [];
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > mp.length) return [];
  const count = u16(ifd);
  if (count > 64 || ifd + 2 + count * 12 > mp.length) return [];
  let images = 0;
  let entries: { at: number; bytes: number } | null = null;
  for (let k = 0; k < count; k++) {
    const at = ifd + 2 + k * 12;
    const tag = u16(at);
    if (tag === NUMBER_OF_IMAGES) images = u32(at + 8);
    // MPEntry: UNDEFINED, 16 bytes per image, always longer than 4, so the value field is an offset.
    if (tag === MP_ENTRY) entries = { at: u32(at + 8), bytes: u32(at + 4) };
  }
  if (!entries || images < 2 || images > MAX_IMAGES || entries.bytes !== images * 16 || entries.at + entries.bytes > mp.length) return [];
  const found: MpfImage[] = [];
  // The first entry is the primary image itself (offset 0).
  for (let k = 1; k < images; k++) {
    const at = entries.at + k * 16;
    const attribute = u32(at);
    const length = u32(at + 4);
    const offset = u32(at + 8);
    const format = (attribute >>> 24) & 0x7;
    const type = attribute & 0xffffff;
    if (format !== 0 || length === 0 || offset === 0) continue;
    if (type !== MPF_LARGE_THUMBNAIL_VGA && type !== MPF_LARGE_THUMBNAIL_FULL_HD) continue;
    found.push({ offset: headerAt + offset, length, type });
  }
  return found;
}
