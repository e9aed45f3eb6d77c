import { describe, expect, it } from 'vitest';
import { sortTiles, type Tile } from '../src/state/libraryStore';

const tile = (id: string, score: number | null, status: Tile['status'] = score === null ? 'queued' : 'scored'): Tile => ({
  id, name: id, path: id, bytes: 1, status, score, error: null, hasThumb: false, width: null, height: null,
  decision: 'none', stars: 0, hasFile: true,
});

describe('sortTiles', () => {
  it('puts scored tiles first, best first, then unscored, then failures', () => {
    const tiles = [tile('a', 4.2), tile('b', null), tile('c', 6.1), tile('d', null, 'failed'), tile('e', 5)];
    expect(sortTiles(tiles, 'score').map((t) => t.id)).toEqual(['c', 'e', 'a', 'b', 'd']);
  });
  it('sorts by path when asked', () => {
    expect(sortTiles([tile('b', 1), tile('a', 9)], 'name').map((t) => t.id)).toEqual(['a', 'b']);
  });
});
