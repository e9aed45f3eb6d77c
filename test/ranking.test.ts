import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainRank, rankByTag, type RankInput, type RankResult } from '../src/scoring/rankByTag';
import { mulberry32 as rng } from '../src/scoring/mulberry32';

// Expected orders from scripts/make_ranking_fixtures.py, an independent Python implementation of the rule
// documented in src/scoring/rankByTag.ts (tieBroken there is brute force over all pairs).
interface RankingCase {
  name: string;
  items: { id: string; score: number | null; relevance: number | null }[];
  threshold: number;
  tieMargin: number;
  expected: { ranked: { id: string; tieBroken: boolean; cluster: number | null }[]; excluded: string[] };
}
const cases = JSON.parse(
  readFileSync(new URL('./fixtures/ranking/ranking.json', import.meta.url), 'utf8'),
) as RankingCase[];

const toInputs = (c: RankingCase): RankInput[] =>
  c.items.map((it) => ({ id: it.id, score: it.score, relevance: it.relevance ?? Number.NaN }));

const ids = (r: RankResult): string[] => r.ranked.map((x) => x.id);


function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('rankByTag against the Python reference', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = rankByTag(toInputs(c), { threshold: c.threshold, tieMargin: c.tieMargin });
      expect(r.ranked.map(({ id, tieBroken, cluster }) => ({ id, tieBroken, cluster }))).toEqual(c.expected.ranked);
      expect(r.excluded).toEqual(c.expected.excluded);
      expect(r.ranked.map((x) => x.rank)).toEqual(r.ranked.map((_, i) => i + 1));
    });
  }
});

