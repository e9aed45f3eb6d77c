/**
 * Capture metadata (time, camera, lens, exposure, UserComment) from a photo's EXIF, read with exifr.
 *
 * exifr is assembled here from its core and the few plugins we need rather than imported whole:
 * - its Blob support needs FileReader and only switches on where `navigator` exists, so a Blob fails in
 *   Node ("Invalid input argument") and would take another path in tests than in the worker; a small
 *   reader below hands exifr `blob.slice().arrayBuffer()` chunks in both, so exifr reads only the chunks
 *   holding EXIF (first 64 KiB, then up to five more) instead of the whole file;
 * - tags are picked by number and left untranslated, so none of its tag dictionaries (most of its size)
 *   are bundled; the values we keep are converted below;
 * - file parsers: JPEG, HEIC/AVIF and TIFF. exifr does not read WebP, and its PNG parser would read
 *   text chunks we already read: for both we find the EXIF payload (a TIFF structure) ourselves and give
 *   exifr just those bytes.
 */
// @ts-expect-error exifr ships types only for its bundles; these are its documented plugin modules (README, "Modularity").
import { Exifr as UntypedExifr } from 'exifr/src/core.mjs';
// @ts-expect-error see above
import { ChunkedReader as UntypedChunkedReader } from 'exifr/src/file-readers/ChunkedReader.mjs';
import 'exifr/src/file-parsers/jpeg.mjs';
import 'exifr/src/file-parsers/heif.mjs';
import 'exifr/src/file-parsers/tiff.mjs';
import 'exifr/src/segment-parsers/tiff-exif.mjs';
import { readPngMetadataChunks } from './pngText';
import { detectFormat, SNIFF_HEAD_BYTES, type ImageFormat } from '../sniff';

export interface CaptureInfo {
  /**
   * ms since epoch: DateTimeOriginal (else DateTimeDigitized) + SubSecTime + OffsetTime when present.
   * Without an offset the wall-clock time is taken as UTC: only differences between images matter
   * (bursts, sessions), and photos from one camera share its clock's zone.
   */
  capturedAt: number | null;
  /**
   * The offset from UTC, in minutes, that the camera wrote with the capture time (OffsetTimeOriginal), so that
   * the photo's own local day can be had back; null or absent when it wrote none (or the record is older).
   */
  offsetMinutes?: number | null;
  /** Make + Model, without the make repeated ("Canon EOS R5", not "Canon Canon EOS R5"). */
  camera: string | null;
  lens: string | null;
  exposure: { iso: number | null; fNumber: number | null; exposureTime: number | null; focalLength: number | null };
  /** EXIF UserComment decoded from its charset header; AUTOMATIC1111 keeps its generation parameters here. */
  userComment: string | null;
}

const TAG = {
  Make: 0x010f,
  Model: 0x0110,
  ExposureTime: 0x829a,
  FNumber: 0x829d,
  ISO: 0x8827,
  DateTimeOriginal: 0x9003,
  DateTimeDigitized: 0x9004,
  OffsetTimeOriginal: 0x9011,
  OffsetTimeDigitized: 0x9012,
  FocalLength: 0x920a,
  SubSecTimeOriginal: 0x9291,
  SubSecTimeDigitized: 0x9292,
  LensModel: 0xa434,
} as const;

const STRING_MAX_CHARS = 200;
/** Long enough for an AUTOMATIC1111 prompt with its settings (JPEG's APP1 caps EXIF at 64 KiB anyway). */
const USER_COMMENT_MAX_CHARS = 64 * 1024;
const WEBP_EXIF_MAX_BYTES = 1024 * 1024;

// --- exifr, typed for the part we use ------------------------------------------------------------------

type ExifrOutput = Record<string | number, unknown> & { userComment?: Uint8Array };
interface ExifrInstance {
  options: unknown;
  file: unknown;
  parsers: { tiff?: { le?: boolean } };
  read(input: Uint8Array): Promise<void>;
  parse(): Promise<ExifrOutput | undefined>;
}
const Exifr = UntypedExifr as new (options: object) => ExifrInstance;

