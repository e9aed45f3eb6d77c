import { describe, expect, it } from 'vitest';
import { selectTarget, targetCount } from '../src/scoring/cullTarget';
import { mulberry32 } from '../src/scoring/mulberry32';

const DIM = 16;

/**
 * Planted data: three scenes, each a direction in embedding space with its photos scattered a little around
 * it. Scene A is a burst of 8 frames that all score high, B has 4 mid-scoring photos, C has 4 low-scoring ones.
 */
function planted() {
  const random = mulberry32(7);
  const scenes = [
    { name: 'A', n: 8, score: 8, group: 0 },
    { name: 'B', n: 4, score: 5, group: -1 },
    { name: 'C', n: 4, score: 3, group: -1 },
  ];
  const rows: number[][] = [];
  const scores: number[] = [];
  const groupOf: number[] = [];
  const scene: string[] = [];
  scenes.forEach((s, k) => {
    for (let j = 0; j < s.n; j++) {
      const v = Array.from({ length: DIM }, (_, d) => (d === k ? 1 : 0) + (random() - 0.5) * 0.2);
      const norm = Math.hypot(...v);
      rows.push(v.map((x) => x / norm));
      scores.push(s.score - j * 0.1);
      groupOf.push(s.group);
      scene.push(s.name);
    }
  });
  return { embeddings: Float32Array.from(rows.flat()), count: rows.length, dim: DIM, scores: Float32Array.from(scores), groupOf: Int32Array.from(groupOf), scene };
}

const pick = (keep: number, variety: number, patch: Partial<ReturnType<typeof planted>> & { groupBest?: Int32Array } = {}) => {
  const data = { ...planted(), ...patch };
  const { kept, round } = selectTarget({ ...data, keep, variety });
  return { ids: Array.from(kept), scenes: Array.from(kept, (i) => data.scene[i]), round: Array.from(round) };
};

describe('selectTarget', () => {
  it('with no groups and no variety, keeps the best N by score', () => {
    const { ids } = pick(5, 0, { groupOf: new Int32Array(16).fill(-1) });
    expect(ids).toEqual([0, 1, 2, 3, 4]);
  });

  it('covers first: a burst gives its best frame, then the photos of no group come before its second frame', () => {
    const { ids, round } = pick(10, 0);
    // A's best (index 0), then B and C by score, then A's other frames.
    expect(ids).toEqual([0, 8, 9, 10, 11, 12, 13, 14, 15, 1]);
    expect(round).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it('takes the group best it is given (★: a blink frame is not it) over the best-scored frame', () => {
    const { ids } = pick(3, 0, { groupBest: Int32Array.from([2]) });
    expect(ids).toEqual([2, 8, 9]);
  });

  it('variety reaches every scene before a second photo of any, even without groups', () => {
    const noGroups = { groupOf: new Int32Array(16).fill(-1) };
    expect(pick(3, 0, noGroups).scenes).toEqual(['A', 'A', 'A']);
    expect(pick(3, 0.7, noGroups).scenes).toEqual(['A', 'B', 'C']);
    // Halfway, a second frame of the best scene (as good, as like) and the worst scene (as bad, as unlike) weigh about even.
    expect(pick(3, 0.5, noGroups).scenes.slice(0, 2)).toEqual(['A', 'B']);
  });

  it('never keeps a photo with no score, and never more than there are', () => {
    const scores = planted().scores.slice();
    scores[0] = Number.NaN;
    const { ids } = pick(100, 0.3, { scores });
    expect(ids).toHaveLength(15);
    expect(ids).not.toContain(0);
  });

  it('reads a target as photos or a percentage of the folder', () => {
    expect(targetCount(200, 10, 'percent')).toBe(20);
    expect(targetCount(7, 10, 'percent')).toBe(1);
    expect(targetCount(7, 50, 'photos')).toBe(7);
    expect(targetCount(0, 10, 'percent')).toBe(0);
  });
});
