/**
 * Which camera RAW a file is, from its first bytes and its name. Most brands have their own magic
 * (RAF, CR3, ORF, RW2, CRW, MRW, CR2's "CR" after the TIFF header); NEF, NRW, ARW, DNG, PEF, SRW and IIQ
 * are plain TIFF, told apart by the extension the camera wrote, as ExifTool does. A TIFF whose name says
 * nothing is a RAW only if its IFD0 (when it lies inside the head we were given) carries DNGVersion.
 */
import { ascii, u16, u32 } from './rangeReader';

export type RawFormat = 'CR2' | 'CR3' | 'CRW' | 'NEF' | 'NRW' | 'ARW' | 'DNG' | 'RAF' | 'ORF' | 'RW2' | 'PEF' | 'SRW' | 'MRW' | 'IIQ';

/** Extensions of the plain-TIFF brands (and CR2, whose magic a rewriting tool might drop). */
const TIFF_BRANDS: Readonly<Record<string, RawFormat>> = {
  nef: 'NEF',
  nrw: 'NRW',
  arw: 'ARW',
  dng: 'DNG',
  pef: 'PEF',
  srw: 'SRW',
  iiq: 'IIQ',
  cr2: 'CR2',
};

const TAG_DNG_VERSION = 0xc612;

function extension(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** Whether IFD0, if the head holds it, lists DNGVersion. */
function headHasDngVersion(head: Uint8Array, le: boolean): boolean {
  const at = u32(head, 4, le);
  if (at < 8 || at + 2 > head.length) return false;
  const count = u16(head, at, le);
  for (let i = 0; i < count && at + 2 + i * 12 + 2 <= head.length; i++) {
    if (u16(head, at + 2 + i * 12, le) === TAG_DNG_VERSION) return true;
  }
  return false;
}

/**
 * `head`: at least the first 64 bytes; `name`: the file name. Null: not a RAW (a .tif/.tiff without
 * DNGVersion is a TIFF, not a RAW).
 */
export function detectRaw(head: Uint8Array, name: string): RawFormat | null {
  if (head.length < 16) return null;
  if (ascii(head, 0, 16) === 'FUJIFILMCCD-RAW ') return 'RAF';
  if (ascii(head, 4, 8) === 'ftypcrx ') return 'CR3';
  if (ascii(head, 0, 4) === '\0MRM') return 'MRW';
  const order = ascii(head, 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  if (ascii(head, 6, 8) === 'HEAPCCDR') return 'CRW';
  const magic = u16(head, 2, le);
  if (magic === 0x4f52 || magic === 0x5352) return 'ORF'; // "IIRO", "IIRS", "MMOR"
  if (magic === 0x0055) return 'RW2'; // "IIU\0" (Panasonic RW2, Leica RWL)
  if (magic !== 0x002a) return null;
  if (ascii(head, 8, 3) === 'CR\x02') return 'CR2';
  if (ascii(head, 8, 8) === 'IIIICwaR' || ascii(head, 8, 8) === 'IIIITwaR') return 'IIQ';
  const ext = extension(name);
  if (Object.hasOwn(TIFF_BRANDS, ext)) return TIFF_BRANDS[ext];
  return headHasDngVersion(head, le) ? 'DNG' : null;
}
