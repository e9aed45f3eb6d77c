/**
 * Auto-tags with importance (REFERENCE §2, "multi-tag auto-tagging with per-tag importance"): for each image,
 * the vocabulary's tags ranked by CLIP similarity, with an importance weight per tag from a softmax over the
 * image's similarities to the whole vocabulary.
 *
 * Temperature: CLIP scores image–text pairs as 100 · cosine (its learned logit scale, exp(4.6052) = 100), so
 * the softmax uses τ = 0.01 by default: the weights are then CLIP's own zero-shot probabilities over the
 * vocabulary. A tag is shown when its weight is at least `minWeight` (default 0.05), at most `topK` (3) per
 * image. The image-level tag embedding of REFERENCE §2 would be Σ weight · tag embedding; the app shows the
 * weights and does not need that vector.
 */
export const AUTO_TAG_TEMPERATURE = 0.01;
export const AUTO_TAG_TOP_K = 3;
export const AUTO_TAG_MIN_WEIGHT = 0.05;

export interface AutoTag {
  tag: string;
  /** Softmax weight over the vocabulary, 0–1. */
  weight: number;
  cosine: number;
}

export interface AutoTagOptions {
  temperature?: number;
  topK?: number;
  minWeight?: number;
}

/**
 * `images` [n, dim] and `tags` [m, dim] must be L2-normalized rows. Returns each image's auto-tags, heaviest
 * first. O(n·m·dim) time, O(m) extra memory.
 */
export function autoTags(
  images: Float32Array,
  count: number,
  tagNames: readonly string[],
  tags: Float32Array,
  dim: number,
  options: AutoTagOptions = {},
): AutoTag[][] {
  const m = tagNames.length;
  if (tags.length !== m * dim || images.length !== count * dim) throw new Error('autoTags: embedding sizes do not match');
  const temperature = options.temperature ?? AUTO_TAG_TEMPERATURE;
  const topK = options.topK ?? AUTO_TAG_TOP_K;
  const minWeight = options.minWeight ?? AUTO_TAG_MIN_WEIGHT;
  const cos = new Float64Array(m);
  const out: AutoTag[][] = [];
  for (let i = 0; i < count; i++) {
    let max = -Infinity;
    for (let t = 0; t < m; t++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += images[i * dim + d] * tags[t * dim + d];
      cos[t] = dot;
      if (dot > max) max = dot;
    }
    // Softmax with the max subtracted: exp never overflows.
    let sum = 0;
    for (let t = 0; t < m; t++) sum += Math.exp((cos[t] - max) / temperature);
    const ranked: AutoTag[] = [];
    for (let t = 0; t < m; t++) ranked.push({ tag: tagNames[t], weight: Math.exp((cos[t] - max) / temperature) / sum, cosine: cos[t] });
    ranked.sort((a, b) => b.weight - a.weight || (a.tag < b.tag ? -1 : 1));
    out.push(ranked.slice(0, topK).filter((x, k) => k === 0 || x.weight >= minWeight));
  }
  return out;
}

export interface FolderTag {
  tag: string;
  /** Images whose auto-tags include it. */
  count: number;
  /** Sum of its weights over those images: ties in count are broken by how strongly. */
  weight: number;
}

/** The tags that describe a folder: how many images carry each auto-tag, most common first. */
export function folderTags(perImage: readonly AutoTag[][]): FolderTag[] {
  const byTag = new Map<string, FolderTag>();
  for (const tags of perImage)
    for (const t of tags) {
      const f = byTag.get(t.tag) ?? { tag: t.tag, count: 0, weight: 0 };
      f.count++;
      f.weight += t.weight;
      byTag.set(t.tag, f);
    }
  return [...byTag.values()].sort((a, b) => b.count - a.count || b.weight - a.weight || (a.tag < b.tag ? -1 : 1));
}
