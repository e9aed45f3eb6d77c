/**
 * The reasons a HEIC is refused, in words a user can act on; libheif's own message is kept in parentheses
 * where it adds something. Every reason starts with "HEIC: " so the tile says which decoder refused.
 */
import type { HeifError } from './libheifApi';

export const NO_IMAGE = 'HEIC: no image in the file';

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const mp = (pixels: number) => `${(pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0)} MP`;

// libheif's heif_suberror_code values (heif_error.h) that mean the file holds no (primary) image item.
const NO_IMAGE_SUBCODES: ReadonlySet<number> = new Set([
  104, // No_meta_box
  105, // No_hdlr_box
  107, // No_pitm_box
  108, // No_ipco_box
  109, // No_ipma_box
  110, // No_iloc_box
  111, // No_iinf_box
  112, // No_iprp_box
  114, // No_pict_handler
  124, // No_or_invalid_primary_item
  125, // No_infe_box
]);
const NONEXISTING_ITEM = 2000; // also a grid naming a missing tile: "no image" only when it is the pitm's
const END_OF_DATA = 100;
const SECURITY_LIMIT = 1000;
const NO_FTYP = 102;
const UNSUPPORTED_FILETYPE = 3; // an error code, not a subcode
const UNSUPPORTED_FEATURE = 4; // an error code: a codec or item type this libheif build does not decode

export function emptyFile(): string {
  return 'HEIC: the file is empty';
}

export function tooManyBytes(bytes: number, limit: number): string {
  return `HEIC: the file is ${mb(bytes)}, over the ${mb(limit)} limit for a photo`;
}

export function tooManyPixels(width: number, height: number, limit: number): string {
  return `HEIC: too large to open safely: ${width}×${height} is ${mp(width * height)}, over the ${mp(limit)} limit`;
}

export function cutShort(box: string, present: number, needs: number): string {
  return `HEIC: the file is cut short (it ends inside its '${box}' box: ${present} of ${needs} bytes): an incomplete copy?`;
}

/** The reason for a failed heif_context_read_from_memory. */
export function unreadable(error: HeifError): string {
  const sub = error.subcode.value;
  if (NO_IMAGE_SUBCODES.has(sub) || (sub === NONEXISTING_ITEM && error.message.includes("'pitm'"))) return NO_IMAGE;
  if (sub === NO_FTYP || error.code.value === UNSUPPORTED_FILETYPE) return `HEIC: not a HEIF file (${error.message})`;
  if (sub === END_OF_DATA) return `HEIC: the file is cut short or damaged (${error.message})`;
  if (sub === SECURITY_LIMIT) return `HEIC: over libheif's safety limits (${error.message})`;
  if (error.code.value === UNSUPPORTED_FEATURE) return `HEIC: not supported (${error.message})`;
  return `HEIC: damaged file (${error.message})`;
}

/** The reason for a failed decode of the primary image. */
export function undecodable(error: HeifError): string {
  if (error.code.value === UNSUPPORTED_FEATURE) return `HEIC: this image's coding is not supported (${error.message})`;
  if (error.subcode.value === SECURITY_LIMIT) return `HEIC: over libheif's safety limits (${error.message})`;
  return `HEIC: the image cannot be decoded: the file is damaged (${error.message})`;
}

/** libheif left `parts` parts (grid tiles) blank rather than fail: shown, they would look like a black band. */
export function partlyDecoded(parts: number): string {
  return `HEIC: damaged file: ${parts} part${parts === 1 ? '' : 's'} of the image could not be decoded`;
}

export function fileUnreadable(error: unknown): string {
  return `HEIC: the file could not be read (${error instanceof Error ? error.message : String(error)})`;
}

export function decoderFailed(error: unknown): string {
  return `HEIC: the decoder failed (${error instanceof Error ? error.message : String(error)})`;
}

export function decoderUnavailable(error: unknown): string {
  return `HEIC: the HEIC decoder could not be loaded (${error instanceof Error ? error.message : String(error)})`;
}
