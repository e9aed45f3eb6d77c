import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { getImages, mergeImage, openLibraryDb, setCompanion, setDecision } from '../src/library/persistence';
import type { PickedFile } from '../src/library/collectFiles';
import { toCsv } from '../src/library/export/csv';
import { toJsonDocument } from '../src/library/export/json';
import { sidecarFiles, sidecarPaths } from '../src/library/export/sidecars';
import type { ExportContext, ExportImage } from '../src/library/export/types';
import { fileKind } from '../src/library/rawExtensions';
import { pairKey, pairRawJpeg } from '../src/library/rawJpegPairs';
import { pickedFiles } from '../src/state/pickedFiles';
import type { Tile } from '../src/state/libraryStore';

// Node's File is enough: pairing reads names and paths, never bytes.
const f = (path: string, bytes = 1): PickedFile => ({ path, file: new File([new Uint8Array(bytes)], path.split('/').pop()!) });
const paths = (photos: ReturnType<typeof pairRawJpeg>['photos']) => photos.map((p) => [p.primary.path, p.companion?.path ?? null]);

describe('fileKind', () => {
  it('knows the RAW extensions in any case, and the JPEG and HEIC partners', () => {
    for (const ext of ['cr2', 'CR3', 'crw', 'NEF', 'nrw', 'ARW', 'dng', 'RAF', 'orf', 'RW2', 'pef', 'srw', 'MRW', 'iiq']) expect(fileKind(`a/IMG.${ext}`)).toBe('raw');
    expect([fileKind('IMG.JPG'), fileKind('IMG.jpeg'), fileKind('IMG.HEIC'), fileKind('IMG.heif')]).toEqual(['jpeg', 'jpeg', 'heic', 'heic']);
    expect([fileKind('IMG.png'), fileKind('cr2'), fileKind('.cr2'), fileKind('raw.cr2/IMG')]).toEqual(['other', 'other', 'other', 'other']);
  });
});

describe('pairRawJpeg', () => {
  it('pairs a RAW with the JPEG of the same folder and base name, whatever the case, in the drop order', () => {
    const { photos, late } = pairRawJpeg([f('trip/IMG_0001.CR2'), f('trip/a.png'), f('trip/img_0001.jpg'), f('trip/IMG_0002.JPG')]);
    expect(paths(photos)).toEqual([
      ['trip/a.png', null],
      ['trip/img_0001.jpg', 'trip/IMG_0001.CR2'],
      ['trip/IMG_0002.JPG', null],
    ]);
    expect(late).toEqual([]);
  });

  it('pairs only within a folder: same names in two folders are two photos each', () => {
    const { photos } = pairRawJpeg([f('a/IMG_1.JPG'), f('b/IMG_1.JPG'), f('b/IMG_1.NEF'), f('c/IMG_1.NEF')]);
    expect(paths(photos)).toEqual([
      ['a/IMG_1.JPG', null],
      ['b/IMG_1.JPG', 'b/IMG_1.NEF'],
      ['c/IMG_1.NEF', null],
    ]);
  });

  it('leaves lone RAWs and lone JPEGs as photos of their own', () => {
    expect(paths(pairRawJpeg([f('x.dng'), f('y.jpg'), f('z.raf')]).photos)).toEqual([
      ['x.dng', null],
      ['y.jpg', null],
      ['z.raf', null],
    ]);
  });

  it('prefers a JPEG to a HEIC as the partner, and keeps a second RAW or JPEG of the same name as its own photo', () => {
    const { photos } = pairRawJpeg([f('d/IMG.HEIC'), f('d/IMG.CR3'), f('d/IMG.DNG'), f('d/IMG.JPG'), f('d/IMG.jpeg')]);
    expect(paths(photos)).toEqual([
      ['d/IMG.HEIC', null],
      ['d/IMG.DNG', null],
      ['d/IMG.JPG', 'd/IMG.CR3'],
      ['d/IMG.jpeg', null],
    ]);
    expect(paths(pairRawJpeg([f('IMG.HEIC'), f('IMG.ARW')]).photos)).toEqual([['IMG.HEIC', 'IMG.ARW']]);
  });

  it('does not pair a file with a dotted folder, or hidden files, by mistake', () => {
    expect(pairKey('my.trip/IMG')).toBe('my.trip/img');
    expect(paths(pairRawJpeg([f('IMG.d/x.jpg'), f('IMG.d/y.cr2')]).photos)).toEqual([
      ['IMG.d/x.jpg', null],
      ['IMG.d/y.cr2', null],
    ]);
  });

  it('joins a RAW arriving in a later drop to the photo of its JPEG instead of making a photo of it', () => {
    const existing = [
      { id: 'h1', path: 'trip/IMG_0001.JPG' },
      { id: 'h2', path: 'other/IMG_0002.JPG' },
      { id: 'h3', path: 'trip/IMG_0003.JPG', companionPath: 'trip/IMG_0003.CR2' },
      { id: 'h4', path: 'trip/IMG_0004.png' },
    ];
    const { photos, late } = pairRawJpeg([f('trip/img_0001.cr2'), f('trip/IMG_0002.CR2'), f('trip/IMG_0003.DNG'), f('trip/IMG_0003.CR2'), f('trip/IMG_0004.CR2')], existing);
    expect(late.map((l) => [l.id, l.companion.path])).toEqual([
      ['h1', 'trip/img_0001.cr2'],
      ['h3', 'trip/IMG_0003.CR2'],
    ]);
    // Another folder's JPEG, a photo that already has another RAW, and a PNG are no partners.
    expect(paths(photos)).toEqual([
      ['trip/IMG_0002.CR2', null],
      ['trip/IMG_0003.DNG', null],
      ['trip/IMG_0004.CR2', null],
    ]);
  });

  it('pairs within the drop first: a re-dropped folder makes the same one photo again', () => {
    const { photos, late } = pairRawJpeg([f('t/IMG_1.JPG'), f('t/IMG_1.CR2')], [{ id: 'h', path: 't/IMG_1.JPG', companionPath: 't/IMG_1.CR2' }]);
    expect(paths(photos)).toEqual([['t/IMG_1.JPG', 't/IMG_1.CR2']]);
    expect(late).toEqual([]);
  });
});

