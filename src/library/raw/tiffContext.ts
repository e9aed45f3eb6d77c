/**
 * State shared by one walk over a TIFF-based RAW: the limits that keep a hostile or corrupt file from
 * making the walk long (IFD count, SubIFD depth, candidate count) and the set of IFDs already read,
 * which breaks offset cycles (an IFD whose next or SubIFD pointer leads back to itself).
 */
import type { Candidate } from './jpegHead';
import { RangeReader } from './rangeReader';
import type { RawFormat } from './rawFormat';
import { readIfd, single, type Ifd } from './tiffIfd';

/** IFDs read per file: a RAW has 3-12 (IFD chain, SubIFDs, EXIF, maker-note directories). */
export const MAX_IFDS = 48;
/** SubIFDs of SubIFDs: DNG and NEF go one level down, none deeper than two. */
export const MAX_SUBIFD_DEPTH = 3;
/** IFDs followed along one next-IFD chain (CR2 has 4). */
export const MAX_CHAIN = 8;
const MAX_CANDIDATES = 32;

export interface TiffContext {
  r: RangeReader;
  format: RawFormat;
  /** Byte order and base of the file's TIFF header. */
  le: boolean;
  base: number;
  visited: Set<number>;
  candidates: Candidate[];
}

/** The IFD at `at`, or null when already read (a cycle), past the limit, or not an IFD. */
export async function openIfd(ctx: TiffContext, at: number, le: boolean, base: number): Promise<Ifd | null> {
  if (at <= 0 || ctx.visited.has(at) || ctx.visited.size >= MAX_IFDS) return null;
  ctx.visited.add(at);
  return readIfd(ctx.r, at, le, base);
}

export function addCandidate(ctx: TiffContext, offset: number, length: number, source: string): void {
  if (length <= 0 || ctx.candidates.length >= MAX_CANDIDATES) return;
  if (ctx.candidates.some((c) => c.offset === offset && c.length === length)) return;
  ctx.candidates.push({ offset, length, source });
}

/** A start/length tag pair (PreviewImageStart/Length, JpgFromRawStart/Length…), the start relative to `base`. */
export function addPair(ctx: TiffContext, ifd: Ifd, startTag: number, lengthTag: number, base: number, source: string): void {
  const start = single(ifd, startTag);
  const length = single(ifd, lengthTag);
  if (start !== null && length !== null && start > 0) addCandidate(ctx, base + start, length, source);
}