interface ChunkedReaderInstance {
  input: Blob;
  chunked: boolean;
  size: number | undefined;
  read(): Promise<void>;
  readChunked(): Promise<void>;
  set(data: ArrayBuffer, offset: number, canExtend: boolean): unknown;
  _swapArrayBuffer(data: ArrayBuffer): void;
}
const ChunkedReader = UntypedChunkedReader as new (input: Blob, options: unknown) => ChunkedReaderInstance;

/** exifr's BlobReader, reading with `Blob.arrayBuffer()` (workers and Node) instead of FileReader (windows only). */
class BlobSliceReader extends ChunkedReader {
  async readWhole(): Promise<void> {
    this.chunked = false;
    this._swapArrayBuffer(await this.input.arrayBuffer());
  }

  override readChunked(): Promise<void> {
    this.chunked = true;
    this.size = this.input.size;
    return super.readChunked();
  }

  async _readChunk(offset: number, length: number | undefined): Promise<unknown> {
    const end = length ? offset + length : undefined;
    return this.set(await this.input.slice(offset, end).arrayBuffer(), offset, true);
  }
}

/**
 * One options object: exifr caches its parsed options by identity. Keys stay numeric (no dictionaries);
 * picking tags per block lets exifr stop reading a block once it has them.
 */
const EXIFR_OPTIONS = {
  tiff: true,
  ifd0: { pick: [TAG.Make, TAG.Model] },
  exif: {
    pick: [
      TAG.ExposureTime,
      TAG.FNumber,
      TAG.ISO,
      TAG.DateTimeOriginal,
      TAG.DateTimeDigitized,
      TAG.OffsetTimeOriginal,
      TAG.OffsetTimeDigitized,
      TAG.FocalLength,
      TAG.SubSecTimeOriginal,
      TAG.SubSecTimeDigitized,
      TAG.LensModel,
    ],
  },
  ifd1: false,
  gps: false,
  interop: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  makerNote: false,
  userComment: true,
  translateKeys: false,
  translateValues: false,
  reviveValues: false,
  sanitize: true,
  mergeOutput: true,
  silentErrors: true,
  chunked: true,
  firstChunkSize: 64 * 1024,
  chunkSize: 64 * 1024,
  chunkLimit: 5,
};

async function runExifr(input: Blob | Uint8Array): Promise<{ output: ExifrOutput; littleEndian: boolean | undefined } | null> {
  const exr = new Exifr(EXIFR_OPTIONS);
  if (input instanceof Uint8Array) {
    await exr.read(input);
  } else {
    const reader = new BlobSliceReader(input, exr.options);
    await reader.read();
    exr.file = reader;
  }
  const output = await exr.parse();
  return output ? { output, littleEndian: exr.parsers.tiff?.le } : null;
}

// --- values ------------------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8');