describe('rankByTag by hand', () => {
  // Scores on a binary grid so "differ by less than the margin" is exact in floating point.
  const items: RankInput[] = [
    { id: 'a', score: 6, relevance: 0.22 },
    { id: 'b', score: 5.875, relevance: 0.31 },
    { id: 'c', score: 5.75, relevance: 0.27 },
    { id: 'd', score: 5.5, relevance: 0.35 },
    { id: 'e', score: null, relevance: 0.3 },
    { id: 'f', score: 7, relevance: 0.12 },
    { id: 'g', score: 5.25, relevance: 0.2 },
    { id: 'h', score: null, relevance: 0.25 },
  ];

  it('tieMargin 0 is pure score order, unscored last by relevance', () => {
    const r = rankByTag(items, { threshold: -Infinity, tieMargin: 0 });
    expect(ids(r)).toEqual(['f', 'a', 'b', 'c', 'd', 'g', 'e', 'h']);
    expect(r.ranked.some((x) => x.tieBroken)).toBe(false);
    expect(r.clusters).toHaveLength(6);
  });

  it('filters by threshold (inclusive) and lists the rest in input order', () => {
    const r = rankByTag(items, { threshold: 0.25, tieMargin: 0 });
    expect(ids(r)).toEqual(['b', 'c', 'd', 'e', 'h']);
    expect(r.excluded).toEqual(['a', 'f', 'g']);
  });

  it('near-ties are ordered by relevance, anchored at the best score', () => {
    // Margin 0.25: {a 6, b 5.875} (c is exactly 0.25 below a: not a near-tie), {c 5.75, d 5.5 is 0.25 below c}…
    const r = rankByTag(items, { threshold: 0.2, tieMargin: 0.25 });
    expect(ids(r)).toEqual(['b', 'a', 'c', 'd', 'g', 'e', 'h']);
    expect(r.ranked.map((x) => x.tieBroken)).toEqual([true, true, false, false, false, false, false]);
    expect(r.clusters.map((c) => [c.first, c.last, c.topScore, c.bottomScore])).toEqual([
      [0, 1, 6, 5.875],
      [2, 2, 5.75, 5.75],
      [3, 3, 5.5, 5.5],
      [4, 4, 5.25, 5.25],
    ]);
  });

  it('a non-transitive chain does not merge into one cluster', () => {
    // 6 ≈ 5.875 ≈ 5.75 ≈ 5.625 pairwise-adjacent within 0.2, but 6 ≉ 5.75.
    const chain: RankInput[] = [6, 5.875, 5.75, 5.625].map((score, i) => ({ id: `x${i}`, score, relevance: 0.2 + i / 100 }));
    const r = rankByTag(chain, { threshold: 0, tieMargin: 0.2 });
    expect(ids(r)).toEqual(['x1', 'x0', 'x3', 'x2']);
    expect(r.ranked.every((x) => x.tieBroken)).toBe(true);
    expect(r.clusters).toHaveLength(2);
  });

  it('tieMargin Infinity is relevance order among the scored', () => {
    const r = rankByTag(items, { threshold: -Infinity, tieMargin: Infinity });
    expect(ids(r)).toEqual(['d', 'b', 'c', 'a', 'g', 'f', 'e', 'h']);
  });

  it('equal scores and relevances fall back to id; exact score ties are not "tie broken"', () => {
    const r = rankByTag(
      [
        { id: 'm', score: 5, relevance: 0.2 },
        { id: 'k', score: 5, relevance: 0.2 },
        { id: 'z', score: 5, relevance: 0.3 },
        { id: 'u2', score: null, relevance: 0.2 },
        { id: 'u1', score: null, relevance: 0.2 },
      ],
      { threshold: 0, tieMargin: 1 },
    );
    expect(ids(r)).toEqual(['z', 'k', 'm', 'u1', 'u2']);
    expect(r.ranked.some((x) => x.tieBroken)).toBe(false);
  });

  it('non-finite scores count as unscored, non-finite relevance as excluded', () => {
    const r = rankByTag(
      [
        { id: 'nan-score', score: Number.NaN, relevance: 0.3 },
        { id: 'inf-score', score: Infinity, relevance: 0.2 },
        { id: 'nan-rel', score: 9, relevance: Number.NaN },
        { id: 'ok', score: 1, relevance: 0.1 },
      ],
      { threshold: -Infinity, tieMargin: 0.5 },
    );
    expect(ids(r)).toEqual(['ok', 'nan-score', 'inf-score']);
    expect(r.ranked[1]).toMatchObject({ score: null, cluster: null, tieBroken: false });
    expect(r.excluded).toEqual(['nan-rel']);
  });

  it('rejects duplicate ids and bad options', () => {
    expect(() => rankByTag([items[0], items[0]], { threshold: 0, tieMargin: 0 })).toThrow(/duplicate/);
    expect(() => rankByTag(items, { threshold: Number.NaN, tieMargin: 0 })).toThrow();
    expect(() => rankByTag(items, { threshold: 0, tieMargin: -0.1 })).toThrow();
    expect(() => rankByTag(items, { threshold: 0, tieMargin: Number.NaN })).toThrow();
    expect(rankByTag([], { threshold: 0, tieMargin: 0 })).toMatchObject({ ranked: [], excluded: [], clusters: [] });
  });

  it('does not depend on input order', () => {
    const rand = rng(1);
    const base = rankByTag(items, { threshold: 0.2, tieMargin: 0.25 });
    for (let k = 0; k < 20; k++) {
      expect(rankByTag(shuffled(items, rand), { threshold: 0.2, tieMargin: 0.25 }).ranked).toEqual(base.ranked);
    }
  });
});

describe('explainRank', () => {
  const items: RankInput[] = [
    { id: 'a', score: 6, relevance: 0.22 },
    { id: 'b', score: 5.875, relevance: 0.31 },
    { id: 'c', score: 5.75, relevance: 0.27 },
    { id: 'u', score: null, relevance: 0.3 },
    { id: 'low', score: 9, relevance: 0.01 },
  ];
  const r = rankByTag(items, { threshold: 0.1, tieMargin: 0.5 });

  it('names the neighbour a tie was broken against', () => {
    expect(ids(r)).toEqual(['b', 'c', 'a', 'u']);
    const b = explainRank(r, 'b');
    expect(b).toMatchObject({ status: 'ranked', rank: 1, tieBroken: true, overtookCount: 1, overtakenByCount: 0 });
    if (b?.status !== 'ranked') throw new Error('expected ranked');
    expect(b.overtook.map((n) => n.id)).toEqual(['a']);
    expect(b.cluster).toEqual({ size: 3, firstRank: 1, lastRank: 3, topScore: 6, bottomScore: 5.75 });
    const a = explainRank(r, 'a');
    if (a?.status !== 'ranked') throw new Error('expected ranked');
    expect(a.overtakenBy.map((n) => n.id)).toEqual(['c', 'b']);
    expect(a.above?.id).toBe('c');
    expect(a.below?.id).toBe('u');
  });

  it('limits the neighbour lists but keeps the counts', () => {
    const a = explainRank(r, 'a', 1);
    if (a?.status !== 'ranked') throw new Error('expected ranked');
    expect(a.overtakenBy.map((n) => n.id)).toEqual(['c']);
    expect(a.overtakenByCount).toBe(2);
  });

  it('explains unscored, excluded and unknown ids', () => {
    expect(explainRank(r, 'u')).toMatchObject({ status: 'unscored', rank: 4, below: null });
    expect(explainRank(r, 'low')).toEqual({ status: 'excluded', id: 'low', threshold: 0.1 });
    expect(explainRank(r, 'nope')).toBeNull();
  });
});

