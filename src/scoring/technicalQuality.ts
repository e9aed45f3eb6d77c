/**
 * Technical image quality figures, one per SPAQ attribute (brightness, colorfulness, contrast, noise,
 * sharpness; Fang et al., CVPR 2020), from decoded RGBA pixels. Pure typed-array code: no DOM, so it runs in
 * the decode workers and in Node.
 *
 * Exact definitions (scripts/make_quality_fixtures.py implements the same ones independently in NumPy):
 * - luma Y = 0.299 R + 0.587 G + 0.114 B (Rec. 601) on the 8-bit values, 0..255. It is computed as
 *   (299 R + 587 G + 114 B) / 1000: the same number, but the integer numerator is exact, so the clipping
 *   tests below are exact too (in floating point 0.299·250 + 0.587·250 + 0.114·250 is not ≥ 250).
 *   Alpha is ignored: every pixel counts as opaque.
 * - meanLuma = mean(Y) / 255.
 * - clippedHighlights = fraction of pixels with Y ≥ 250; clippedShadows = fraction with Y ≤ 5.
 * - contrast = RMS contrast: population standard deviation of Y, / 255.
 * - colorfulness = Hasler & Süsstrunk (2003) M on 0..255 channels: rg = R − G, yb = (R + G)/2 − B,
 *   M = √(σ_rg² + σ_yb²) + 0.3 √(μ_rg² + μ_yb²), population moments over all pixels.
 * - sharpness = population variance of the Laplacian of Y, kernel [[0,1,0],[1,−4,1],[0,1,0]], over interior
 *   pixels only (no padding: the (W−2)(H−2) pixels whose 3×3 neighbourhood lies inside the image).
 * - sharpnessPeak = the same variance over the Laplacian values whose centre pixel lies in one tile of a 4×4
 *   grid, maximised over the tiles. Tile columns are [floor(k·W/4), floor((k+1)·W/4)), rows likewise; tiles
 *   with no interior pixel are skipped. A sharp subject on a defocused background is sharp where it matters;
 *   the whole-image figure alone would call it blurry.
 * - noise = Immerkær (1996) fast noise estimate of Y: σ = √(π/2) / (6 (W−2)(H−2)) · Σ |Y ∗ N| over interior
 *   pixels, N = [[1,−2,1],[−2,4,−2],[1,−2,1]]. N is the difference of two Laplacians, so it cancels image
 *   structure up to second order and what is left is mostly noise (textures still leak in).
 *
 * Accumulation is float64 throughout. Laplacian and N responses are integers in units of 1/1000 luma, summed
 * exactly (below 2^53) before the final scaling, so the figures agree with NumPy to float64 rounding.
 */

/**
 * The long side, in pixels, the caller downsizes to before calling `technicalQuality` (never upscaling).
 * Sharpness and noise are not scale-invariant: halving an image roughly doubles its edge gradients and
 * averages noise down, so a Laplacian variance from a 4000-px original and one from a 500-px original mean
 * different things. Measuring every photo at one resolution makes the figures — and the thresholds in
 * flags.ts, calibrated at this size — comparable across cameras and crops.
 */
export const WORKING_LONG_SIDE = 512;

export interface TechnicalQuality {
  readonly width: number;
  readonly height: number;
  /** Mean Rec. 601 luma, 0..1. */
  readonly meanLuma: number;
  /** Fraction of pixels with luma ≥ 250/255. */
  readonly clippedHighlights: number;
  /** Fraction of pixels with luma ≤ 5/255. */
  readonly clippedShadows: number;
  /** RMS contrast: standard deviation of luma, 0..1. */
  readonly contrast: number;
  /** Hasler–Süsstrunk colorfulness M on 0..255 channels (0 for grey; ≈ 100+ is extremely colourful). */
  readonly colorfulness: number;
  /** Immerkær noise sigma estimate, luma 0..255. */
  readonly noise: number;
  /** Variance of the 3×3 Laplacian of luma (0..255), whole image. */
  readonly sharpness: number;
  /** The same on the sharpest tile of a 4×4 grid. */
  readonly sharpnessPeak: number;
}

const GRID = 4;
const HIGHLIGHT = 250 * 1000; // thresholds on the integer luma numerator
const SHADOW = 5 * 1000;
const LUMA_SCALE = 1000;

