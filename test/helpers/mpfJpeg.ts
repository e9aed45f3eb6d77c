/**
 * A camera JPEG with MPF previews (CIPA DC-007 Baseline MP file), as tests and the bench generate it: an APP2
 * "MPF" segment after the EXIF APP1 whose MP index lists the primary image and each preview, and the preview
 * JPEGs appended after the primary's EOI. ExifTool reads such a file back (`-b -MPImage2`), which the tests use
 * as the independent check of the layout.
 */

export interface MpfPart {
  jpeg: Uint8Array;
  /** MP type code: 0x010001 (VGA), 0x010002 (full HD); anything else to test what is not a preview. */
  type: number;
}

/** `primary` (a complete JPEG) with an MPF segment listing `parts`, which follow it in the file. */
export function withMpfPreviews(primary: Uint8Array, parts: MpfPart[], littleEndian = true): Uint8Array {
  const n = parts.length + 1;
  const entriesAt = 8 + 2 + 3 * 12 + 4;
  const mp = new Uint8Array(entriesAt + 16 * n);
  const view = new DataView(mp.buffer);
  const le = littleEndian;
  mp.set(le ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  view.setUint16(2, 42, le);
  view.setUint32(4, 8, le);
  view.setUint16(8, 3, le);
  const entry = (k: number, tag: number, type: number, count: number, value: number) => {
    const at = 10 + k * 12;
    view.setUint16(at, tag, le);
    view.setUint16(at + 2, type, le);
    view.setUint32(at + 4, count, le);
    view.setUint32(at + 8, value, le);
  };
  entry(0, 0xb000, 7, 4, 0);
  mp.set([0x30, 0x31, 0x30, 0x30], 10 + 8); // MPFVersion "0100"
  entry(1, 0xb001, 4, 1, n);
  entry(2, 0xb002, 7, 16 * n, entriesAt);
  view.setUint32(10 + 36, 0, le); // no MP attribute IFD

  const app2Length = 2 + 4 + mp.length;
  const insertAt = afterExif(primary);
  const primaryLength = primary.length + 2 + app2Length;
  const headerAt = insertAt + 8;
  // The primary first: representative image, baseline MP primary, at offset 0.
  const writeEntry = (k: number, attribute: number, size: number, offset: number) => {
    const at = entriesAt + k * 16;
    view.setUint32(at, attribute >>> 0, le);
    view.setUint32(at + 4, size, le);
    view.setUint32(at + 8, offset, le);
    view.setUint16(at + 12, 0, le);
    view.setUint16(at + 14, 0, le);
  };
  writeEntry(0, 0x20030000, primaryLength, 0);
  let at = primaryLength;
  parts.forEach((p, k) => {
    writeEntry(k + 1, p.type, p.jpeg.length, at - headerAt);
    at += p.jpeg.length;
  });

  const out = new Uint8Array(at);
  out.set(primary.subarray(0, insertAt), 0);
  out.set([0xff, 0xe2, app2Length >> 8, app2Length & 0xff, 0x4d, 0x50, 0x46, 0], insertAt);
  out.set(mp, insertAt + 8);
  out.set(primary.subarray(insertAt), insertAt + 2 + app2Length);
  let pos = primaryLength;
  for (const p of parts) {
    out.set(p.jpeg, pos);
    pos += p.jpeg.length;
  }
  return out;
}

/** Where the MPF segment goes: after SOI and any APP0/APP1 segments, as cameras write it. */
function afterExif(jpeg: Uint8Array): number {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  let i = 2;
  while (jpeg[i] === 0xff && (jpeg[i + 1] === 0xe0 || jpeg[i + 1] === 0xe1)) i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
  return i;
}
