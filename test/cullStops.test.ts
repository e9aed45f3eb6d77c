import { describe, expect, it } from 'vitest';
import { cullStops, nextOpenStop, stopIndexOf } from '../src/state/cullStops';
import type { Tile } from '../src/state/libraryStore';
import type { View } from '../src/state/view';

const tile = (id: string, decision: Tile['decision'] = 'none', status: Tile['status'] = 'scored'): Tile => ({
  id, name: `${id}.jpg`, path: `${id}.jpg`, bytes: 1, status, score: 1, error: null,
  hasThumb: false, width: null, height: null, decision, stars: 0, hasFile: true,
});

const viewOf = (ids: string[], groups: { members: string[]; best: string }[]): View =>
  ({ items: ids.map((id) => ({ tile: tile(id, 'none', id === 'bad' ? 'failed' : 'scored') })), groups }) as unknown as View;

describe('cullStops', () => {
  const view = viewOf(['s1', 'b1', 'g1', 'b2', 'bad', 's2', 'g2'], [
    { members: ['g1', 'g2'], best: 'g2' },
    { members: ['b1', 'b2', 'b3'], best: 'b2' }, // b3 is folded into a stack: not in the items, still a frame
  ]);
  const stops = cullStops(view);

  it('puts the groups first, in the view order, each with its best first (so → from it reaches another frame), then each photo of no group (failed ones left out)', () => {
    expect(stops.map((s) => [s.kind, s.best, s.members])).toEqual([
      ['group', 'b2', ['b2', 'b1', 'b3']],
      ['group', 'g2', ['g2', 'g1']],
      ['single', 's1', ['s1']],
      ['single', 's2', ['s2']],
    ]);
    expect(stopIndexOf(stops, 'b3')).toBe(0);
    expect(stopIndexOf(stops, 's2')).toBe(3);
    expect(stopIndexOf(stops, null)).toBe(-1);
  });

  it('skips the stops where every photo is decided', () => {
    const tiles = Object.fromEntries(['s1', 'b1', 'b2', 'b3', 'g1', 'g2', 's2'].map((id) => [id, tile(id)]));
    tiles.g1 = tile('g1', 'pick');
    tiles.g2 = tile('g2', 'reject');
    tiles.s1 = tile('s1', 'pick');
    expect(nextOpenStop(stops, tiles, -1)).toBe(0);
    expect(nextOpenStop(stops, tiles, 0)).toBe(3);
    expect(nextOpenStop(stops, tiles, 3)).toBe(-1);
  });
});