const ctx: ExportContext = { appVersion: '0.1.0', modelId: 'm', createdAt: new Date('2024-05-06T07:08:09Z'), tags: [] };
const image = (over: Partial<ExportImage> & Pick<ExportImage, 'path'>): ExportImage => ({
  name: over.path.split('/').pop()!,
  raw: null,
  contentHash: 'cd'.repeat(32),
  width: 10,
  height: 10,
  aesthetic: 5,
  decision: 'pick',
  stars: 4,
  flags: [],
  faces: null,
  peopleScore: null,
  tags: [],
  error: null,
  ...over,
});
const pair = image({ path: 'trip/IMG_0001.JPG', raw: { path: 'trip/IMG_0001.CR2', name: 'IMG_0001.CR2', bytes: 25_000_000 } });
const plain = image({ path: 'trip/IMG_0002.JPG', decision: 'reject' });
const loneRaw = image({ path: 'trip/IMG_0003.NEF' });

describe('exports of a RAW+JPEG pair', () => {
  it('lists the RAW beside the JPEG in one CSV row (raw_path), empty for a photo of one file', () => {
    const rows = toCsv([pair, plain], ctx, { bom: false }).trim().split('\r\n').map((r) => r.split(','));
    const col = rows[0].indexOf('raw_path');
    expect(rows[0].slice(0, 3)).toEqual(['path', 'name', 'raw_path']);
    expect([rows[1][0], rows[1][col]]).toEqual(['trip/IMG_0001.JPG', 'trip/IMG_0001.CR2']);
    expect([rows[2][0], rows[2][col]]).toEqual(['trip/IMG_0002.JPG', '']);
  });

  it('lists the RAW as `raw` in JSON, null for a photo of one file', () => {
    const doc = toJsonDocument([pair, plain, { ...plain, raw: undefined }], ctx);
    expect(doc.images.map((i) => i.raw)).toEqual([{ path: 'trip/IMG_0001.CR2', name: 'IMG_0001.CR2', bytes: 25_000_000 }, null, null]);
  });
});

