/**
 * Reads an ImageBitmap's pixels in a worker. Canvas 2D stores premultiplied alpha, so colour under
 * partly transparent pixels comes back rounded and fully transparent pixels come back black, where
 * PIL's convert('RGB') keeps the stored RGB (docs/preprocessing.md). Opaque images read back exactly.
 */
export interface RgbaPixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
  channels: 4;
}

/** Above this many pixels the image is pre-shrunk by the browser before the faithful resample. */
export const MAX_FULL_RESOLUTION_PIXELS = 40_000_000;
/** Shortest side after a pre-shrink: 4× the model input keeps the bicubic filter's input well sampled. */
export const PRESHRINK_SHORT_SIDE = 896;

export async function readBitmapRgba(bitmap: ImageBitmap): Promise<{ pixels: RgbaPixels; preshrunk: boolean }> {
  let source: ImageBitmap = bitmap;
  let preshrunk = false;
  if (bitmap.width * bitmap.height > MAX_FULL_RESOLUTION_PIXELS) {
    // Bounds memory for panoramas: 100 MP × 4 bytes would be 400 MB of canvas.
    const scale = PRESHRINK_SHORT_SIDE / Math.min(bitmap.width, bitmap.height);
    source = await createImageBitmap(bitmap, {
      resizeWidth: Math.max(1, Math.round(bitmap.width * scale)),
      resizeHeight: Math.max(1, Math.round(bitmap.height * scale)),
      resizeQuality: 'high',
    });
    preshrunk = true;
  }
  const canvas = new OffscreenCanvas(source.width, source.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  if (!ctx) throw new Error('no 2D canvas in this worker');
  ctx.drawImage(source, 0, 0);
  const image = ctx.getImageData(0, 0, source.width, source.height);
  if (preshrunk) source.close();
  return { pixels: { data: image.data, width: image.width, height: image.height, channels: 4 }, preshrunk };
}
