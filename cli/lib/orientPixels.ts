/**
 * EXIF orientation applied to decoded pixels, for a RAW's embedded preview (the orientation is the RAW's; the
 * preview's own EXIF is stripped first). The app draws the bitmap through a canvas transform
 * (src/library/orientation.ts); with quarter turns and flips that moves whole pixels, so mapping each pixel's
 * centre through the same transform gives the same image.
 */
import type { PixelSource } from '../../src/engine/preprocess';
import { orientationTransform, swapsSides } from '../../src/library/orientation';

export function orientPixels(src: PixelSource, orientation: number): PixelSource {
  if (orientation <= 1 || orientation > 8) return src;
  const { width: w, height: h, channels } = src;
  const [a, b, c, d, e, f] = orientationTransform(orientation, w, h);
  const outW = swapsSides(orientation) ? h : w;
  const out = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const X = Math.floor(a * (x + 0.5) + c * (y + 0.5) + e);
      const Y = Math.floor(b * (x + 0.5) + d * (y + 0.5) + f);
      const from = (y * w + x) * channels;
      out.set(src.data.subarray(from, from + channels), (Y * outW + X) * channels);
    }
  }
  return { data: out, width: outW, height: swapsSides(orientation) ? w : h, channels };
}