describe('sidecars for RAW files', () => {
  it("names a pair's and a lone RAW's sidecar as Lightroom reads it by default, and a plain JPEG's as before", () => {
    expect(sidecarPaths(pair)).toEqual(['trip/IMG_0001.xmp']);
    expect(sidecarPaths(loneRaw)).toEqual(['trip/IMG_0003.xmp']);
    expect(sidecarPaths(plain)).toEqual(['trip/IMG_0002.JPG.xmp']);
  });

  it('writes one sidecar per file of a pair for darktable and digiKam', () => {
    expect(sidecarPaths(pair, { rawNaming: 'append' })).toEqual(['trip/IMG_0001.CR2.xmp', 'trip/IMG_0001.JPG.xmp']);
    expect(sidecarPaths(loneRaw, { rawNaming: 'append' })).toEqual(['trip/IMG_0003.NEF.xmp']);
    expect(sidecarPaths(plain, { rawNaming: 'append', naming: 'replace' })).toEqual(['trip/IMG_0002.xmp']);
  });

  it('zips the same cull into every sidecar of a pair, and reports a clash with another photo', () => {
    const decoder = new TextDecoder();
    const { files, clashes } = sidecarFiles([pair, plain], ctx, { rawNaming: 'append' });
    expect(files.map((x) => x.path)).toEqual(['trip/IMG_0001.CR2.xmp', 'trip/IMG_0001.JPG.xmp', 'trip/IMG_0002.JPG.xmp']);
    expect(decoder.decode(files[0].data)).toBe(decoder.decode(files[1].data));
    expect(decoder.decode(files[0].data)).toContain('<xmp:Rating>4</xmp:Rating>');
    const png = image({ path: 'trip/IMG_0001.png' });
    expect(sidecarFiles([pair, png], ctx, { naming: 'replace' }).clashes).toEqual([{ path: 'trip/IMG_0001.png', sidecar: 'trip/IMG_0001.xmp', keptFor: 'trip/IMG_0001.JPG' }]);
    expect(clashes).toEqual([]);
  });
});

describe('pickedFiles', () => {
  const tile = (over: Partial<Tile> & Pick<Tile, 'id' | 'path'>): Tile => ({
    name: over.path.split('/').pop()!,
    bytes: 1,
    status: 'scored',
    score: 5,
    error: null,
    hasThumb: false,
    width: null,
    height: null,
    decision: 'pick',
    stars: 0,
    hasFile: true,
    ...over,
  });

  it('copies both files of a picked pair, and says which files are not here', () => {
    const tiles = [
      tile({ id: 'a', path: 't/IMG_1.JPG', companion: { path: 't/IMG_1.CR2', name: 'IMG_1.CR2', bytes: 9 } }),
      tile({ id: 'b', path: 't/IMG_2.JPG', decision: 'reject', companion: { path: 't/IMG_2.CR2', name: 'IMG_2.CR2', bytes: 9 } }),
      tile({ id: 'c', path: 't/IMG_3.JPG', companion: { path: 't/IMG_3.CR2', name: 'IMG_3.CR2', bytes: 9 } }),
    ];
    const blob = new Blob(['x']);
    const { files, missing } = pickedFiles(tiles, () => blob, (id) => (id === 'a' ? blob : undefined));
    expect(files.map((x) => [x.path, x.name])).toEqual([
      ['t/IMG_1.JPG', 'IMG_1.JPG'],
      ['t/IMG_1.CR2', 'IMG_1.CR2'],
      ['t/IMG_3.JPG', 'IMG_3.JPG'],
    ]);
    expect(missing).toEqual(['t/IMG_3.CR2']);
  });
});

describe('the RAW in the stored record', () => {
  const jpeg = { key: 'h', name: 'IMG_1.JPG', path: 't/IMG_1.JPG', bytes: 5, width: null, height: null, thumbnail: null, error: null };
  const raw = { path: 't/IMG_1.CR2', name: 'IMG_1.CR2', bytes: 9 };

  it('survives analysis results, decisions and a re-drop, and a drop without it can clear it', async () => {
    const db = openLibraryDb('raw-pairs-test');
    await mergeImage(db, { ...jpeg, companion: raw });
    await setDecision(db, 'h', { decision: 'pick', stars: 3 });
    // What analyse.ts merges knows nothing of the RAW.
    await mergeImage(db, { ...jpeg, width: 10, height: 10 });
    expect((await getImages(db, ['h']))[0]).toMatchObject({ companion: raw, decision: 'pick', stars: 3, width: 10 });
    await mergeImage(db, { ...jpeg, companion: null });
    expect((await getImages(db, ['h']))[0]?.companion).toBeNull();
    await setCompanion(db, 'h', raw);
    expect((await getImages(db, ['h']))[0]).toMatchObject({ companion: raw, decision: 'pick' });
    // A record forgotten meanwhile gets none from a late RAW.
    await setCompanion(db, 'gone', raw);
    expect(await getImages(db, ['gone'])).toEqual([undefined]);
  });
});
