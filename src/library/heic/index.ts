/**
 * HEIC/HEIF decoding (libheif as WebAssembly, loaded with a dynamic import on the first HEIC).
 * Import from here; the files behind it are free to change.
 */
export { decodeHeic, heicDisplaySize, type DecodeHeicOptions, type HeicPixels, type HeicResult } from './decodeHeic';
export { MAX_HEIC_BYTES } from './withPrimaryImage';
