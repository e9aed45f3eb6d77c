/**
 * Cosine similarity between CLIP embeddings: the "relevance" of an image to a tag (issue 4).
 * The ONNX encoders return raw embeddings (REFERENCE §3), so every function here normalises what it is given
 * rather than trusting the caller.
 */
import { l2normalize } from './aestheticHead';

export { l2normalize };

/**
 * cos∠(a, b). NaN when either vector is zero or non-finite: the angle is undefined, and a 0 would pass for
 * "unrelated" and could land above a calibrated threshold (CLIP cosines of unrelated pairs are often ≈ 0.1).
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosine: lengths differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  const denom = Math.sqrt(aa) * Math.sqrt(bb);
  if (!(denom > 0) || !Number.isFinite(denom)) return Number.NaN;
  return dot / denom;
}

/** One row-major [n, dim] matrix from blocks of whole rows, in order. */
export function joinRowBlocks(blocks: readonly Float32Array[], n: number, dim: number): Float32Array {
  if (blocks.length === 1 && blocks[0].length === n * dim) return blocks[0];
  const out = new Float32Array(n * dim);
  let at = 0;
  for (const b of blocks) {
    if (b.length % dim !== 0 || at + b.length > out.length) throw new Error(`joinRowBlocks: a block of ${b.length} values does not fit [${n}, ${dim}]`);
    out.set(b, at);
    at += b.length;
  }
  if (at !== out.length) throw new Error(`joinRowBlocks: ${at / dim} rows given, ${n} expected`);
  return out;
}

/** Normalises each of the `n` rows of a row-major [n, dim] matrix; zero rows stay zero (as l2normalize). */
export function normalizeRows(embeds: Float32Array, n: number, dim: number): Float32Array {
  checkShape(embeds, n, dim, 'normalizeRows');
  const out = new Float32Array(embeds.length);
  for (let r = 0; r < n; r++) {
    const off = r * dim;
    let sq = 0;
    for (let i = 0; i < dim; i++) sq += embeds[off + i] * embeds[off + i];
    if (!(sq > 0) || !Number.isFinite(sq)) continue;
    const inv = 1 / Math.sqrt(sq);
    for (let i = 0; i < dim; i++) out[off + i] = embeds[off + i] * inv;
  }
  return out;
}

/**
 * Relevance of each of `n` raw image embeddings (row-major [n, dim], dim = tagEmbedding.length) to one tag:
 * cos(image_i, tag). Each row is normalised on the fly (dot and squared norm in one pass, float64
 * accumulators) so a tag change costs one read of the matrix and no allocation beyond the result; this is
 * what keeps re-ranking 10,000 images within a few milliseconds. The tag is renormalised too: it is one
 * vector, and a cached embedding from an older, unnormalised path would otherwise skew every relevance.
 * A zero or non-finite image row gets NaN (see `cosine`).
 */
export function relevanceScores(imageEmbeds: Float32Array, n: number, tagEmbedding: Float32Array): Float32Array {
  const dim = tagEmbedding.length;
  checkShape(imageEmbeds, n, dim, 'relevanceScores');
  const tag = l2normalize(tagEmbedding);
  const out = new Float32Array(n);
  if (tag.every((x) => x === 0)) return out.fill(Number.NaN);
  // Four independent accumulator pairs let the JIT overlap the multiply-adds instead of waiting on one sum.
  const tail = dim - (dim % 4);
  for (let r = 0; r < n; r++) {
    const off = r * dim;
    let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i < tail; i += 4) {
      const x0 = imageEmbeds[off + i];
      const x1 = imageEmbeds[off + i + 1];
      const x2 = imageEmbeds[off + i + 2];
      const x3 = imageEmbeds[off + i + 3];
      d0 += x0 * tag[i];
      d1 += x1 * tag[i + 1];
      d2 += x2 * tag[i + 2];
      d3 += x3 * tag[i + 3];
      s0 += x0 * x0;
      s1 += x1 * x1;
      s2 += x2 * x2;
      s3 += x3 * x3;
    }
    for (; i < dim; i++) {
      const x = imageEmbeds[off + i];
      d0 += x * tag[i];
      s0 += x * x;
    }
    const sq = s0 + s1 + s2 + s3;
    out[r] = sq > 0 && Number.isFinite(sq) ? (d0 + d1 + d2 + d3) / Math.sqrt(sq) : Number.NaN;
  }
  return out;
}

function checkShape(data: Float32Array, n: number, dim: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim <= 0 || data.length !== n * dim) {
    throw new Error(`${what}: ${data.length} values are not ${n} rows of ${dim}`);
  }
}
