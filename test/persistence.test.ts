import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { face, photo } from './helpers/faces';
import {
  getEmbeddings,
  getImages,
  loadSession,
  mergeImage,
  mergeImages,
  setFaces,
  openLibraryDb,
  putEmbedding,
  putEmbeddings,
  saveSession,
  setDecision,
  setDecisions,
  type StoredImage,
} from '../src/library/persistence';

let n = 0;
const freshDb = () => openLibraryDb(`test-${++n}`);

const meta = (key: string): Omit<StoredImage, 'decision' | 'stars'> => ({
  key,
  name: `${key}.jpg`,
  path: `folder/${key}.jpg`,
  bytes: 1234,
  width: 640,
  height: 480,
  thumbnail: null,
  error: null,
});

describe('persistence (IndexedDB)', () => {
  it('keeps decisions when the same file is added again', async () => {
    const db = freshDb();
    await mergeImage(db, meta('a'));
    await setDecision(db, 'a', { decision: 'pick', stars: 4 });
    const again = await mergeImage(db, { ...meta('a'), path: 'moved/a.jpg' });
    expect(again).toMatchObject({ decision: 'pick', stars: 4, path: 'moved/a.jpg' });
    const [stored] = await getImages(db, ['a']);
    expect(stored).toMatchObject({ decision: 'pick', stars: 4 });
  });

  it('keeps a colour label through setDecisions and a re-drop', async () => {
    const db = freshDb();
    await mergeImage(db, meta('a'));
    await setDecisions(db, [{ key: 'a', label: 'yellow' }]);
    await setDecisions(db, [{ key: 'a', decision: 'pick' }]);
    const again = await mergeImage(db, { ...meta('a'), path: 'moved/a.jpg' });
    expect(again).toMatchObject({ decision: 'pick', label: 'yellow' });
    const [stored] = await getImages(db, ['a']);
    expect(stored).toMatchObject({ decision: 'pick', label: 'yellow', path: 'moved/a.jpg' });
  });

  it('stores the people checks beside the decision, and a re-drop keeps both', async () => {
    const db = freshDb();
    await mergeImage(db, meta('a'));
    await setDecision(db, 'a', { decision: 'pick' });
    const faces = photo([face({ box: { x: 10, y: 20, width: 300, height: 300 } })]);
    await setFaces(db, 'a', { faces });
    await mergeImage(db, { ...meta('a'), path: 'again/a.jpg' });
    const [stored] = await getImages(db, ['a']);
    expect(stored).toMatchObject({ decision: 'pick', faces, path: 'again/a.jpg' });
    expect(stored?.facesNote).toBeUndefined();
    await setFaces(db, 'a', { facesNote: 'people not checked: too large' });
    const [noted] = await getImages(db, ['a']);
    expect(noted?.faces).toBeUndefined();
    expect(noted?.facesNote).toBe('people not checked: too large');
    // An image forgotten meanwhile gets no record from a late answer.
    await setFaces(db, 'gone', { faces });
    expect(await getImages(db, ['gone'])).toEqual([undefined]);
  });

  it('refuses a decision for an image it does not know', async () => {
    await expect(setDecision(freshDb(), 'nope', { decision: 'reject' })).rejects.toThrow(/no stored image/);
  });

  it('writes bulk decisions in one transaction', async () => {
    const db = freshDb();
    for (const k of ['a', 'b', 'c']) await mergeImage(db, meta(k));
    await setDecisions(db, [
      { key: 'a', decision: 'reject' },
      { key: 'c', stars: 2 },
      { key: 'missing', decision: 'pick' },
    ]);
    const [a, b, c] = await getImages(db, ['a', 'b', 'c']);
    expect([a?.decision, b?.decision, c?.decision]).toEqual(['reject', 'none', 'none']);
    expect(c?.stars).toBe(2);
  });

  it('stores embeddings per model, so another model never reuses them', async () => {
    const db = freshDb();
    const embedding = Float32Array.from({ length: 512 }, (_, i) => i / 512);
    await putEmbedding(db, 'clip-a', 'k', { embedding, aesthetic: 5.25 });
    const [hit] = await getEmbeddings(db, 'clip-a', ['k']);
    expect(hit?.aesthetic).toBe(5.25);
    expect(Array.from(hit!.embedding)).toEqual(Array.from(embedding));
    expect(await getEmbeddings(db, 'clip-b', ['k'])).toEqual([undefined]);
  });

  it('merges a batch of records in one transaction, in order per image, keeping decisions', async () => {
    const db = freshDb();
    await mergeImage(db, meta('a'));
    await setDecision(db, 'a', { decision: 'reject', stars: 2 });
    const thumb = new Blob(['thumb']);
    // The decode gives 'a' its thumbnail, then the encoder fails on it: the failure must not drop the thumbnail.
    await mergeImages(db, [
      { ...meta('a'), thumbnail: thumb, width: 800 },
      { ...meta('b'), width: 10 },
      { ...meta('a'), thumbnail: null, width: null, error: 'scoring failed: out of memory' },
    ]);
    const [a, b] = await getImages(db, ['a', 'b']);
    expect(a).toMatchObject({ decision: 'reject', stars: 2, width: null, error: 'scoring failed: out of memory' });
    expect(await a!.thumbnail!.text()).toBe('thumb');
    expect(b).toMatchObject({ decision: 'none', stars: 0, width: 10 });
  });

  it('stores a batch of embeddings under their model', async () => {
    const db = freshDb();
    const e = (v: number) => ({ embedding: new Float32Array(4).fill(v), aesthetic: v });
    await putEmbeddings(db, 'clip-a', [['x', e(1)], ['y', e(2)]]);
    const got = await getEmbeddings(db, 'clip-a', ['y', 'x', 'z']);
    expect(got.map((g) => g?.aesthetic)).toEqual([2, 1, undefined]);
    expect(await getEmbeddings(db, 'clip-b', ['x'])).toEqual([undefined]);
  });

  it('restores the session', async () => {
    const db = freshDb();
    expect(await loadSession(db)).toBeUndefined();
    const session = { order: ['a', 'b'], tags: ['portrait'], activeTag: 'portrait', tieMargin: 0.1, thresholds: { portrait: 0.21 } };
    await saveSession(db, session);
    expect(await loadSession(db)).toEqual(session);
  });
});
