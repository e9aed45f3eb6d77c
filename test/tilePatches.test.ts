import { describe, expect, it } from 'vitest';
import { useLibrary, type Tile } from '../src/state/libraryStore';
import { flushInterval, flushTilePatches, queueNewTile, queueTilePatch, tileById } from '../src/state/tilePatches';

const tile = (id: string): Tile => ({
  id, name: id, path: id, bytes: 1, status: 'queued', score: null, error: null, hasThumb: false, width: null, height: null,
  decision: 'none', stars: 0, hasFile: true,
});

describe('tile patches', () => {
  it('gathers new tiles and patches, and applies them in one store update', async () => {
    let updates = 0;
    const unsubscribe = useLibrary.subscribe(() => updates++);
    queueNewTile(tile('a'));
    queueNewTile(tile('b'));
    expect(tileById('a')?.id).toBe('a'); // visible to duplicate checks before the flush
    queueTilePatch('a', { status: 'scored', score: 5 }, true);
    queueTilePatch('a', { width: 10 });
    expect(useLibrary.getState().order).toEqual([]);
    flushTilePatches();
    const s = useLibrary.getState();
    expect(s.order).toEqual(['a', 'b']);
    expect(s.tiles.a).toMatchObject({ status: 'scored', score: 5, width: 10 });
    expect(s.embeddingsVersion).toBe(1);
    expect(updates).toBe(3); // tiles, patches, embeddings version
    unsubscribe();
  });

  it('flushes by itself shortly after', async () => {
    queueTilePatch('b', { status: 'failed', error: 'bad' });
    await new Promise((r) => setTimeout(r, 150));
    expect(useLibrary.getState().tiles.b).toMatchObject({ status: 'failed', error: 'bad' });
  });

  it('flushes less often as the library grows, from 100 ms to once a second', () => {
    expect(flushInterval(0)).toBe(100);
    expect(flushInterval(2000)).toBe(100);
    expect(flushInterval(5000)).toBe(250);
    expect(flushInterval(20_000)).toBe(1000);
    expect(flushInterval(100_000)).toBe(1000);
  });
});

