import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { getImages, mergeImage } from '../src/library/persistence';
import { decide, decideMany, undo } from '../src/state/decisions';
import { db } from '../src/state/libraryDb';
import { useLibrary, type Tile } from '../src/state/libraryStore';

// Asking the browser to keep the data needs navigator.storage, which Node lacks.
vi.mock('../src/state/storage', () => ({ askToKeepData: async () => undefined }));

const tile = (id: string): Tile => ({
  id, name: `${id}.jpg`, path: `${id}.jpg`, bytes: 1, status: 'scored', score: 1, error: null,
  hasThumb: false, width: null, height: null, decision: 'none', stars: 0, hasFile: true,
});

describe('decisions', () => {
  it('decideMany stores picks and rejects together and one undo takes them all back', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) await mergeImage(db, { key: id, name: `${id}.jpg`, path: `${id}.jpg`, bytes: 1, width: null, height: null, thumbnail: null, error: null });
    useLibrary.getState().upsertTiles(ids.map(tile));
    await decide(['d'], { stars: 2 });
    expect(await decideMany([{ ids: ['a'], patch: { decision: 'pick' } }, { ids: ['b', 'c'], patch: { decision: 'reject' } }])).toBe(true);
    const shown = () => ids.map((id) => useLibrary.getState().tiles[id].decision);
    expect(shown()).toEqual(['pick', 'reject', 'reject', 'none']);
    expect((await getImages(db, ids)).map((r) => r?.decision)).toEqual(['pick', 'reject', 'reject', 'none']);
    expect(await undo()).toBe(3);
    expect(shown()).toEqual(['none', 'none', 'none', 'none']);
    expect((await getImages(db, ids)).map((r) => r?.decision)).toEqual(['none', 'none', 'none', 'none']);
    // The stars set before stay: the undo was of the one change only.
    expect(useLibrary.getState().tiles.d.stars).toBe(2);
    // An image named in two patches gets both (the later wins where they overlap).
    await decideMany([{ ids: ['a'], patch: { decision: 'reject', stars: 1 } }, { ids: ['a'], patch: { decision: 'pick' } }]);
    expect(useLibrary.getState().tiles.a).toMatchObject({ decision: 'pick', stars: 1 });
  });
});
