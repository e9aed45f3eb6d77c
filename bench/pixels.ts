/**
 * Comparing the embeddings of the Node and browser sides of the benchmark. Their shared input, seededPixels,
 * is in src/lab/seededPixels.ts: the lab page bundles it, and src/ never imports bench/.
 */

import { cosine } from '../src/scoring/similarity';

export { cosine };

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
