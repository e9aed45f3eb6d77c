/**
 * What the top-level boxes of a HEIF file say before libheif sees it. libheif decodes a cut-short iPhone
 * HEIC "successfully", leaving the missing grid tiles black and saying so only in decoding warnings; an
 * incomplete copy is the usual damaged file, so it is recognised here. And a file with no 'meta' box has no
 * image item at all, which libheif reports only as "file size too small" or a missing box.
 */

export interface CutShort {
  /** The four-character type of the box the file ends inside ('mdat' for a cut-short photo). */
  box: string;
  /** Where that box would end, in bytes from the start. */
  needs: number;
}

export interface TopLevelBoxes {
  /** The box that runs past the end of the file, if any. */
  cutShort: CutShort | null;
  /** Whether a whole 'meta' box (where HEIF keeps its image items) was seen. */
  hasMeta: boolean;
  /** Whether the walk understood every byte: false once a header is implausible (libheif then judges). */
  understood: boolean;
}

// A box type is four printable ASCII characters; anything else is damage or not ISO BMFF at all.
const isFourCC = (bytes: Uint8Array, at: number): boolean => {
  for (let i = at; i < at + 4; i++) if (bytes[i] < 0x20 || bytes[i] > 0x7e) return false;
  return true;
};

/**
 * Walks the top-level boxes (ISO BMFF: 32-bit size and type; size 1 means a 64-bit size follows, size 0 "to
 * the end of the file"). Fewer than 8 bytes after the last whole box are ignored, as libheif ignores them.
 */
export function scanTopLevelBoxes(bytes: Uint8Array): TopLevelBoxes {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hasMeta = false;
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    if (!isFourCC(bytes, offset + 4)) return { cutShort: null, hasMeta, understood: false };
    const type = String.fromCharCode(bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7]);
    let size = view.getUint32(offset);
    if (size === 0) size = bytes.length - offset;
    else if (size === 1) {
      if (offset + 16 > bytes.length) return { cutShort: { box: type, needs: offset + 16 }, hasMeta, understood: true };
      size = Number(view.getBigUint64(offset + 8));
    }
    if (size < 8) return { cutShort: null, hasMeta, understood: false };
    if (offset + size > bytes.length) return { cutShort: { box: type, needs: offset + size }, hasMeta, understood: true };
    if (type === 'meta') hasMeta = true;
    offset += size;
  }
  return { cutShort: null, hasMeta, understood: true };
}
