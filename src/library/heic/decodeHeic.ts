/**
 * HEIC/HEIF to 8-bit RGBA with libheif (WebAssembly, loaded on the first HEIC), in a worker or in Node.
 *
 * Orientation: libheif applies the file's own display transform (irot, imir, clap) and the result is the
 * displayed image. EXIF Orientation inside a HEIC must NOT be applied on top: iPhones write EXIF 6 with or
 * without an irot box, and only irot says what to do (REFERENCE §10: iphone7.heic, EXIF 6 without irot,
 * displays 4032×3024; samsung-s10plus-rot90.heic, irot 270 and EXIF 6, displays 3024×4032).
 */
import { MAX_DECODE_PIXELS } from '../decodePlan';
import { partlyDecoded, tooManyPixels, undecodable } from './heicReasons';
import { isHeifError, type HeifDecoded, type HeifError, type Libheif } from './libheifApi';
import { withPrimaryImage, type Outcome } from './withPrimaryImage';

/** Displayed orientation, 8-bit RGBA, rows packed (width × 4 bytes); a plain ArrayBuffer, so `new ImageData(rgba, …)` takes it. */
export interface HeicPixels {
  rgba: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
}

export type HeicResult = { ok: true; image: HeicPixels } | { ok: false; reason: string };

export interface DecodeHeicOptions {
  /** Checked between steps; the decode itself (about a second for 12 MP) cannot be interrupted. */
  signal?: AbortSignal;
  /** Refuse images with more displayed pixels than this (default: the library's bound, MAX_DECODE_PIXELS). */
  maxPixels?: number;
}

/**
 * Decodes the primary image. Resolves `{ ok: false, reason }` for every file it cannot or will not decode;
 * rejects only when `signal` aborts (with its reason, as fetch does).
 */
export async function decodeHeic(file: Blob, options: DecodeHeicOptions = {}): Promise<HeicResult> {
  const maxPixels = options.maxPixels ?? MAX_DECODE_PIXELS;
  const outcome = await withPrimaryImage(file, options.signal, async (libheif, handle) => {
    const width = libheif.heif_image_handle_get_width(handle);
    const height = libheif.heif_image_handle_get_height(handle);
    // The handle's size is the displayed one: nothing over the bound reaches the decoder.
    if (width * height > maxPixels) return { ok: false, reason: tooManyPixels(width, height, maxPixels) };
    const decoded = await libheif.heif_js_decode_image2(
      handle,
      libheif.heif_colorspace.heif_colorspace_RGB,
      libheif.heif_chroma.heif_chroma_interleaved_RGBA,
    );
    if (!decoded) return { ok: false, reason: undecodable(badOutput('libheif returned nothing')) };
    if (isHeifError(decoded)) return { ok: false, reason: undecodable(decoded) };
    try {
      return copyPixels(libheif, decoded, maxPixels);
    } finally {
      libheif.heif_image_release(decoded.image);
    }
  });
  return outcome.ok ? { ok: true, image: outcome.value } : outcome;
}

/**
 * The displayed size from the file's boxes (ispe with irot/clap applied), without decoding pixels: it costs
 * reading the file into libheif and parsing its header boxes. null when the file has no readable image.
 */
export async function heicDisplaySize(file: Blob): Promise<{ width: number; height: number } | null> {
  const outcome = await withPrimaryImage(file, undefined, (libheif, handle) => ({
    ok: true as const,
    value: { width: libheif.heif_image_handle_get_width(handle), height: libheif.heif_image_handle_get_height(handle) },
  }));
  return outcome.ok ? outcome.value : null;
}

/** Copies the interleaved plane out of the WebAssembly heap (its view dies with the image) into packed rows. */
function copyPixels(libheif: Libheif, decoded: HeifDecoded, maxPixels: number): Outcome<HeicPixels> {
  const warnings = decodingWarnings(libheif, decoded);
  if (warnings > 0) return { ok: false, reason: partlyDecoded(warnings) };
  const plane = decoded.channels.find((c) => c.id.value === libheif.heif_channel.heif_channel_interleaved.value);
  if (!plane) return { ok: false, reason: undecodable(badOutput('no RGBA plane')) };
  const { width, height, stride, data } = plane;
  const row = width * 4;
  if (width < 1 || height < 1 || stride < row || data.length < stride * (height - 1) + row) {
    return { ok: false, reason: undecodable(badOutput(`inconsistent ${width}×${height} plane`)) };
  }
  if (width * height > maxPixels) return { ok: false, reason: tooManyPixels(width, height, maxPixels) };
  // slice() is one memcpy; the packed copy is then reinterpreted as clamped bytes without a second copy.
  if (stride === row) return { ok: true, value: { rgba: new Uint8ClampedArray(data.slice(0, row * height).buffer), width, height } };
  const packed = new Uint8Array(row * height);
  for (let y = 0; y < height; y++) packed.set(data.subarray(y * stride, y * stride + row), y * row);
  return { ok: true, value: { rgba: new Uint8ClampedArray(packed.buffer), width, height } };
}

/**
 * How many parts libheif could not decode but left blank (a grid tile whose data is missing or corrupt):
 * its default, non-strict decoding reports those only as warnings. 0 when the pointer is not available.
 */
function decodingWarnings(libheif: Libheif, decoded: HeifDecoded): number {
  const pointer = decoded.image.$$?.ptr;
  return typeof pointer === 'number' ? libheif._heif_image_get_decoding_warnings(pointer, 0, 0, 0) : 0;
}

/** A HeifError for output this module refuses although libheif reported success. */
function badOutput(message: string): HeifError {
  return { code: { value: -1 }, subcode: { value: 0 }, message };
}
