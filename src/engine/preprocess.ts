/**
 * CLIP image preprocessing that reproduces Hugging Face's CLIPImageProcessor (the PIL-based one) bit for
 * bit on the same decoded pixels: shortest side to 224 with PIL's BICUBIC resampler, center crop 224,
 * rescale 1/255, normalize. The browser's own resamplers shift CLIP embeddings measurably (REFERENCE §3),
 * so the resampler is reimplemented here from Pillow's libImaging/Resample.c semantics.
 *
 * Pure functions on typed arrays: they run in a worker, on the main thread and in Node alike.
 * See docs/preprocessing.md for what remains different from PIL and the measured differences.
 */

export const CLIP_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];
export const CLIP_IMAGE_SIZE = 224;

/** Decoded pixels, row-major, tightly packed. Alpha (channels 4) is ignored, never composited. */
export interface PixelSource {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Tightly packed RGB, 3 bytes per pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * HF's get_resize_output_image_size with default_to_square=False: the short side becomes `target`, the long
 * side int(target * long / short). Python's int() truncates a float quotient; for integer sizes the float
 * quotient can never round up across an integer, so Math.floor of the same double expression is identical.
 */
export function resizeOutputSize(
  width: number,
  height: number,
  target: number,
): { width: number; height: number } {
  if (width <= height) return { width: target, height: Math.floor((target * height) / width) };
  return { width: Math.floor((target * width) / height), height: target };
}

// Pillow keeps 8 result bits plus 2 bits of head-room for negative lobes and sums above 1.0 in an int32.
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2;

// Written in the same operation order as Pillow's C so the doubles (and thus the rounded weights) match.
function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface AxisWeights {
  /** Taps per output sample (the stride of `weights`). */
  ksize: number;
  /** Per output sample: first input index, number of taps. */
  bounds: Int32Array;
  /** Fixed-point weights with PRECISION_BITS fractional bits, as Pillow's normalize_coeffs_8bpc makes them. */
  weights: Int32Array;
}

/** Mirrors Pillow's precompute_coeffs for the box [0, boxEnd) of the input axis (the whole axis by default). */
function axisWeights(inSize: number, outSize: number, boxEnd = inSize): AxisWeights {
  const scale = boxEnd / outSize;
  // Downscaling widens the kernel by the scale factor: this is the antialiasing the browser omits.
  const filterScale = scale < 1 ? 1 : scale;
  const support = BICUBIC_SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const ss = 1.0 / filterScale;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const raw = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero; negative starts are clamped right after, as in Pillow.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    const n = xmax - xmin;
    let sum = 0;
    for (let x = 0; x < n; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      raw[x] = w;
      sum += w;
    }
    const base = xx * ksize;
    for (let x = 0; x < n; x++) {
      const w = sum !== 0 ? raw[x] / sum : raw[x];
      weights[base + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = n;
  }
  return { ksize, bounds, weights };
}

// Pillow's clip8: arithmetic shift, then clamp to 0..255.
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Horizontal pass over source rows [rowFirst, rowFirst + rows), writing RGB and dropping alpha. */
function resampleRows(
  src: Uint8Array,
  srcWidth: number,
  channels: number,
  rowFirst: number,
  rows: number,
  outWidth: number,
  axis: AxisWeights,
): Uint8Array {
  const out = new Uint8Array(outWidth * rows * 3);
  const { ksize, bounds, weights } = axis;
  let o = 0;
  for (let y = 0; y < rows; y++) {
    const rowBase = (rowFirst + y) * srcWidth * channels;
    for (let xx = 0; xx < outWidth; xx++) {
      const n = bounds[xx * 2 + 1];
      const kb = xx * ksize;
      let p = rowBase + bounds[xx * 2] * channels;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let i = 0; i < n; i++) {
        const w = weights[kb + i];
        s0 += src[p] * w;
        s1 += src[p + 1] * w;
        s2 += src[p + 2] * w;
        p += channels;
      }
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
      o += 3;
    }
  }
  return out;
}

/** Same rows without resampling: Pillow skips a pass whose size is unchanged (its weights would be 1, 0). */
function copyRowsRgb(
  src: Uint8Array,
  width: number,
  channels: number,
  rowFirst: number,
  rows: number,
): Uint8Array {
  const out = new Uint8Array(width * rows * 3);
  let p = rowFirst * width * channels;
  const n = width * rows * 3;
  for (let o = 0; o < n; o += 3) {
    out[o] = src[p];
    out[o + 1] = src[p + 1];
    out[o + 2] = src[p + 2];
    p += channels;
  }
  return out;
}

/** Vertical pass on RGB rows; accumulates whole rows so reads stay sequential in memory. */
function resampleColumns(
  src: Uint8Array,
  width: number,
  outHeight: number,
  axis: AxisWeights,
  rowOffset: number,
): Uint8Array {
  const rowLen = width * 3;
  const out = new Uint8Array(rowLen * outHeight);
  const acc = new Float64Array(rowLen);
  const { ksize, bounds, weights } = axis;
  for (let yy = 0; yy < outHeight; yy++) {
    acc.fill(HALF);
    const first = bounds[yy * 2] - rowOffset;
    const n = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    for (let i = 0; i < n; i++) {
      const w = weights[kb + i];
      let p = (first + i) * rowLen;
      for (let j = 0; j < rowLen; j++) acc[j] += src[p++] * w;
    }
    const o = yy * rowLen;
    for (let j = 0; j < rowLen; j++) out[o + j] = clip8(acc[j]);
  }
  return out;
}

function asBytes(data: Uint8ClampedArray | Uint8Array): Uint8Array {
  // One element type keeps the hot loops monomorphic; the view shares the buffer, nothing is copied.
  return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/**
 * Resize so the shortest side equals `target`, as PIL's Image.resize(size, Image.BICUBIC) on the RGB image
 * would: horizontal pass first, rounded to uint8, then the vertical pass over only the rows it needs.
 */
export function resizeShortestSide(src: PixelSource, target: number): RgbImage {
  return resizeBicubic(src, resizeOutputSize(src.width, src.height, target));
}

/**
 * PIL's Image.resize(size, Image.BICUBIC, box) on the RGB image, for a box [0, box.width) × [0, box.height)
 * anchored at the top left (the whole image by default; fractional ends allowed, as Pillow's are floats).
 */
export function resizeBicubic(src: PixelSource, size: { width: number; height: number }, box: { width: number; height: number } = src): RgbImage {
  const { width, height, channels } = src;
  if (width < 1 || height < 1) throw new RangeError(`empty image ${width}x${height}`);
  if (src.data.length < width * height * channels) {
    throw new RangeError(`pixel buffer too short for ${width}x${height}x${channels}`);
  }
  const data = asBytes(src.data);
  const vertical = axisWeights(height, size.height, box.height);
  // Pillow resamples only the source rows the vertical kernels touch.
  const rowFirst = vertical.bounds[0];
  const last = (size.height - 1) * 2;
  const rowEnd = vertical.bounds[last] + vertical.bounds[last + 1];
  const rows = rowEnd - rowFirst;
  // Pillow skips a pass whose size is unchanged over the whole axis.
  const wide =
    size.width === width && box.width === width
      ? copyRowsRgb(data, width, channels, rowFirst, rows)
      : resampleRows(data, width, channels, rowFirst, rows, size.width, axisWeights(width, size.width, box.width));
  const out =
    size.height === height && box.height === height ? wide : resampleColumns(wide, size.width, size.height, vertical, rowFirst);
  return { data: out, width: size.width, height: size.height };
}

/**
 * HF's center_crop: top = (h - size) // 2, left = (w - size) // 2 (floor; OpenAI's torchvision CenterCrop
 * rounds instead and can sit one pixel further). Images smaller than `size` are zero-padded with
 * ceil((size - h) / 2) rows on top, as HF does.
 */
export function centerCrop(img: RgbImage, size: number): RgbImage {
  const out = new Uint8Array(size * size * 3);
  const padTop = Math.max(0, Math.ceil((size - img.height) / 2));
  const padLeft = Math.max(0, Math.ceil((size - img.width) / 2));
  const top = Math.max(0, Math.floor((img.height - size) / 2));
  const left = Math.max(0, Math.floor((img.width - size) / 2));
  const rows = Math.min(size, img.height);
  const cols = Math.min(size, img.width);
  for (let y = 0; y < rows; y++) {
    const from = ((top + y) * img.width + left) * 3;
    out.set(img.data.subarray(from, from + cols * 3), ((padTop + y) * size + padLeft) * 3);
  }
  return { data: out, width: size, height: size };
}

/**
 * Per channel, the float32 value HF produces for each byte: float32(v * (1/255) in float64), then
 * (x - mean) / std in float32 arithmetic. A lookup table gives those exact values and costs 3 KB.
 */
const NORMALIZED: Float32Array = (() => {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(CLIP_MEAN[c]);
    const std = Math.fround(CLIP_STD[c]);
    for (let v = 0; v < 256; v++) {
      const x = Math.fround(v * (1 / 255));
      lut[c * 256 + v] = Math.fround(Math.fround(x - mean) / std);
    }
  }
  return lut;
})();

/**
 * CHW float32 in CLIP's normalisation. Pass a batch buffer and an element offset to fill one slot of a
 * [batch, 3, H, W] tensor in place.
 */
export function toClipTensor(rgb: RgbImage, out?: Float32Array, offset = 0): Float32Array {
  const plane = rgb.width * rgb.height;
  const target = out ?? new Float32Array(plane * 3);
  if (offset < 0 || offset + plane * 3 > target.length) {
    throw new RangeError(`tensor slot [${offset}, ${offset + plane * 3}) outside buffer of ${target.length}`);
  }
  const src = rgb.data;
  const r = offset;
  const g = offset + plane;
  const b = offset + 2 * plane;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    target[r + i] = NORMALIZED[src[p]];
    target[g + i] = NORMALIZED[256 + src[p + 1]];
    target[b + i] = NORMALIZED[512 + src[p + 2]];
  }
  return target;
}

/** The whole CLIPImageProcessor pipeline on decoded pixels: [3, 224, 224] float32, optionally in place. */
export function preprocessForClip(src: PixelSource, out?: Float32Array, offset = 0): Float32Array {
  const resized = resizeShortestSide(src, CLIP_IMAGE_SIZE);
  return toClipTensor(centerCrop(resized, CLIP_IMAGE_SIZE), out, offset);
}

/**
 * preprocessForClip for pixels that stand for a larger photo (a k/8 decode, an embedded preview): resized to the
 * size PIL gives the photo itself (`photo`, its displayed size). A copy whose shape is a fraction of a pixel off
 * the photo's (a camera's 1616×1080 preview of a 6000×4000 photo is 0.25 % narrower) is stretched back to the
 * photo's shape rather than resized to one output column less, which would move the crop. Where the copy has the
 * photo's shape exactly (a full-size decode, a k/8 that divides both sides) it is preprocessForClip.
 */
export function preprocessReducedForClip(src: PixelSource, photo: { width: number; height: number }): Float32Array {
  const resized = resizeBicubic(src, resizeOutputSize(photo.width, photo.height, CLIP_IMAGE_SIZE));
  return toClipTensor(centerCrop(resized, CLIP_IMAGE_SIZE));
}
