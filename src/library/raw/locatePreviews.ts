/**
 * Per format: where the embedded JPEGs are, the orientation the RAW records, and how to read its capture
 * info. One entry per container family; the brand differences live in the files this dispatches to.
 */
import { captureInfoFromTiff, cr3CaptureInfo } from '../metadata/rawCapture';
import type { CaptureInfo } from '../metadata/exif';
import { captureWindow } from './captureWindow';
import { scanCr3 } from './cr3';
import { scanCrw } from './crw';
import type { Candidate } from './jpegHead';
import { mrwTiffBase } from './mrw';
import { rafCandidates } from './raf';
import { RangeReader } from './rangeReader';
import type { RawFormat } from './rawFormat';
import { ifd0Facts } from './tiffBytes';
import { scanTiff } from './tiffScan';

export interface Located {
  candidates: Candidate[];
  /** EXIF orientation recorded by the RAW itself; null: take the preview's own. */
  orientation: number | null;
  /** Capture info from the RAW's own metadata (its previews' EXIF is the caller's fallback). */
  capture: () => Promise<CaptureInfo | null>;
}

const none = async (): Promise<CaptureInfo | null> => null;

async function tiffBased(r: RangeReader, format: RawFormat, base: number): Promise<Located | null> {
  const scan = await scanTiff(r, format, base);
  if (!scan) return null;
  const capture = async () => {
    const window = captureWindow(scan.base, r.size, [scan.ifd0, scan.exif]);
    // A copy: exifr is handed the bytes alone, not a view into our block cache.
    return window ? captureInfoFromTiff((await r.bytes(window.start, window.length)).slice()) : null;
  };
  return { candidates: scan.candidates, orientation: scan.orientation, capture };
}

async function cr3(r: RangeReader): Promise<Located | null> {
  const scan = await scanCr3(r);
  if (!scan) return null;
  const cmt1 = scan.cmt1?.slice() ?? null;
  const cmt2 = scan.cmt2?.slice() ?? null;
  const facts = cmt1 ? await ifd0Facts(cmt1) : null;
  const capture = async () => {
    if (cmt2) return cr3CaptureInfo(cmt2, facts?.make ?? null, facts?.model ?? null);
    return cmt1 ? captureInfoFromTiff(cmt1) : null;
  };
  return { candidates: scan.candidates, orientation: facts?.orientation ?? null, capture };
}

/** Null when the file's header is not the format's. */
export async function locatePreviews(r: RangeReader, format: RawFormat): Promise<Located | null> {
  switch (format) {
    case 'CR3':
      return cr3(r);
    case 'RAF': {
      const candidates = await rafCandidates(r);
      return candidates && { candidates, orientation: null, capture: none };
    }
    case 'CRW': {
      const scan = await scanCrw(r);
      return scan && { candidates: scan.candidates, orientation: scan.orientation, capture: none };
    }
    case 'MRW': {
      const base = await mrwTiffBase(r);
      return base === null ? null : tiffBased(r, format, base);
    }
    default:
      return tiffBased(r, format, 0);
  }
}
