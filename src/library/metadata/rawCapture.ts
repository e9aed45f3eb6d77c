/**
 * Capture info for camera RAW files, read by exif.ts (exifr) from the TIFF structures the RAW parsers find:
 * nothing here reads an EXIF field itself. Two RAW layouts need help to look like one TIFF:
 * - CR3 splits IFD0 (CMT1: Make, Model) from the EXIF IFD (CMT2, a TIFF whose first IFD *is* the EXIF IFD):
 *   `tiffWithExifIfd` gives CMT2 a new IFD0 holding Make, Model and an ExifIFD pointer to its own IFD;
 * - a RAW's own EXIF may lack a field its embedded JPEG has (RAF keeps all its EXIF there):
 *   `mergeCaptureInfo` fills the gaps.
 */
import { captureInfoFromTiff, type CaptureInfo } from './exif';

const TAG_MAKE = 0x010f;
const TAG_MODEL = 0x0110;
const TAG_EXIF_IFD = 0x8769;
const ASCII = 2;
const LONG = 4;

/**
 * `exifTiff`: a TIFF whose IFD0 holds EXIF tags (CR3's CMT2). Returns a copy with a new IFD0 appended
 * (Make, Model, ExifIFD → the old IFD0); null when `exifTiff` has no TIFF header.
 */
export function tiffWithExifIfd(exifTiff: Uint8Array, make: string | null, model: string | null): Uint8Array | null {
  if (exifTiff.length < 8) return null;
  const order = String.fromCharCode(exifTiff[0], exifTiff[1]);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const strings = ([[TAG_MAKE, make], [TAG_MODEL, model]] as const).filter(([, s]) => s);
  const stringBytes = strings.reduce((n, [, s]) => n + s!.length + 1, 0);
  const count = strings.length + 1;
  const ifdAt = exifTiff.length + (exifTiff.length & 1); // IFDs start on a word boundary
  const out = new Uint8Array(ifdAt + 2 + count * 12 + 4 + stringBytes);
  out.set(exifTiff);
  const view = new DataView(out.buffer);
  const oldIfd0 = view.getUint32(4, le);
  view.setUint32(4, ifdAt, le);
  view.setUint16(ifdAt, count, le);
  let entry = ifdAt + 2;
  let data = ifdAt + 2 + count * 12 + 4;
  for (const [tag, s] of strings) {
    const bytes = Uint8Array.from(s! + '\0', (c) => c.charCodeAt(0) & 0xff);
    view.setUint16(entry, tag, le);
    view.setUint16(entry + 2, ASCII, le);
    view.setUint32(entry + 4, bytes.length, le);
    if (bytes.length <= 4) out.set(bytes, entry + 8);
    else {
      view.setUint32(entry + 8, data, le);
      out.set(bytes, data);
      data += bytes.length;
    }
    entry += 12;
  }
  view.setUint16(entry, TAG_EXIF_IFD, le);
  view.setUint16(entry + 2, LONG, le);
  view.setUint32(entry + 4, 1, le);
  view.setUint32(entry + 8, oldIfd0, le);
  view.setUint32(entry + 12, 0, le); // no next IFD
  return out;
}

/** CR3: capture info from CMT2 (EXIF IFD) with the camera named by CMT1's Make and Model. */
export async function cr3CaptureInfo(cmt2: Uint8Array, make: string | null, model: string | null): Promise<CaptureInfo | null> {
  const tiff = tiffWithExifIfd(cmt2, make, model);
  return tiff ? captureInfoFromTiff(tiff) : null;
}

/** `primary`'s fields, with the ones it lacks taken from `fallback`. */
export function mergeCaptureInfo(primary: CaptureInfo | null, fallback: CaptureInfo | null): CaptureInfo | null {
  if (!primary || !fallback) return primary ?? fallback;
  const p = primary.exposure;
  const f = fallback.exposure;
  return {
    capturedAt: primary.capturedAt ?? fallback.capturedAt,
    // The offset that goes with the time taken.
    offsetMinutes: primary.capturedAt !== null ? primary.offsetMinutes : fallback.offsetMinutes,
    camera: primary.camera ?? fallback.camera,
    lens: primary.lens ?? fallback.lens,
    exposure: {
      iso: p.iso ?? f.iso,
      fNumber: p.fNumber ?? f.fNumber,
      exposureTime: p.exposureTime ?? f.exposureTime,
      focalLength: p.focalLength ?? f.focalLength,
    },
    userComment: primary.userComment ?? fallback.userComment,
  };
}

export { captureInfoFromTiff };
