/**
 * Every embedded JPEG a TIFF-based RAW points to (CR2, NEF, NRW, ARW, DNG, ORF, RW2, PEF, SRW, and MRW's
 * and IIQ's TIFF parts), found the way ExifTool finds them (lib/Image/ExifTool/Exif.pm, tags 0x111 and 0x201):
 * - 0x201/0x202 (JPEGInterchangeFormat/Length: ThumbnailImage in IFD1, PreviewImage in ARW's IFD0,
 *   JpgFromRaw in NEF/SRW SubIFDs and PEF's IFD2);
 * - StripOffsets/StripByteCounts (0x111/0x117) of a single strip with Compression 6 or 7 (CR2's IFD0
 *   preview, DNG's preview SubIFDs; also CR2's and DNG's lossless raw data, which the SOF check drops);
 * - RW2's tags 0x2E and 0x127, JpgFromRaw and JpgFromRaw2 stored as the tags' values;
 * - maker-note previews (makerNotes.ts).
 * The walk covers the IFD0 chain, SubIFDs (0x14A) to a bounded depth and the EXIF IFD's maker note.
 */
import type { Candidate } from './jpegHead';
import { makerNotePreviews } from './makerNotes';
import { RangeReader } from './rangeReader';
import type { RawFormat } from './rawFormat';
import { MAX_CHAIN, MAX_SUBIFD_DEPTH, addCandidate, addPair, openIfd, type TiffContext } from './tiffContext';
import { readTiffHeader, single, text, values, type Ifd } from './tiffIfd';

export interface TiffScan {
  le: boolean;
  /** Absolute position of the TIFF header that offsets are relative to (0 but in MRW). */
  base: number;
  ifd0: Ifd;
  exif: Ifd | null;
  make: string | null;
  /** IFD0's Orientation, else the first one found in another IFD (the Nikon D70 has it only in a SubIFD). */
  orientation: number | null;
  candidates: Candidate[];
}

const TAG = {
  Compression: 0x103,
  Make: 0x10f,
  StripOffsets: 0x111,
  Orientation: 0x112,
  StripByteCounts: 0x117,
  SubIFDs: 0x14a,
  JpegStart: 0x201,
  JpegLength: 0x202,
  Rw2JpgFromRaw: 0x2e,
  /** Newer Panasonic models keep a second, larger JPEG here (ExifTool 13's PanasonicRaw.pm, "JpgFromRaw2"). */
  Rw2JpgFromRaw2: 0x127,
  ExifIFD: 0x8769,
  MakerNote: 0x927c,
} as const;
/** SubIFDs per IFD: DNGs have 1-3, NEFs 2. */
const MAX_SUBIFDS = 8;

function orientationOf(ifd: Ifd): number | null {
  const o = single(ifd, TAG.Orientation);
  return o !== null && o >= 1 && o <= 8 ? o : null;
}

async function collect(ctx: TiffContext, ifd: Ifd, name: string): Promise<void> {
  addPair(ctx, ifd, TAG.JpegStart, TAG.JpegLength, ctx.base, `${name} 0x201`);
  const compression = single(ifd, TAG.Compression);
  if (compression === 6 || compression === 7) {
    const offsets = await values(ctx.r, ifd, TAG.StripOffsets, 2);
    const counts = await values(ctx.r, ifd, TAG.StripByteCounts, 2);
    // A preview is one JPEG in one strip; several strips (or tiles) are pieces of an image, not a JPEG file.
    if (offsets.length === 1 && counts.length === 1) addCandidate(ctx, ctx.base + offsets[0], counts[0], `${name} strip`);
  }
  if (ctx.format === 'RW2') {
    for (const tag of [TAG.Rw2JpgFromRaw, TAG.Rw2JpgFromRaw2]) {
      const jpg = ifd.entries.get(tag);
      if (jpg && jpg.size > 4) addCandidate(ctx, jpg.valueAt, jpg.size, `${name} 0x${tag.toString(16)}`);
    }
  }
}

export async function scanTiff(r: RangeReader, format: RawFormat, base = 0): Promise<TiffScan | null> {
  const header = await readTiffHeader(r, base);
  if (!header) return null;
  const ctx: TiffContext = { r, format, le: header.le, base, visited: new Set(), candidates: [] };
  const ifd0 = await openIfd(ctx, header.ifd0, header.le, base);
  if (!ifd0) return null;
  let fallbackOrientation: number | null = null;

  const visit = async (ifd: Ifd, depth: number, name: string): Promise<void> => {
    await collect(ctx, ifd, name);
    fallbackOrientation ??= orientationOf(ifd);
    if (depth >= MAX_SUBIFD_DEPTH) return;
    const subs = await values(r, ifd, TAG.SubIFDs, MAX_SUBIFDS);
    for (let i = 0; i < subs.length; i++) {
      const sub = await openIfd(ctx, base + subs[i], header.le, base);
      if (sub) await visit(sub, depth + 1, `${name}/SubIFD${i}`);
    }
  };

  await visit(ifd0, 0, 'IFD0');
  let next = ifd0.next;
  for (let i = 1; i < MAX_CHAIN && next; i++) {
    const ifd = await openIfd(ctx, next, header.le, base);
    if (!ifd) break;
    await visit(ifd, 0, `IFD${i}`);
    next = ifd.next;
  }

  const make = await text(r, ifd0, TAG.Make);
  const exifAt = single(ifd0, TAG.ExifIFD);
  const exif = exifAt ? await openIfd(ctx, base + exifAt, header.le, base) : null;
  const note = exif?.entries.get(TAG.MakerNote);
  if (note) await makerNotePreviews(ctx, note, make);

  return {
    le: header.le,
    base,
    ifd0,
    exif,
    make,
    orientation: orientationOf(ifd0) ?? fallbackOrientation,
    candidates: ctx.candidates,
  };
}
