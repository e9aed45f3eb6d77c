/**
 * Deterministic encoder input shared by the Node and browser sides of the benchmark (bench/node.ts and the lab
 * page), so that the same seed gives bit-identical tensors in both and their embeddings can be compared
 * (cosine), not just timed. It lives in src/ because the lab page bundles it and src/ never imports bench/.
 */
import { mulberry32 } from '../scoring/mulberry32';

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
