/**
 * Reads an ImageBitmap's pixels in a worker, as PIL's `convert('RGB')` sees them.
 *
 * Canvas 2D stores premultiplied alpha, so colour under partly transparent pixels comes back rounded and
 * fully transparent pixels come back black, where PIL keeps the stored RGB. A WebGL2 texture uploaded
 * without premultiplication and read back with readPixels keeps the stored values exactly, so images
 * that can carry alpha go through WebGL2 when it exists (docs/preprocessing.md). Opaque images read
 * back exactly through canvas 2D, which is cheaper.
 */
export interface RgbaPixels {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
  channels: 4;
}

/** Above this many pixels the image is pre-shrunk by the browser before the faithful resample. */
export const MAX_FULL_RESOLUTION_PIXELS = 40_000_000;
/** Shortest side after a pre-shrink: 4× the model input keeps the bicubic filter's input well sampled. */
export const PRESHRINK_SHORT_SIDE = 896;

function readWithCanvas2d(source: ImageBitmap): RgbaPixels {
  const canvas = new OffscreenCanvas(source.width, source.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas in this worker');
  ctx.drawImage(source, 0, 0);
  const image = ctx.getImageData(0, 0, source.width, source.height);
  return { data: image.data, width: image.width, height: image.height, channels: 4 };
}

/** Straight (unpremultiplied) RGBA via WebGL2; null when WebGL2 is missing or the image is too large. */
function readWithWebGl2(source: ImageBitmap): RgbaPixels | null {
  const canvas = new OffscreenCanvas(1, 1);
  const gl = canvas.getContext('webgl2', { premultipliedAlpha: false, antialias: false });
  if (!gl) return null;
  const max = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
  if (source.width > max || source.height > max) return null;
  const texture = gl.createTexture();
  const framebuffer = gl.createFramebuffer();
  try {
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, source);
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) return null;
    const data = new Uint8Array(source.width * source.height * 4);
    gl.readPixels(0, 0, source.width, source.height, gl.RGBA, gl.UNSIGNED_BYTE, data);
    if (gl.getError() !== gl.NO_ERROR) return null;
    return { data, width: source.width, height: source.height, channels: 4 };
  } finally {
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

export async function readBitmapRgba(
  bitmap: ImageBitmap,
  mayHaveAlpha: boolean,
): Promise<{ pixels: RgbaPixels; preshrunk: boolean; reader: 'webgl2' | 'canvas2d' }> {
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
  try {
    const viaGl = mayHaveAlpha ? readWithWebGl2(source) : null;
    return viaGl
      ? { pixels: viaGl, preshrunk, reader: 'webgl2' }
      : { pixels: readWithCanvas2d(source), preshrunk, reader: 'canvas2d' };
  } finally {
    if (preshrunk) source.close();
  }
}
