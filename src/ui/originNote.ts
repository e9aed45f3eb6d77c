/** How a tile and the explain panel say what an image's pixels were decoded from (decodeApi.ts PixelOrigin). */
import type { PixelOrigin } from '../library/decodeApi';

/**
 * The tile's short note; null where the tile says nothing (the whole file, a HEIC, or a JPEG decoded at a
 * reduced size: the explain panel says those).
 */
export function originShort(origin: PixelOrigin | undefined): string | null {
  if (origin?.kind === 'raw-preview') return `RAW · embedded preview ${origin.width}×${origin.height}`;
  return null;
}

/** The explain panel's sentence; null for the whole file at full size. */
export function originSentence(origin: PixelOrigin | undefined): string | null {
  switch (origin?.kind) {
    case 'raw-preview':
      return `Analysed from the ${origin.format} file's embedded JPEG preview (${origin.width}×${origin.height}), as fast cullers do: the raw data itself is not developed.`;
    case 'heic':
      return 'Decoded by libheif (WebAssembly), with the rotation and mirroring the HEIC file asks for.';
    case 'jpeg-preview':
      return `Analysed from the ${origin.width}×${origin.height} preview the camera embedded in this JPEG (MPF), as fast cullers do; switch on Exact preprocessing to decode the photo itself.`;
    case 'reduced':
      return `Decoded at ${origin.width}×${origin.height} by the JPEG decoder's own scaling (the fast path); switch on Exact preprocessing to decode at full size.`;
    default:
      return null;
  }
}
