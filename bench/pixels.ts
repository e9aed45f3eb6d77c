/**
 * Deterministic encoder input shared by the Node and browser sides of the benchmark, so that the same
 * seed gives bit-identical tensors in both and their embeddings can be compared (cosine), not just timed.
 * No imports: the lab page bundles this file.
 */

/** mulberry32: tiny, fast, and identical in every JS engine (only 32-bit integer ops). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
