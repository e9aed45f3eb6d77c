/**
 * A camera RAW's largest embedded JPEG preview: its byte range, stored size and the orientation to show it
 * upright, plus the RAW's capture info. Runs in the decode worker and in Node; reads slices of the Blob only
 * (typically 50-200 KB of a 25 MB file), never the preview itself: the caller slices [offset, offset+length).
 * Every failure is a reason naming the format, for the person who dropped the file.
 */
import type { CaptureInfo } from '../metadata/exif';
import { captureInfoFromTiff, mergeCaptureInfo } from '../metadata/rawCapture';
import { choosePreview, type Choice, type Chosen } from './choosePreview';
import type { Candidate } from './jpegHead';
import { locatePreviews, type Located } from './locatePreviews';
import { RangeReader, RawLimitError } from './rangeReader';
import type { RawFormat } from './rawFormat';
import { ifd0Facts } from './tiffBytes';

export interface RawPreview {
  format: RawFormat;
  /** Byte range of the chosen JPEG inside the file. */
  offset: number;
  length: number;
  /** The JPEG's stored size, from its SOF. */
  width: number;
  height: number;
  /** EXIF orientation 1-8 to apply to the preview's stored pixels (the RAW's own, else the preview's); 1 if unknown. */
  orientation: number;
}

export type RawPreviewResult = { ok: true; preview: RawPreview; capture: CaptureInfo | null } | { ok: false; reason: string };

export const DEFAULT_MIN_SHORT_SIDE = 224;
/** An embedded JPEG's APP1 is at most 64 KB. */
const MAX_APP1_BYTES = 64 * 1024;

const fail = (format: RawFormat, reason: string): RawPreviewResult => ({ ok: false, reason: `${format}: ${reason}` });

function whyNone(choice: Choice, minShortSide: number): string {
  if (choice.pastEnd > 0) return "the preview's offset points past the end of the file (truncated?)";
  if (choice.runsPast > 0) return 'the preview runs past the end of the file (truncated?)';
  const largest = choice.largest;
  if (largest) {
    const { width, height } = largest.head;
    return `no embedded preview large enough (largest ${width}×${height}; needs ${minShortSide} px on the short side)`;
  }
  if (choice.lossless > 0) return 'no embedded JPEG preview found (only lossless-JPEG raw data, which browsers cannot decode)';
  return 'no embedded JPEG preview found';
}

/** Orientation and capture info from the preview's own EXIF, read only when the RAW lacks them. */
async function fromPreviewExif(r: RangeReader, chosen: Chosen): Promise<{ orientation: number | null; capture: CaptureInfo | null }> {
  const exif = chosen.head.exif;
  if (!exif || exif.length > MAX_APP1_BYTES) return { orientation: null, capture: null };
  const tiff = (await r.bytes(exif.offset, exif.length)).slice();
  const [facts, capture] = await Promise.all([ifd0Facts(tiff), captureInfoFromTiff(tiff)]);
  return { orientation: facts.orientation, capture };
}

async function safeCapture(located: Located): Promise<CaptureInfo | null> {
  try {
    return await located.capture();
  } catch {
    return null; // capture info is a bonus: a broken EXIF never costs the preview
  }
}

export interface RawPreviewOptions {
  /** A preview's short side must reach this (default 224, CLIP's input). */
  minShortSide?: number;
  /**
   * Prefer the largest preview of at most this many pixels (default: no bound). CR2, CR3 and NEF embed
   * full-size JPEGs (24-45 MP); a caller that cannot decode JPEGs at a reduced size can ask for less.
   */
  maxPixels?: number;
}

/**
 * The largest embedded JPEG (baseline/extended/progressive) whose short side is at least `minShortSide`.
 * Reads only slices of `file`.
 */
export async function readRawPreview(file: Blob, format: RawFormat, options: RawPreviewOptions = {}): Promise<RawPreviewResult> {
  const minShortSide = options.minShortSide ?? DEFAULT_MIN_SHORT_SIDE;
  if (file.size === 0) return fail(format, 'empty file');
  const r = new RangeReader(file);
  try {
    const located = await locatePreviews(r, format);
    if (!located) return fail(format, `the file's start does not match the ${format} format (damaged, or another kind of file with a RAW name)`);
    const choice = await choosePreview(r, located.candidates, minShortSide, options.maxPixels);
    const best = choice.best;
    if (!best) return fail(format, whyNone(choice, minShortSide));

    let capture = await safeCapture(located);
    let orientation = located.orientation;
    if (orientation === null || capture?.capturedAt == null) {
      const own = await fromPreviewExif(r, best).catch(() => ({ orientation: null, capture: null }));
      orientation ??= own.orientation;
      capture = mergeCaptureInfo(capture, own.capture);
    }
    const { offset, length } = best.candidate;
    const { width, height } = best.head;
    return { ok: true, preview: { format, offset, length, width, height, orientation: orientation ?? 1 }, capture };
  } catch (e) {
    if (e instanceof RawLimitError) return fail(format, `gave up reading a damaged or hostile file (${e.message})`);
    return fail(format, `could not read the file (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Every embedded-JPEG location the parser finds, checked or not (for tests against ExifTool's offsets). */
export async function listRawPreviewCandidates(file: Blob, format: RawFormat): Promise<Candidate[] | null> {
  const located = await locatePreviews(new RangeReader(file), format);
  return located?.candidates ?? null;
}