function text(v: unknown, max = STRING_MAX_CHARS): string | null {
  if (typeof v !== 'string') return null;
  // Strings from broken firmware carry NULs and control bytes.
  const t = v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (t === '') return null;
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

/** A positive finite number; exifr gives arrays for multi-valued tags (ISO) and NaN for 0/0 rationals. */
function positive(v: unknown): number | null {
  const n = ArrayBuffer.isView(v) || Array.isArray(v) ? (v as ArrayLike<unknown>)[0] : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

/** EXIF's "±HH:MM" offset from UTC in minutes; null when absent or malformed. */
export function exifOffsetMinutes(offset: unknown): number | null {
  const tz = typeof offset === 'string' ? /^\s*([+-])(\d{2}):?(\d{2})\s*$/.exec(offset) : null;
  if (!tz || Number(tz[2]) > 14 || Number(tz[3]) > 59) return null;
  return (tz[1] === '-' ? -1 : 1) * (Number(tz[2]) * 60 + Number(tz[3]));
}

/** "YYYY:MM:DD HH:MM:SS" (some writers use - or / and a T) + sub-seconds + "±HH:MM" → ms since epoch. */
export function exifDateToMs(date: unknown, subSec?: unknown, offset?: unknown): number | null {
  if (typeof date !== 'string') return null;
  const m = /^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(date);
  if (!m) return null;
  const [year, month, day, hour, minute, second = 0] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  // Cameras with an unset clock write zeros ("0000:00:00 00:00:00"): no time at all.
  if (year < 1800 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const sub = typeof subSec === 'string' || typeof subSec === 'number' ? String(subSec).trim() : '';
  if (/^\d{1,9}$/.test(sub)) ms += Math.round(Number(`0.${sub}`) * 1000);
  ms -= (exifOffsetMinutes(offset) ?? 0) * 60_000;
  return Number.isFinite(ms) ? ms : null;
}

function cameraName(make: string | null, model: string | null): string | null {
  if (!model) return make;
  if (!make) return model;
  // "NIKON CORPORATION" + "NIKON D750", "Canon" + "Canon EOS R5": the model already names the make.
  const brand = make.split(' ')[0].toLowerCase();
  return model.toLowerCase().startsWith(brand) ? model : text(`${make} ${model}`);
}

function decodeUtf16(bytes: Uint8Array, littleEndian: boolean | undefined): string {
  let le = littleEndian ?? false;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) le = false;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) le = true;
  else {
    // Writers disagree on the byte order (AUTOMATIC1111 writes UTF-16BE whatever the TIFF order): for
    // mostly-Latin text the zero high bytes give it away; otherwise trust the TIFF header.
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i + 1 < bytes.length && i < 4096; i += 2) {
      if (bytes[i] === 0) evenZeros++;
      if (bytes[i + 1] === 0) oddZeros++;
    }
    if (evenZeros > 2 * oddZeros) le = false;
    else if (oddZeros > 2 * evenZeros) le = true;
  }
  return new TextDecoder(le ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(0, bytes.length & ~1));
}

/**
 * UserComment = 8-byte charset header + text: "ASCII\0\0\0" (in practice often UTF-8), "UNICODE\0"
 * (UTF-16), "JIS\0\0\0\0\0" (best effort: Shift_JIS), eight NULs (undefined: try UTF-8). Cameras fill it
 * with NULs or spaces, which give null.
 */
export function decodeUserComment(bytes: Uint8Array, littleEndian?: boolean): string | null {
  const header = String.fromCharCode(...bytes.subarray(0, 8));
  const body = bytes.subarray(8);
  let decoded: string;
  if (header === 'UNICODE\0') decoded = decodeUtf16(body, littleEndian);
  else if (header.startsWith('JIS\0')) {
    try {
      decoded = new TextDecoder('shift_jis').decode(body);
    } catch {
      decoded = utf8.decode(body); // a runtime without the legacy encodings
    }
  } else if (header === 'ASCII\0\0\0' || header === '\0\0\0\0\0\0\0\0') decoded = utf8.decode(body);
  else decoded = utf8.decode(bytes); // no header: some writers put the bare text
  // Writers pad with NULs or spaces.
  const t = decoded.replace(/^[\s\u0000]+|[\s\u0000]+$/g, '');
  if (t === '') return null;
  return t.length > USER_COMMENT_MAX_CHARS ? t.slice(0, USER_COMMENT_MAX_CHARS) + '…' : t;
}

function toCaptureInfo(output: ExifrOutput, littleEndian: boolean | undefined): CaptureInfo | null {
  const original = exifDateToMs(output[TAG.DateTimeOriginal], output[TAG.SubSecTimeOriginal], output[TAG.OffsetTimeOriginal]);
  const capturedAt =
    original ?? exifDateToMs(output[TAG.DateTimeDigitized], output[TAG.SubSecTimeDigitized], output[TAG.OffsetTimeDigitized]);
  const info: CaptureInfo = {
    capturedAt,
    offsetMinutes: capturedAt === null ? null : exifOffsetMinutes(original !== null ? output[TAG.OffsetTimeOriginal] : output[TAG.OffsetTimeDigitized]),
    camera: cameraName(text(output[TAG.Make]), text(output[TAG.Model])),
    lens: text(output[TAG.LensModel]),
    exposure: {
      iso: positive(output[TAG.ISO]),
      fNumber: positive(output[TAG.FNumber]),
      exposureTime: positive(output[TAG.ExposureTime]),
      focalLength: positive(output[TAG.FocalLength]),
    },
    userComment: output.userComment instanceof Uint8Array ? decodeUserComment(output.userComment, littleEndian) : null,
  };
  const empty =
    info.capturedAt === null && !info.camera && !info.lens && !info.userComment && Object.values(info.exposure).every((v) => v === null);
  return empty ? null : info;
}

