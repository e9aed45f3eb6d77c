/**
 * File kinds by extension, for pairing and sidecar naming only. The bytes are never looked at here: the
 * decode worker sniffs them (library/sniff.ts); a camera's file name is what tools pair and name sidecars by.
 */

/** Camera RAW formats whose sidecars Lightroom Classic and Camera Raw read (Canon, Nikon, Sony, Adobe, Fuji, Olympus, Panasonic, Pentax, Samsung, Minolta, Phase One). */
const RAW = new Set(['cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'dng', 'raf', 'orf', 'rw2', 'pef', 'srw', 'mrw', 'iiq']);
const JPEG = new Set(['jpg', 'jpeg']);
const HEIC = new Set(['heic', 'heif']);

export type FileKind = 'raw' | 'jpeg' | 'heic' | 'other';

/** The lower-cased extension of a path's last part, '' when it has none (a leading dot marks a hidden file). */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function fileKind(path: string): FileKind {
  const ext = extensionOf(path);
  return RAW.has(ext) ? 'raw' : JPEG.has(ext) ? 'jpeg' : HEIC.has(ext) ? 'heic' : 'other';
}

export function isRawPath(path: string): boolean {
  return fileKind(path) === 'raw';
}
