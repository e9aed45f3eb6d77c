import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cosine, joinRowBlocks, l2normalize, normalizeRows, relevanceScores } from '../src/scoring/similarity';

// Reference values from scripts/make_ranking_fixtures.py (NumPy, float64 on the float32 inputs).
interface SimilarityCase {
  name: string;
  n: number;
  dim: number;
  imageEmbeds: number[];
  tag: number[];
  relevance: (number | null)[];
  cosine01: number;
  normalizedRows: number[] | null;
  tagUnit: number[] | null;
}

const cases = JSON.parse(
  readFileSync(new URL('./fixtures/ranking/similarity.json', import.meta.url), 'utf8'),
) as SimilarityCase[];

const orNaN = (v: number | null): number => (v === null ? Number.NaN : v);

describe('similarity against NumPy', () => {
  for (const c of cases) {
    it(`${c.name}: relevanceScores, cosine, normalizeRows`, () => {
      const embeds = Float32Array.from(c.imageEmbeds);
      const tag = Float32Array.from(c.tag);
      const rel = relevanceScores(embeds, c.n, tag);
      expect(rel).toHaveLength(c.n);
      c.relevance.map(orNaN).forEach((want, i) => {
        if (Number.isNaN(want)) expect(rel[i]).toBeNaN();
        else expect(rel[i]).toBeCloseTo(want, 6);
      });
      // The tag is renormalised inside, so a unit tag gives the same relevances.
      const again = relevanceScores(embeds, c.n, l2normalize(tag));
      again.forEach((v, i) => (Number.isNaN(rel[i]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(rel[i], 6)));

      expect(cosine(embeds.subarray(0, c.dim), embeds.subarray(c.dim, 2 * c.dim))).toBeCloseTo(c.cosine01, 6);
      if (c.normalizedRows) {
        const rows = normalizeRows(embeds, c.n, c.dim);
        c.normalizedRows.forEach((want, i) => expect(rows[i]).toBeCloseTo(want, 6));
      }
      if (c.tagUnit) c.tagUnit.forEach((want, i) => expect(l2normalize(tag)[i]).toBeCloseTo(want, 6));
    });
  }
});

describe('similarity edge cases', () => {
  it('cosine is NaN without a direction and throws on mismatched lengths', () => {
    expect(cosine(new Float32Array(3), Float32Array.of(1, 0, 0))).toBeNaN();
    expect(cosine(Float32Array.of(1, 0), Float32Array.of(0, 2))).toBe(0);
    expect(cosine(Float32Array.of(2, 0), Float32Array.of(-3, 0))).toBe(-1);
    expect(() => cosine(Float32Array.of(1), Float32Array.of(1, 2))).toThrow();
  });

  it('a zero tag gives NaN relevance rather than a fake 0', () => {
    const rel = relevanceScores(Float32Array.of(1, 0, 0, 1), 2, new Float32Array(2));
    expect(Array.from(rel).every(Number.isNaN)).toBe(true);
  });

  it('dimension tails that are not a multiple of 4 are included', () => {
    const dim = 7;
    const img = Float32Array.from({ length: dim }, (_, i) => i + 1);
    const tag = Float32Array.from({ length: dim }, (_, i) => (i % 2 ? -1 : 2));
    expect(relevanceScores(img, 1, tag)[0]).toBeCloseTo(cosine(img, tag), 6);
  });

  it('rejects inconsistent shapes', () => {
    expect(() => relevanceScores(new Float32Array(10), 3, new Float32Array(4))).toThrow();
    expect(() => normalizeRows(new Float32Array(10), 2, 4)).toThrow();
    expect(relevanceScores(new Float32Array(0), 0, Float32Array.of(1))).toHaveLength(0);
  });

  it('normalizeRows leaves zero rows at zero', () => {
    const rows = normalizeRows(Float32Array.of(3, 4, 0, 0), 2, 2);
    expect(Array.from(rows)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0]);
  });

  it('scores 10,000 × 512 quickly (a tag change must not wait on it)', () => {
    const n = 10_000;
    const dim = 512;
    const embeds = new Float32Array(n * dim);
    let s = 1;
    for (let i = 0; i < embeds.length; i++) {
      s = (s * 16807) % 2147483647;
      embeds[i] = s / 2147483647 - 0.5;
    }
    const tag = l2normalize(embeds.slice(0, dim));
    relevanceScores(embeds, n, tag);
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      relevanceScores(embeds, n, tag);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    // Generous bound so a loaded CI box does not flake; bench/rerank.ts reports the real number.
    expect(times[2]).toBeLessThan(60);
  });
});

describe('joinRowBlocks', () => {
  it('joins blocks of whole rows in order, and refuses blocks that do not make the matrix', () => {
    const rows = Float32Array.from({ length: 5 * 3 }, (_, i) => i);
    const blocks = [rows.slice(0, 6), rows.slice(6, 12), rows.slice(12)];
    expect(Array.from(joinRowBlocks(blocks, 5, 3))).toEqual(Array.from(rows));
    expect(joinRowBlocks([rows], 5, 3)).toBe(rows);
    expect(() => joinRowBlocks([rows.slice(0, 7)], 5, 3)).toThrow(/does not fit/);
    expect(() => joinRowBlocks([rows.slice(0, 6)], 5, 3)).toThrow(/2 rows given, 5 expected/);
  });
});