describe('rankByTag properties on random inputs', () => {
  function randomItems(rand: () => number, n: number): RankInput[] {
    const out: RankInput[] = [];
    for (let i = 0; i < n; i++) {
      const coarse = rand() < 0.3; // coarse scores make exact ties common
      const raw = 1 + rand() * 9;
      const score = rand() < 0.1 ? null : coarse ? Math.round(raw * 4) / 4 : raw;
      const relevance = rand() < 0.03 ? Number.NaN : 0.1 + rand() * 0.25;
      out.push({ id: `i${Math.floor(rand() * 1e6)}-${i}`, score, relevance });
    }
    return out;
  }

  it('holds the documented guarantees', () => {
    const rand = rng(42);
    for (let trial = 0; trial < 300; trial++) {
      const items = randomItems(rand, 1 + Math.floor(rand() * 60));
      const tieMargin = [0, 0.05, 0.3, 1, 3][trial % 5];
      const threshold = 0.1 + rand() * 0.15;
      const r = rankByTag(items, { threshold, tieMargin });
      const byId = new Map(items.map((x) => [x.id, x]));

      // A permutation of the participating items, plus the excluded ones: every id exactly once.
      const inside = items.filter((x) => Number.isFinite(x.relevance) && x.relevance >= threshold).map((x) => x.id);
      expect([...ids(r)].sort()).toEqual([...inside].sort());
      expect([...ids(r), ...r.excluded].sort()).toEqual(items.map((x) => x.id).sort());

      const scored = r.ranked.filter((x) => x.score !== null);
      // Scored first, then unscored by relevance.
      expect(r.ranked.slice(0, scored.length)).toEqual(scored);
      const unscored = r.ranked.slice(scored.length);
      for (let i = 1; i < unscored.length; i++) expect(unscored[i - 1].relevance).toBeGreaterThanOrEqual(unscored[i].relevance);

      for (let i = 1; i < scored.length; i++) {
        const [p, q] = [scored[i - 1], scored[i]];
        const [ps, qs] = [p.score as number, q.score as number];
        if (tieMargin === 0) expect(ps).toBeGreaterThanOrEqual(qs);
        // Any adjacent pair out of score order lies within one tie cluster.
        if (ps < qs) expect(p.cluster).toBe(q.cluster);
      }
      for (const c of r.clusters) {
        expect(c.topScore - c.bottomScore).toBeLessThan(tieMargin === 0 ? Number.MIN_VALUE : tieMargin);
        const members = r.ranked.slice(c.first, c.last + 1);
        for (let k = 1; k < members.length; k++) expect(members[k - 1].relevance).toBeGreaterThanOrEqual(members[k].relevance);
      }
      // Nothing ranks above an item whose score is tieMargin or more higher; tieBroken as documented.
      for (let i = 0; i < scored.length; i++) {
        let overrode = false;
        for (let j = 0; j < scored.length; j++) {
          if (i === j) continue;
          const [si, sj] = [scored[i].score as number, scored[j].score as number];
          if (i < j && sj > si) expect(sj - si).toBeLessThan(tieMargin);
          if (scored[i].cluster === scored[j].cluster && ((i < j && sj > si) || (i > j && sj < si))) overrode = true;
        }
        expect(scored[i].tieBroken).toBe(overrode);
        expect(byId.get(scored[i].id)?.score).toBe(scored[i].score);
      }
      // Same result from a shuffled input.
      expect(rankByTag(shuffled(items, rand), { threshold, tieMargin }).ranked).toEqual(r.ranked);
    }
  });
});