// --- containers exifr does not read ---------------------------------------------------------------------

/** A TIFF structure (EXIF payload of WebP and PNG), some writers prefix it with JPEG's "Exif\0\0". */
function stripExifPrefix(bytes: Uint8Array): Uint8Array {
  const prefixed = bytes.length > 6 && String.fromCharCode(...bytes.subarray(0, 6)) === 'Exif\0\0';
  return prefixed ? bytes.subarray(6) : bytes;
}

/** The EXIF chunk of a RIFF/WebP file (after the image data in most writers): header reads only. */
async function readWebpExif(file: Blob): Promise<Uint8Array | null> {
  let offset = 12; // "RIFF" size "WEBP"
  for (let n = 0; n < 1024 && offset + 8 <= file.size; n++) {
    const header = new DataView(await file.slice(offset, offset + 8).arrayBuffer());
    const type = String.fromCharCode(header.getUint8(0), header.getUint8(1), header.getUint8(2), header.getUint8(3));
    const length = header.getUint32(4, true);
    const start = offset + 8;
    if (start + length > file.size) return null;
    if (type === 'EXIF')
      return length <= WEBP_EXIF_MAX_BYTES ? new Uint8Array(await file.slice(start, start + length).arrayBuffer()) : null;
    offset = start + length + (length & 1); // chunks are padded to even sizes
  }
  return null;
}

/**
 * exifr walks HEIF's top-level boxes to 'meta' and loops forever on a box of size 0 (legal only for a
 * last box): make the same walk first, with sizes checked.
 */
async function heifMetaReachable(file: Blob): Promise<boolean> {
  let offset = 0;
  for (let n = 0; n < 64 && offset + 8 <= file.size; n++) {
    const view = new DataView(await file.slice(offset, offset + 16).arrayBuffer());
    const kind = String.fromCharCode(view.getUint8(4), view.getUint8(5), view.getUint8(6), view.getUint8(7));
    if (kind === 'meta') return true;
    let size = view.getUint32(0);
    if (size === 1 && view.byteLength >= 16) size = Number(view.getBigUint64(8));
    if (size < 8) return false;
    offset += size;
  }
  return false;
}

/** Capture info from a bare TIFF structure (a PNG eXIf or WebP EXIF payload). Never throws. */
export async function captureInfoFromTiff(tiff: Uint8Array): Promise<CaptureInfo | null> {
  try {
    const result = await runExifr(stripExifPrefix(tiff));
    return result ? toCaptureInfo(result.output, result.littleEndian) : null;
  } catch {
    return null;
  }
}

/** Files whose capture info exifr reads from the Blob directly. */
const EXIFR_FORMATS: ReadonlySet<ImageFormat> = new Set(['jpeg', 'heic', 'avif', 'tiff']);

/** Null for files without EXIF (or without any of the fields above), unreadable or unsupported files. */
export async function readCaptureInfo(file: Blob, format?: ImageFormat): Promise<CaptureInfo | null> {
  try {
    const kind = format ?? detectFormat(new Uint8Array(await file.slice(0, SNIFF_HEAD_BYTES).arrayBuffer()));
    if (EXIFR_FORMATS.has(kind)) {
      if ((kind === 'heic' || kind === 'avif') && !(await heifMetaReachable(file))) return null;
      const result = await runExifr(file);
      return result ? toCaptureInfo(result.output, result.littleEndian) : null;
    }
    if (kind === 'webp') {
      const exif = await readWebpExif(file);
      return exif ? captureInfoFromTiff(exif) : null;
    }
    if (kind === 'png') {
      const { exif } = await readPngMetadataChunks(file);
      return exif ? captureInfoFromTiff(exif) : null;
    }
    return null;
  } catch {
    return null; // exifr throws on unknown or malformed files; that is "no capture info" here
  }
}
