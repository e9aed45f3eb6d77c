import { describe, expect, it } from 'vitest';
import type { Tile } from '../src/state/libraryStore';
import { NO_FILTERS, type TagState } from '../src/state/rankingStore';
import { computeView, tileFlags } from '../src/state/view';
import { judgePeople } from '../src/scoring/faces/faceJudgement';
import type { TechnicalQuality } from '../src/scoring/technicalQuality';
import { face, photo } from './helpers/faces';

const tile = (id: string, score: number | null, extra: Partial<Tile> = {}): Tile => ({
  id, name: `${id}.jpg`, path: `${id}.jpg`, bytes: 1, status: score === null ? 'queued' : 'scored', score, error: null,
  hasThumb: false, width: null, height: null, decision: 'none', stars: 0, hasFile: true, ...extra,
});
// Embeddings at controlled angles to the tag direction e0, so relevance = cos(angle).
const at = (cos: number) => Float32Array.from([cos, Math.sqrt(1 - cos * cos), 0, 0]);
const tag: TagState = { text: 'cat', status: 'ready', embedding: Float32Array.from([1, 0, 0, 0]), error: null };

const tiles = [tile('a', 5.0), tile('b', 6.0), tile('c', 4.0), tile('d', 7.0), tile('e', null)];
const emb: Record<string, Float32Array> = { a: at(0.9), b: at(0.8), c: at(0.85), d: at(0.1) };
const opts = { sort: 'score' as const, thresholdOverride: null, tieMargin: 0, filters: NO_FILTERS };

describe('computeView', () => {
  it('without a tag, sorts by score and keeps unscored images last', () => {
    const v = computeView(tiles, null, (id) => emb[id], opts);
    expect(v.items.map((i) => i.tile.id)).toEqual(['d', 'b', 'a', 'c', 'e']);
    expect(v.items.every((i) => i.rank === null)).toBe(true);
  });

  it('ranks the images above the threshold by score, and counts the rest', () => {
    const v = computeView(tiles, tag, (id) => emb[id], { ...opts, thresholdOverride: 0.5 });
    expect(v.items.map((i) => [i.tile.id, i.rank])).toEqual([['b', 1], ['a', 2], ['c', 3]]);
    expect(v.items[0].relevance).toBeCloseTo(0.8, 5);
    expect(v.belowThreshold).toBe(1);
    expect(v.unranked).toBe(1);
    expect(v.threshold).toBe(0.5);
  });

  it('lets relevance decide near-ties within the margin', () => {
    const v = computeView(tiles, tag, (id) => emb[id], { ...opts, thresholdOverride: 0.5, tieMargin: 1.5 });
    // b (6.0) and a (5.0) are within 1.5: a is more relevant (0.9 > 0.8) and goes first.
    expect(v.items.map((i) => i.tile.id).slice(0, 2)).toEqual(['a', 'b']);
    expect(v.items[0].tieBroken).toBe(true);
  });

  it('filters after ranking: ranks stay those of the tag', () => {
    const withDecision = tiles.map((t) => (t.id === 'a' ? { ...t, decision: 'reject' as const } : t));
    const v = computeView(withDecision, tag, (id) => emb[id], { ...opts, thresholdOverride: 0.5, filters: { ...NO_FILTERS, decision: 'reject' } });
    expect(v.items.map((i) => [i.tile.id, i.rank])).toEqual([['a', 2]]);
    expect(v.hiddenByFilters).toBe(2);
  });

  it('filters by score range: from inclusive, below exclusive', () => {
    const v = computeView(tiles, null, (id) => emb[id], { ...opts, filters: { ...NO_FILTERS, scoreMin: 5, scoreMax: 7 } });
    expect(v.items.map((i) => i.tile.id).sort()).toEqual(['a', 'b']);
  });

  it('stacks groups by their best member in view, even when a tag leaves a whole group out', () => {
    // Group 0 = {d, e}: d is below the threshold and e unscored, so no member is ranked.
    // Group 1 = {a, c}: both ranked; a (5.0) beats c (4.0).
    const grouping = { groups: [['d', 'e'], ['a', 'c']], groupOf: { d: 0, e: 0, a: 1, c: 1 } };
    const stacked = computeView(tiles, tag, (id) => emb[id], { ...opts, thresholdOverride: 0.5, grouping, stacks: true });
    expect(stacked.items.map((i) => i.tile.id)).toEqual(['b', 'a']);
    expect(stacked.hiddenByStacks).toBe(1);
    expect(stacked.items[1].group).toEqual({ index: 1, size: 2, best: true });
    expect(stacked.groups).toEqual([{ members: ['a', 'c'], best: 'a' }]);
    const open = computeView(tiles, null, (id) => emb[id], { ...opts, grouping, stacks: false });
    expect(open.items.find((i) => i.tile.id === 'd')!.group).toEqual({ index: 0, size: 2, best: true });
  });

  describe('people', () => {
    // Technical figures of a clean photo: no technical flag, so only people flags are in play.
    const clean: TechnicalQuality = { width: 512, height: 384, sharpness: 900, sharpnessPeak: 2000, meanLuma: 0.45, clippedHighlights: 0.01, clippedShadows: 0.01, noise: 2, contrast: 0.2, colorfulness: 40 };
    const openEyes = judgePeople(photo([face({ box: { x: 300, y: 200, width: 300, height: 300 } })]));
    const blink = judgePeople(photo([face({ box: { x: 300, y: 200, width: 300, height: 300 }, openness: { right: 0.05, left: 0.06 } })]));
    const noFace = judgePeople(photo([]));

    it('filters by a people flag: only checked images that have it', () => {
      const ts = [
        tile('open', 6, { quality: clean, people: openEyes }),
        tile('blink', 5, { quality: clean, people: blink }),
        tile('unchecked', 4, { quality: clean }),
        tile('empty', 3, { quality: clean, people: noFace }),
      ];
      const shown = (flag: 'eyes-closed' | 'flagged' | 'clean') => computeView(ts, null, () => undefined, { ...opts, filters: { ...NO_FILTERS, flag } }).items.map((i) => i.tile.id);
      expect(shown('eyes-closed')).toEqual(['blink']);
      expect(shown('flagged')).toEqual(['blink']);
      expect(shown('clean')).toEqual(['open', 'unchecked', 'empty']);
      expect(tileFlags(ts[1])).toEqual(['eyes-closed']);
    });

    it("makes a burst's best the frame whose eyes are open, even when another scores higher", () => {
      const ts = [tile('blink', 8, { people: blink }), tile('open', 6, { people: openEyes }), tile('other', 7)];
      const grouping = { groups: [['blink', 'open']], groupOf: { blink: 0, open: 0 } };
      const v = computeView(ts, null, () => undefined, { ...opts, grouping, stacks: true });
      expect(v.items.map((i) => i.tile.id)).toEqual(['other', 'open']);
      expect(v.groups).toEqual([{ members: ['blink', 'open'], best: 'open' }]);
    });
  });
});
