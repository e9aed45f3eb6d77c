/**
 * Previews kept in a maker note (EXIF tag 0x927C), whose layout each brand invented. Which one a note is
 * comes from its own header ("Nikon\0\2", "OLYMPUS\0", "AOC\0"…) or, for headerless notes, the camera's
 * Make. Layouts as ExifTool reads them (lib/Image/ExifTool/MakerNotes.pm and the brand modules):
 * - Nikon: a TIFF header 10 bytes in; tag 0x11 points to a PreviewIFD holding 0x201/0x202, all offsets
 *   relative to that inner header;
 * - Olympus/OM System: IFD after a 12- or 16-byte header, offsets relative to the note; tag 0x2020
 *   (CameraSettings) is an IFD with PreviewImageStart/Length 0x101/0x102; 0x100 holds a small thumbnail inline;
 * - Pentax: "AOC\0" + byte order, tags 0x3/0x4 PreviewImageLength/Start; their base varies by model,
 *   so both the file's and the note's are tried (a wrong guess fails the JPEG check);
 * - Samsung (SRW): a bare IFD whose tag 0x35 points to a PreviewIFD; absolute or relative offsets by model;
 * - Minolta (MRW): a bare IFD with 0x88/0x89 PreviewImageStart/Length, or 0x81 holding the preview inline.
 */
import { ascii } from './rangeReader';
import { addCandidate, addPair, openIfd, type TiffContext } from './tiffContext';
import { readTiffHeader, single, type Ifd, type IfdEntry } from './tiffIfd';

async function nikon(ctx: TiffContext, at: number): Promise<void> {
  const inner = at + 10;
  const header = await readTiffHeader(ctx.r, inner);
  if (!header) return;
  const main = await openIfd(ctx, header.ifd0, header.le, inner);
  const pointer = main && single(main, 0x11);
  if (!pointer) return;
  const preview = await openIfd(ctx, inner + pointer, header.le, inner);
  if (preview) addPair(ctx, preview, 0x201, 0x202, inner, 'Nikon PreviewIFD');
}

async function olympus(ctx: TiffContext, main: Ifd | null, base: number): Promise<void> {
  if (!main) return;
  const thumbnail = main.entries.get(0x100);
  if (thumbnail && thumbnail.type === 7 && thumbnail.size > 4) addCandidate(ctx, thumbnail.valueAt, thumbnail.size, 'Olympus ThumbnailImage');
  const settings = main.entries.get(0x2020);
  if (!settings) return;
  // An IFD pointer (types IFD/LONG) or the IFD stored as the value (UNDEFINED): at base + the field either way.
  const at = settings.size > 4 ? settings.valueAt : base + (single(main, 0x2020) ?? 0);
  const ifd = await openIfd(ctx, at, main.le, base);
  if (ifd) addPair(ctx, ifd, 0x101, 0x102, base, 'Olympus CameraSettings');
}

function orderAt(head: Uint8Array, i: number, fallback: boolean): boolean {
  const order = ascii(head, i, 2);
  return order === 'II' ? true : order === 'MM' ? false : fallback;
}

async function pentax(ctx: TiffContext, at: number, le: boolean, bases: number[]): Promise<void> {
  const main = await openIfd(ctx, at, le, bases[0]);
  if (!main) return;
  const start = single(main, 0x4);
  const length = single(main, 0x3);
  if (!start || !length) return;
  for (const base of bases) addCandidate(ctx, base + start, length, 'Pentax PreviewImage');
}

async function samsung(ctx: TiffContext, at: number): Promise<void> {
  const main = await openIfd(ctx, at, ctx.le, at);
  const pointer = main && single(main, 0x35);
  if (!pointer) return;
  for (const base of [at, ctx.base]) {
    const preview = await openIfd(ctx, base + pointer, ctx.le, base);
    if (!preview) continue;
    addPair(ctx, preview, 0x201, 0x202, at, 'Samsung PreviewIFD');
    addPair(ctx, preview, 0x201, 0x202, ctx.base, 'Samsung PreviewIFD');
  }
}

async function minolta(ctx: TiffContext, at: number): Promise<void> {
  const main = await openIfd(ctx, at, ctx.le, ctx.base);
  if (!main) return;
  addPair(ctx, main, 0x88, 0x89, ctx.base, 'Minolta PreviewImage');
  const inline = main.entries.get(0x81);
  if (inline && inline.type === 7 && inline.size > 4) addCandidate(ctx, inline.valueAt, inline.size, 'Minolta PreviewImage');
}

/** Adds the maker note's preview candidates to `ctx`; unknown notes add nothing. */
export async function makerNotePreviews(ctx: TiffContext, note: IfdEntry, make: string | null): Promise<void> {
  const at = note.valueAt;
  if (note.size < 16) return;
  const head = await ctx.r.bytes(at, 16);
  const brand = (make ?? '').toUpperCase();
  if (ascii(head, 0, 7) === 'Nikon\0\x02') return nikon(ctx, at);
  if (ascii(head, 0, 8) === 'OLYMPUS\0') return olympus(ctx, await openIfd(ctx, at + 12, orderAt(head, 8, ctx.le), at), at);
  if (ascii(head, 0, 10) === 'OM SYSTEM\0') return olympus(ctx, await openIfd(ctx, at + 16, orderAt(head, 12, ctx.le), at), at);
  if (ascii(head, 0, 6) === 'OLYMP\0' || ascii(head, 0, 6) === 'EPSON\0') {
    return olympus(ctx, await openIfd(ctx, at + 8, ctx.le, ctx.base), ctx.base);
  }
  if (ascii(head, 0, 4) === 'AOC\0') return pentax(ctx, at + 6, orderAt(head, 4, ctx.le), [ctx.base, at]);
  if (ascii(head, 0, 8) === 'PENTAX \0') return pentax(ctx, at + 10, orderAt(head, 8, ctx.le), [at]);
  if (brand.startsWith('SAMSUNG')) return samsung(ctx, at);
  if (brand.startsWith('MINOLTA') || brand.startsWith('KONICA MINOLTA')) return minolta(ctx, at);
}
