/**
 * Zero-shot quality from antonym prompt pairs (REFERENCE §2: "a good photo" / "a bad photo", "a sharp photo" /
 * "a blurry photo", softmax over the pair — the CLIP-IQA idea). For each pair the image's probability of the
 * positive prompt is softmax(100 · [cos⁺, cos⁻])₀ = σ(100 · (cos⁺ − cos⁻)), 100 being CLIP's logit scale.
 * Shown beside the measured technical figures (src/scoring/technicalQuality.ts) so a user sees both views:
 * what the pixels measure and what CLIP "thinks".
 */
export interface AntonymPair {
  id: 'quality' | 'sharpness' | 'exposure' | 'noise' | 'contrast' | 'colour';
  label: string;
  positive: string;
  negative: string;
}

export const ANTONYM_PAIRS: readonly AntonymPair[] = Object.freeze([
  { id: 'quality', label: 'good photo', positive: 'a good photo.', negative: 'a bad photo.' },
  { id: 'sharpness', label: 'sharp', positive: 'a sharp photo.', negative: 'a blurry photo.' },
  { id: 'exposure', label: 'well exposed', positive: 'a well exposed photo.', negative: 'a badly exposed photo.' },
  { id: 'noise', label: 'clean', positive: 'a clean photo.', negative: 'a noisy photo.' },
  { id: 'contrast', label: 'high contrast', positive: 'a high contrast photo.', negative: 'a low contrast photo.' },
  { id: 'colour', label: 'colourful', positive: 'a colorful photo.', negative: 'a dull photo.' },
]);

export const CLIP_LOGIT_SCALE = 100;

/** The prompts to embed, positives and negatives interleaved in ANTONYM_PAIRS order. */
export function antonymPrompts(pairs: readonly AntonymPair[] = ANTONYM_PAIRS): string[] {
  return pairs.flatMap((p) => [p.positive, p.negative]);
}

/**
 * P(positive) per pair for one L2-normalized image embedding, given the prompts' L2-normalized embeddings in
 * antonymPrompts order.
 */
export function zeroShotQuality(image: Float32Array, promptEmbeds: Float32Array, pairs: readonly AntonymPair[] = ANTONYM_PAIRS): Record<string, number> {
  const dim = image.length;
  if (promptEmbeds.length !== pairs.length * 2 * dim) throw new Error('zeroShotQuality: expected two prompt embeddings per pair');
  const out: Record<string, number> = {};
  pairs.forEach((p, k) => {
    let pos = 0;
    let neg = 0;
    for (let d = 0; d < dim; d++) {
      pos += image[d] * promptEmbeds[2 * k * dim + d];
      neg += image[d] * promptEmbeds[(2 * k + 1) * dim + d];
    }
    out[p.id] = 1 / (1 + Math.exp(-CLIP_LOGIT_SCALE * (pos - neg)));
  });
  return out;
}