export function technicalQuality(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
): TechnicalQuality {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 3 || height < 3) {
    throw new Error(`technicalQuality needs an image of at least 3×3 pixels, got ${width}×${height}`);
  }
  const n = width * height;
  if (rgba.length !== n * 4) {
    throw new Error(
      `technicalQuality: RGBA buffer has ${rgba.length} bytes, expected ${n * 4} for ${width}×${height}`,
    );
  }

  // Pass 1: luma numerators, and the moments that are integer sums (exact in float64 below 2^53).
  const luma = new Int32Array(n);
  let lumaSum = 0;
  let highlights = 0;
  let shadows = 0;
  let rgSum = 0;
  let rgSq = 0;
  let yb2Sum = 0; // 2·yb = R + G − 2B keeps yb an integer
  let yb2Sq = 0;
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const r = rgba[p];
    const g = rgba[p + 1];
    const b = rgba[p + 2];
    const y = 299 * r + 587 * g + 114 * b;
    luma[i] = y;
    lumaSum += y;
    if (y >= HIGHLIGHT) highlights++;
    if (y <= SHADOW) shadows++;
    const rg = r - g;
    const yb2 = r + g - 2 * b;
    rgSum += rg;
    rgSq += rg * rg;
    yb2Sum += yb2;
    yb2Sq += yb2 * yb2;
  }

  // Luma variance from centred values: E[Y²] − E[Y]² would cancel catastrophically on flat images.
  const lumaMean = lumaSum / n;
  let lumaDev = 0;
  for (let i = 0; i < n; i++) {
    const d = luma[i] - lumaMean;
    lumaDev += d * d;
  }

  // Here the one-pass form is safe: where σ² ≪ μ² cancellation hurts, M is dominated by its 0.3·μ term.
  const rgMean = rgSum / n;
  const ybMean = yb2Sum / (2 * n);
  const rgVar = Math.max(0, rgSq / n - rgMean * rgMean);
  const ybVar = Math.max(0, yb2Sq / (4 * n) - ybMean * ybMean);
  const colorfulness = Math.sqrt(rgVar + ybVar) + 0.3 * Math.sqrt(rgMean * rgMean + ybMean * ybMean);

  // Pass 2: Laplacian and Immerkær responses of interior pixels, summed per tile. A row is walked one
  // tile-wide segment at a time so the inner loop has no tile lookup.
  const colBounds = tileBounds(width);
  const rowBounds = tileBounds(height);
  const tileCount = new Float64Array(GRID * GRID);
  const tileSum = new Float64Array(GRID * GRID);
  const tileSq = new Float64Array(GRID * GRID);
  let absN = 0;
  for (let ty = 0; ty < GRID; ty++) {
    const y0 = Math.max(1, rowBounds[ty]);
    const y1 = Math.min(height - 1, rowBounds[ty + 1]);
    for (let tx = 0; tx < GRID; tx++) {
      const x0 = Math.max(1, colBounds[tx]);
      const x1 = Math.min(width - 1, colBounds[tx + 1]);
      if (x0 >= x1 || y0 >= y1) continue;
      let s = 0;
      let sq = 0;
      let a = 0;
      for (let y = y0; y < y1; y++) {
        const row = y * width;
        for (let i = row + x0, end = row + x1; i < end; i++) {
          const up = i - width;
          const down = i + width;
          const edges = luma[up] + luma[down] + luma[i - 1] + luma[i + 1];
          const centre = luma[i];
          const lap = edges - 4 * centre;
          const corners = luma[up - 1] + luma[up + 1] + luma[down - 1] + luma[down + 1];
          const nResp = corners - 2 * edges + 4 * centre;
          s += lap;
          sq += lap * lap;
          a += nResp < 0 ? -nResp : nResp;
        }
      }
      const t = ty * GRID + tx;
      tileCount[t] = (x1 - x0) * (y1 - y0);
      tileSum[t] = s;
      tileSq[t] = sq;
      absN += a;
    }
  }

  let count = 0;
  let sum = 0;
  let sq = 0;
  let peak = 0;
  for (let t = 0; t < GRID * GRID; t++) {
    const c = tileCount[t];
    if (c === 0) continue;
    count += c;
    sum += tileSum[t];
    sq += tileSq[t];
    peak = Math.max(peak, variance(tileSum[t], tileSq[t], c));
  }
  const interior = (width - 2) * (height - 2);
  const lapScale = LUMA_SCALE * LUMA_SCALE;

  return {
    width,
    height,
    meanLuma: lumaMean / LUMA_SCALE / 255,
    clippedHighlights: highlights / n,
    clippedShadows: shadows / n,
    contrast: Math.sqrt(lumaDev / n) / LUMA_SCALE / 255,
    colorfulness,
    noise: (Math.sqrt(Math.PI / 2) / (6 * interior)) * (absN / LUMA_SCALE),
    sharpness: variance(sum, sq, count) / lapScale,
    sharpnessPeak: peak / lapScale,
  };
}

/** GRID + 1 integer boundaries floor(k·size/GRID). */
function tileBounds(size: number): Int32Array {
  const b = new Int32Array(GRID + 1);
  for (let k = 0; k <= GRID; k++) b[k] = Math.floor((k * size) / GRID);
  return b;
}

/**
 * Population variance from the sum and the sum of squares of integer data. The sums are exact while below
 * 2^53; the Laplacian's mean is near zero (it telescopes to boundary gradients), so the subtraction loses
 * little.
 */
function variance(sum: number, sumSq: number, count: number): number {
  return Math.max(0, (sumSq - sum * (sum / count)) / count);
}
