/**
 * An experiment for bench/fastPath.ts, not the app's code: Pillow's bicubic resample of a source *box* (its
 * `Image.resize(size, BICUBIC, box)`), so a JPEG decoded at k/8 can be resampled to the output size of the
 * full-size photo, over exactly the k/8 of its area. libjpeg rounds a k/8 size up (ceil(w·k/8)), so the last
 * column/row of a reduced decode covers less than one reduced pixel; the box ends at w·k/8 instead.
 * Same fixed-point arithmetic as src/engine/preprocess.ts (Pillow's Resample.c precompute_coeffs with in0/in1).
 */
import type { RgbImage } from '../engine/preprocess';

const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function coeffs(inSize: number, in0: number, in1: number, outSize: number) {
  const scale = (in1 - in0) / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = 2 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const ss = 1 / filterScale;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const raw = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    const n = xmax - xmin;
    let sum = 0;
    for (let x = 0; x < n; x++) {
      raw[x] = bicubic((x + xmin - center + 0.5) * ss);
      sum += raw[x];
    }
    for (let x = 0; x < n; x++) {
      const w = sum !== 0 ? raw[x] / sum : raw[x];
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = n;
  }
  return { ksize, bounds, weights };
}

const clip8 = (acc: number) => {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * RGBA `src` (width × height) resampled over the box [0, boxWidth) × [0, boxHeight) to outWidth × outHeight
 * RGB: horizontal pass first, rounded to uint8, then vertical, as Pillow does (both passes always run here).
 */
export function resampleBox(src: Uint8Array | Uint8ClampedArray, width: number, height: number, boxWidth: number, boxHeight: number, outWidth: number, outHeight: number): RgbImage {
  const h = coeffs(width, 0, boxWidth, outWidth);
  const v = coeffs(height, 0, boxHeight, outHeight);
  const rowFirst = v.bounds[0];
  const rowEnd = v.bounds[(outHeight - 1) * 2] + v.bounds[(outHeight - 1) * 2 + 1];
  const rows = rowEnd - rowFirst;
  const wide = new Uint8Array(outWidth * rows * 3);
  for (let y = 0; y < rows; y++) {
    const base = (rowFirst + y) * width * 4;
    for (let xx = 0; xx < outWidth; xx++) {
      let p = base + h.bounds[xx * 2] * 4;
      const n = h.bounds[xx * 2 + 1];
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let i = 0; i < n; i++, p += 4) {
        const w = h.weights[xx * h.ksize + i];
        s0 += src[p] * w;
        s1 += src[p + 1] * w;
        s2 += src[p + 2] * w;
      }
      const o = (y * outWidth + xx) * 3;
      wide[o] = clip8(s0);
      wide[o + 1] = clip8(s1);
      wide[o + 2] = clip8(s2);
    }
  }
  const rowLen = outWidth * 3;
  const out = new Uint8Array(rowLen * outHeight);
  const acc = new Float64Array(rowLen);
  for (let yy = 0; yy < outHeight; yy++) {
    acc.fill(HALF);
    const first = v.bounds[yy * 2] - rowFirst;
    const n = v.bounds[yy * 2 + 1];
    for (let i = 0; i < n; i++) {
      const w = v.weights[yy * v.ksize + i];
      let p = (first + i) * rowLen;
      for (let j = 0; j < rowLen; j++) acc[j] += wide[p++] * w;
    }
    for (let j = 0; j < rowLen; j++) out[yy * rowLen + j] = clip8(acc[j]);
  }
  return { data: out, width: outWidth, height: outHeight };
}
