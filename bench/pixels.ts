/**
 * Deterministic encoder input shared by the Node and browser sides of the benchmark, so that the same
 * seed gives bit-identical tensors in both and their embeddings can be compared (cosine), not just timed.
 * Browser-safe imports only: the lab page bundles this file.
 */
import { mulberry32 } from '../src/scoring/mulberry32';

/**
 * `length` floats in the range CLIP-normalized pixels take (about −1.8…2.2). Values are quantized to
 * 1/256 steps so that they are exactly representable and both engines see the same numbers.
 */
export function seededPixels(seed: number, length: number): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(next() * 1024) / 256 - 1.8;
  return out;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** Smallest cosine between matching rows of two [rows, dim] embedding matrices. */
export function minRowCosine(a: ArrayLike<number>, b: ArrayLike<number>, dim: number): number {
  let min = 1;
  for (let r = 0; r * dim < a.length; r++) {
    const ra = Array.prototype.slice.call(a, r * dim, (r + 1) * dim) as number[];
    const rb = Array.prototype.slice.call(b, r * dim, (r + 1) * dim) as number[];
    min = Math.min(min, cosine(ra, rb));
  }
  return min;
}
