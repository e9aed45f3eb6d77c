/**
 * A HEIC/HEIF opened by libheif (WebAssembly, library/heic/, loaded with the first HEIC): its irot/imir/clap
 * are applied by libheif, and the EXIF orientation inside the file is never applied on top (REFERENCE §10).
 */
import { MAX_DECODE_PIXELS } from './decodePlan';
import { decodeHeic } from './heic';
import type { OpenOutcome } from './openImage';

export async function openHeic(file: Blob): Promise<OpenOutcome> {
  const decoded = await decodeHeic(file, { maxPixels: MAX_DECODE_PIXELS });
  if (!decoded.ok) return { reason: decoded.reason };
  const { rgba, width, height } = decoded.image;
  const pixels = new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height);
  // Already upright: 'none' so that no orientation is looked for again.
  const bitmap = await createImageBitmap(pixels, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'none' });
  return { bitmap, width, height, format: 'heic', origin: { kind: 'heic' } };
}
