import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { getEmbeddings, getImages, mergeImage, openLibraryDb, setDecision } from '../src/library/persistence';
import { flushAnalysisWrites, queueEmbedding, queueImageRecord } from '../src/state/analysisWrites';
import { flushTilePatches, queueTilePatch } from '../src/state/tilePatches';

const record = (key: string, width: number | null, thumbnail: Blob | null = null) => ({
  key, name: `${key}.jpg`, path: `shoot/${key}.jpg`, bytes: 10, width, height: width, thumbnail, error: null,
});

describe('analysis writes', () => {
  it('stores queued records and embeddings when the tile patches that show them are applied', async () => {
    const db = openLibraryDb('writes-1');
    await mergeImage(db, record('a', null));
    await setDecision(db, 'a', { decision: 'pick', stars: 3 });
    queueImageRecord(db, record('a', 640, new Blob(['t'])));
    queueImageRecord(db, record('b', 320));
    queueEmbedding(db, 'clip-tiny', 'a', { embedding: new Float32Array([1, 2]), aesthetic: 5.5 });
    queueTilePatch('a', { status: 'scored', score: 5.5 });
    // Nothing is written per image: the writes wait for the flush.
    expect(await getEmbeddings(db, 'clip-tiny', ['a'])).toEqual([undefined]);
    flushTilePatches();
    await flushAnalysisWrites();
    const [a, b] = await getImages(db, ['a', 'b']);
    expect(a).toMatchObject({ width: 640, decision: 'pick', stars: 3 });
    expect(b).toMatchObject({ width: 320, decision: 'none' });
    const [e] = await getEmbeddings(db, 'clip-tiny', ['a']);
    expect(e?.aesthetic).toBe(5.5);
    expect(Array.from(e!.embedding)).toEqual([1, 2]);
  });

  it('sends writes queued for one database to that database, not the next', async () => {
    const first = openLibraryDb('writes-2');
    const second = openLibraryDb('writes-3');
    queueImageRecord(first, record('x', 1));
    queueImageRecord(second, record('y', 2));
    await flushAnalysisWrites();
    expect((await getImages(first, ['x', 'y'])).map((r) => r?.width)).toEqual([1, undefined]);
    expect((await getImages(second, ['x', 'y'])).map((r) => r?.width)).toEqual([undefined, 2]);
  });
});
