/**
 * Cheap checks on a file's first and last bytes, before handing it to the browser's decoder: they turn
 * "the decoder failed" into a reason a person can act on, and catch truncated files that Chromium
 * would otherwise decode half-grey without complaint.
 */
import { looksLikeIco } from './icoDirectory';

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'ico' | 'avif' | 'heic' | 'tiff' | 'svg' | 'unknown';

export interface SniffResult {
  format: ImageFormat;
  /** Why this file cannot be analysed, or null when it looks decodable. */
  problem: string | null;
}

export const SNIFF_HEAD_BYTES = 64;
export const SNIFF_TAIL_BYTES = 65536;

const ascii = (b: Uint8Array, start: number, len: number) => String.fromCharCode(...b.subarray(start, start + len));

export function detectFormat(head: Uint8Array): ImageFormat {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 8 && ascii(head, 1, 3) === 'PNG' && head[0] === 0x89) return 'png';
  if (ascii(head, 0, 4) === 'GIF8') return 'gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') return 'webp';
  if (ascii(head, 0, 2) === 'BM') return 'bmp';
  // ICO and CUR (00 00 01|02 00, then a non-zero entry count): Chromium decodes both with its ICO decoder.
  if (looksLikeIco(head)) return 'ico';
  if (ascii(head, 0, 4) === 'II*\0' || ascii(head, 0, 4) === 'MM\0*') return 'tiff';
  if (ascii(head, 4, 4) === 'ftyp') {
    const brand = ascii(head, 8, 4);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (/^(heic|heix|hevc|hevx|heim|heis)$/.test(brand)) return 'heic';
    // A generic HEIF major brand (mif1, msf1, miaf) says nothing of the codec: the compatible brands do.
    // Chromium decodes an AVIF whose major brand is mif1, so it must not be refused as HEIC.
    if (/^(mif1|msf1|miaf)$/.test(brand)) {
      const end = Math.min(head.length, (head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]);
      for (let i = 16; i + 4 <= end; i += 4) if (/^(avif|avis)$/.test(ascii(head, i, 4))) return 'avif';
      return 'heic';
    }
  }
  const text = ascii(head, 0, Math.min(head.length, 64)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || text.startsWith('<?xml')) return 'svg';
  return 'unknown';
}

function lastIndexOfPair(bytes: Uint8Array, a: number, b: number): number {
  for (let i = bytes.length - 2; i >= 0; i--) if (bytes[i] === a && bytes[i + 1] === b) return i;
  return -1;
}

/** `tail` is the last SNIFF_TAIL_BYTES of the file (or all of it). */
export function sniffImage(head: Uint8Array, tail: Uint8Array, size: number): SniffResult {
  if (size === 0) return { format: 'unknown', problem: 'empty file (0 bytes)' };
  const format = detectFormat(head);
  switch (format) {
    case 'unknown':
      return { format, problem: 'not an image: the file does not start like any image format the app reads' };
    case 'heic':
      // No browser decodes HEIC: libheif (WebAssembly) does, in the decode worker (library/heic/).
      return { format, problem: null };
    case 'tiff':
      return { format, problem: 'TIFF: this browser cannot decode it; export it as JPEG or PNG first' };
    case 'svg':
      return { format, problem: 'SVG is a drawing, not a photo: not analysed' };
    case 'jpeg':
      // Cameras may append trailers after the end-of-image marker, so look for it anywhere in the tail.
      return lastIndexOfPair(tail, 0xff, 0xd9) < 0
        ? { format, problem: 'truncated JPEG: the end-of-image marker is missing (the file is incomplete)' }
        : { format, problem: null };
    case 'png': {
      const text = ascii(tail, Math.max(0, tail.length - 64), Math.min(64, tail.length));
      return text.includes('IEND')
        ? { format, problem: null }
        : { format, problem: 'truncated PNG: the IEND chunk is missing (the file is incomplete)' };
    }
    default:
      return { format, problem: null };
  }
}
