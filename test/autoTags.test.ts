/**
 * Auto-tags and zero-shot antonym prompts against NumPy/SciPy (scripts/make_autotag_fixtures.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autoTags, folderTags } from '../src/scoring/autoTags';
import { ANTONYM_PAIRS, antonymPrompts, zeroShotQuality } from '../src/scoring/qualityPrompts';

interface Fixture {
  dim: number;
  tags: string[];
  tagEmbeds: number[];
  images: number[];
  cosines: number[][];
  weights: Record<string, number[][]>;
  promptEmbeds: number[];
  zeroShot: number[][];
}
const f = JSON.parse(readFileSync(new URL('./fixtures/autotags.json', import.meta.url), 'utf8')) as Fixture;
const images = Float32Array.from(f.images);
const tags = Float32Array.from(f.tagEmbeds);
const n = f.cosines.length;

describe('auto-tags', () => {
  for (const temperature of [0.01, 0.05]) {
    it(`weights are SciPy's softmax over the vocabulary at τ = ${temperature}`, () => {
      const all = autoTags(images, n, f.tags, tags, f.dim, { temperature, topK: f.tags.length, minWeight: 0 });
      for (let i = 0; i < n; i++) {
        expect(all[i].map((t) => t.weight).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        for (const t of all[i]) {
          const k = f.tags.indexOf(t.tag);
          expect(Math.abs(t.weight - f.weights[String(temperature)][i][k])).toBeLessThan(1e-6);
          expect(Math.abs(t.cosine - f.cosines[i][k])).toBeLessThan(1e-6);
        }
        // heaviest first
        for (let k = 1; k < all[i].length; k++) expect(all[i][k - 1].weight).toBeGreaterThanOrEqual(all[i][k].weight);
      }
    });
  }

  it('shows at most the top 3, each with weight ≥ 0.05 (the first always), and counts them per folder', () => {
    const shown = autoTags(images, n, f.tags, tags, f.dim);
    for (let i = 0; i < n; i++) {
      expect(shown[i].length).toBeGreaterThanOrEqual(1);
      expect(shown[i].length).toBeLessThanOrEqual(3);
      const expected = f.weights['0.01'][i].map((w, k) => ({ w, tag: f.tags[k] })).sort((a, b) => b.w - a.w);
      expect(shown[i][0].tag).toBe(expected[0].tag);
      shown[i].slice(1).forEach((t) => expect(t.weight).toBeGreaterThanOrEqual(0.05));
    }
    // Image 0 was planted near "landscape", image 1 near "cat".
    expect(shown[0][0].tag).toBe('landscape');
    expect(shown[1][0].tag).toBe('cat');
    const folder = folderTags(shown);
    expect(folder.reduce((a, t) => a + t.count, 0)).toBe(shown.flat().length);
    for (let k = 1; k < folder.length; k++) expect(folder[k - 1].count).toBeGreaterThanOrEqual(folder[k].count);
  });

  it('refuses embeddings of the wrong size', () => {
    expect(() => autoTags(images, n, f.tags.slice(1), tags, f.dim)).toThrow(/sizes/);
  });
});

describe('zero-shot antonym prompts', () => {
  it('P(positive) is SciPy’s softmax over each pair of 100·cosine', () => {
    expect(antonymPrompts()).toHaveLength(2 * ANTONYM_PAIRS.length);
    const prompts = Float32Array.from(f.promptEmbeds);
    for (let i = 0; i < n; i++) {
      const p = zeroShotQuality(images.subarray(i * f.dim, (i + 1) * f.dim), prompts);
      ANTONYM_PAIRS.forEach((pair, k) => expect(Math.abs(p[pair.id] - f.zeroShot[i][k])).toBeLessThan(1e-5));
    }
  });
});
