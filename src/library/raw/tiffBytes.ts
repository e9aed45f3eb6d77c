/**
 * IFD0 facts from a small TIFF held in memory (CR3's CMT1, an embedded JPEG's APP1 payload), read with the
 * same bounded IFD reader as the files themselves.
 */
import { RangeReader } from './rangeReader';
import { readIfd, readTiffHeader, single, text } from './tiffIfd';

export interface Ifd0Facts {
  orientation: number | null;
  make: string | null;
  model: string | null;
}

export async function ifd0Facts(tiff: Uint8Array): Promise<Ifd0Facts> {
  const r = new RangeReader(new Blob([tiff as Uint8Array<ArrayBuffer>]));
  const header = await readTiffHeader(r, 0);
  const ifd0 = header && (await readIfd(r, header.ifd0, header.le, 0));
  if (!ifd0) return { orientation: null, make: null, model: null };
  const o = single(ifd0, 0x112);
  return {
    orientation: o !== null && o >= 1 && o <= 8 ? o : null,
    make: await text(r, ifd0, 0x10f),
    model: await text(r, ifd0, 0x110),
  };
}
