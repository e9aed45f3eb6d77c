/**
 * The LAION aesthetic predictor V1 head: a linear score on the L2-normalised CLIP image embedding
 * (REFERENCE §4). The ONNX encoders return raw `image_embeds`; normalising here keeps that step in one place.
 */
import type { PthLinearParams } from './pthLinear';

export interface LinearAestheticHead {
  readonly inFeatures: number;
  /** Score of one raw `image_embeds` vector; NaN for a zero or non-finite vector (it has no direction). */
  score(embedding: Float32Array): number;
  /** Scores `n` raw embeddings stored row after row in `embeds` (length n × inFeatures). */
  scoreBatch(embeds: Float32Array, n: number): Float32Array;
}

/**
 * Returns v / ‖v‖ as a new array. A zero vector comes back as zeros: there is no direction to keep, and
 * NaNs would spread silently into every later sum.
 */
export function l2normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const out = new Float32Array(v.length);
  if (!(sum > 0) || !Number.isFinite(sum)) return out;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * inv;
  return out;
}

export function createLinearAestheticHead(params: Pick<PthLinearParams, 'weight' | 'bias'>): LinearAestheticHead {
  const weight = Float32Array.from(params.weight);
  const bias = params.bias;
  const dim = weight.length;
  if (dim === 0) throw new Error('aesthetic head: empty weight');
  if (!Number.isFinite(bias) || !weight.every(Number.isFinite)) throw new Error('aesthetic head: non-finite weights');

  // Accumulates in float64 and divides by the norm once: the same value as normalise-then-dot, one pass.
  const scoreAt = (data: Float32Array, offset: number): number => {
    let dot = 0;
    let sq = 0;
    for (let i = 0; i < dim; i++) {
      const x = data[offset + i];
      dot += weight[i] * x;
      sq += x * x;
    }
    if (!(sq > 0) || !Number.isFinite(sq)) return Number.NaN;
    return dot / Math.sqrt(sq) + bias;
  };

  return {
    inFeatures: dim,
    score(embedding) {
      if (embedding.length !== dim) {
        throw new Error(`aesthetic head expects a ${dim}-d embedding, got ${embedding.length}`);
      }
      return scoreAt(embedding, 0);
    },
    scoreBatch(embeds, n) {
      if (!Number.isInteger(n) || n < 0 || embeds.length !== n * dim) {
        throw new Error(`aesthetic head: ${embeds.length} values are not ${n} embeddings of ${dim}`);
      }
      const out = new Float32Array(n);
      for (let r = 0; r < n; r++) out[r] = scoreAt(embeds, r * dim);
      return out;
    },
  };
}
