/**
 * An independent plain-TypeScript forward of training/heads.py TagHead in eval mode, for tests: loops and
 * float64 arithmetic, sharing no code with the ONNX writer or the trainer. Checked against PyTorch through
 * test/fixtures/taste-head-small.json.
 */
import { LAYER_NORM_EPS, type TagHeadHparams, type TagHeadWeights } from '../../src/scoring/taste/tagHeadSpec';

/** erf to ~1e-12 for |z| < 4 (Maclaurin series; its terms peak near e^{z²} ≈ 1e7), asymptotic erfc beyond. */
export function erf(z: number): number {
  const a = Math.abs(z);
  if (a >= 4) {
    const z2 = a * a;
    const erfc = (Math.exp(-z2) / (a * Math.sqrt(Math.PI))) * (1 - 1 / (2 * z2) + 3 / (4 * z2 * z2));
    return Math.sign(z) * (1 - erfc);
  }
  let term = z;
  let sum = z;
  const z2 = z * z;
  for (let n = 1; n < 200; n++) {
    term *= -z2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

/** x [rows, inp] @ W^T + b, W [out, inp] as PyTorch stores it. */
function linear(w: TagHeadWeights, name: string, x: ArrayLike<number>, rows: number, inp: number, out: number): Float64Array {
  const W = w[`${name}.weight`];
  const b = w[`${name}.bias`];
  const y = new Float64Array(rows * out);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < out; o++) {
      let s = b[o];
      for (let i = 0; i < inp; i++) s += x[r * inp + i] * W[o * inp + i];
      y[r * out + o] = s;
    }
  }
  return y;
}

function layerNorm(w: TagHeadWeights, name: string, x: Float64Array, rows: number, dim: number): Float64Array {
  const g = w[`${name}.weight`];
  const b = w[`${name}.bias`];
  const y = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < dim; i++) mean += x[r * dim + i];
    mean /= dim;
    let variance = 0;
    for (let i = 0; i < dim; i++) variance += (x[r * dim + i] - mean) ** 2;
    variance /= dim; // biased, as nn.LayerNorm
    const inv = 1 / Math.sqrt(variance + LAYER_NORM_EPS);
    for (let i = 0; i < dim; i++) y[r * dim + i] = (x[r * dim + i] - mean) * inv * g[i] + b[i];
  }
  return y;
}

/** One (image, tag) pair's score. */
function scoreRow(w: TagHeadWeights, h: TagHeadHparams, image: ArrayLike<number>, tag: ArrayLike<number>): number {
  const { tokens: T, width: W, heads: H } = h;
  const hd = W / H;
  const img = linear(w, 'image_tokens', image, 1, h.embedDim, T * W); // [T, W] row-major
  const tg = linear(w, 'tag_tokens', tag, 1, h.embedDim, T * W);
  const kv = layerNorm(w, 'norm_kv', img, T, W);
  const q = linear(w, 'q', layerNorm(w, 'norm_q', tg, T, W), T, W, W);
  const k = linear(w, 'k', kv, T, W, W);
  const v = linear(w, 'v', kv, T, W, W);
  const ctx = new Float64Array(T * W);
  const logits = new Float64Array(T);
  for (let head = 0; head < H; head++) {
    for (let t = 0; t < T; t++) {
      let max = -Infinity;
      for (let s = 0; s < T; s++) {
        let dot = 0;
        for (let d = 0; d < hd; d++) dot += q[t * W + head * hd + d] * k[s * W + head * hd + d];
        logits[s] = dot / Math.sqrt(hd);
        max = Math.max(max, logits[s]);
      }
      let total = 0;
      for (let s = 0; s < T; s++) total += (logits[s] = Math.exp(logits[s] - max));
      for (let d = 0; d < hd; d++) {
        let acc = 0;
        for (let s = 0; s < T; s++) acc += (logits[s] / total) * v[s * W + head * hd + d];
        ctx[t * W + head * hd + d] = acc;
      }
    }
  }
  const attnOut = linear(w, 'o', ctx, T, W, W);
  const h1 = tg.map((x, i) => x + attnOut[i]);
  const hidden = linear(w, 'ffn.0', layerNorm(w, 'norm_ffn', h1, T, W), T, W, h.ffn).map(gelu);
  const ffnOut = linear(w, 'ffn.3', hidden, T, h.ffn, W);
  const feature = h1.map((x, i) => x + ffnOut[i]); // [T, W] flattened token-major, as reshape(-1, T·W)
  const mlpHidden = linear(w, 'mlp.0', feature, 1, T * W, h.mlpHidden).map(gelu);
  return linear(w, 'mlp.3', mlpHidden, 1, h.mlpHidden, 1)[0];
}

/** Scores for n rows of images and tags, each flat [n, embedDim]. */
export function tagHeadReference(
  w: TagHeadWeights,
  h: TagHeadHparams,
  images: ArrayLike<number>,
  tags: ArrayLike<number>,
  n: number,
): Float64Array {
  const out = new Float64Array(n);
  const e = h.embedDim;
  const row = (a: ArrayLike<number>, r: number) => Array.prototype.slice.call(a, r * e, (r + 1) * e) as number[];
  for (let r = 0; r < n; r++) out[r] = scoreRow(w, h, row(images, r), row(tags, r));
  return out;
}
