/**
 * The RAW parser on broken, hostile and huge input: it never hangs, never reads much, and says why in
 * words that name the format.
 */
import { mkdtempSync, openAsBlob, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRawPreview, type RawFormat, type RawPreviewResult } from '../src/library/raw';
import { previewJpegs } from './helpers/previewJpegs';
import { writeRawContainer } from './helpers/rawContainers';
import { Layout, T, rel, writeIfd, type Field } from './helpers/tiffLayout';

/** A Blob whose reads are counted (the parser must only use slice().arrayBuffer()). */
function counted(blob: Blob): { blob: Blob; stats: { bytes: number; reads: number } } {
  const stats = { bytes: 0, reads: 0 };
  const wrap = (b: Blob): Blob =>
    ({
      size: b.size,
      type: b.type,
      slice: (start?: number, end?: number) => wrap(b.slice(start, end)),
      arrayBuffer: async () => {
        const ab = await b.arrayBuffer();
        stats.bytes += ab.byteLength;
        stats.reads++;
        return ab;
      },
    }) as unknown as Blob;
  return { blob: wrap(blob), stats };
}

const reasonOf = (r: RawPreviewResult) => (r.ok ? 'ok' : r.reason);

/** Reasons are for people who never heard of TIFF: they name the RAW format instead. */
function expectReason(r: RawPreviewResult, format: RawFormat, text: string | RegExp) {
  expect(r.ok).toBe(false);
  const reason = reasonOf(r);
  expect(reason.startsWith(`${format}: `), reason).toBe(true);
  expect(reason).not.toMatch(/tiff/i);
  expect(reason).toMatch(typeof text === 'string' ? new RegExp(`^${format}: ${text.replace(/[().×?]/g, '\\$&')}$`) : text);
}

/** A small TIFF-based file built by hand: `fields(L)` gives IFD0; `extra(L)` writes what it points to. */
function handMade(fields: (L: Layout) => Field[], extra: (L: Layout) => void, opts: { next?: (L: Layout) => () => number } = {}): Blob {
  const L = new Layout(true);
  L.ascii('II').u16(42).u32(8);
  writeIfd(L, fields(L), { label: 'ifd0', next: opts.next?.(L) });
  extra(L);
  return new Blob([L.flat() as Uint8Array<ArrayBuffer>]);
}

const jpegPair = (L: Layout, label: string): Field[] => [
  { tag: 0x201, type: T.LONG, value: rel(L.start(label)) },
  { tag: 0x202, type: T.LONG, value: L.length(label) },
];

describe('broken and hostile RAW files', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loupe-raw-bad-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty file', async () => {
    expectReason(await readRawPreview(new Blob([]), 'CR3'), 'CR3', 'empty file');
    expectReason(await readRawPreview(new Blob([]), 'NEF'), 'NEF', 'empty file');
  });

  it('a file cut inside its preview', async () => {
    const g = await writeRawContainer(dir, 'ARW', {}, 'cut');
    const whole = await readRawPreview(await openAsBlob(g.path), 'ARW');
    if (!whole.ok) throw new Error(whole.reason);
    truncateSync(g.path, whole.preview.offset + 1000);
    expectReason(await readRawPreview(await openAsBlob(g.path), 'ARW'), 'ARW', 'the preview runs past the end of the file (truncated?)');
  });

  it("a file cut before its preview: the header's offset points past the end", async () => {
    const g = await writeRawContainer(dir, 'RAF', { previewAfterRaw: true }, 'short');
    const whole = await readRawPreview(await openAsBlob(g.path), 'RAF');
    if (!whole.ok) throw new Error(whole.reason);
    truncateSync(g.path, whole.preview.offset - 10);
    expectReason(await readRawPreview(await openAsBlob(g.path), 'RAF'), 'RAF', "the preview's offset points past the end of the file (truncated?)");
  });

  it('a file cut inside its metadata', async () => {
    const g = await writeRawContainer(dir, 'NEF', {}, 'stub');
    truncateSync(g.path, 100);
    const result = await readRawPreview(await openAsBlob(g.path), 'NEF');
    expectReason(result, 'NEF', /^NEF: (no embedded JPEG preview found|the file's start does not match the NEF format .*)$/);
  });

  it('another format under a RAW name', async () => {
    const jpeg = new Blob([(await previewJpegs()).thumb as Uint8Array<ArrayBuffer>]);
    expectReason(await readRawPreview(jpeg, 'NEF'), 'NEF', /^NEF: the file's start does not match the NEF format \(damaged, or another kind of file with a RAW name\)$/);
    expectReason(await readRawPreview(jpeg, 'CR3'), 'CR3', /^CR3: the file's start does not match the CR3 format \(damaged, or another kind of file with a RAW name\)$/);
    expectReason(await readRawPreview(jpeg, 'RAF'), 'RAF', /^RAF: the file's start does not match the RAF format \(damaged, or another kind of file with a RAW name\)$/);
  });

  it('IFD offset cycles (next-IFD and SubIFD pointers back to IFD0) end, and the preview is still found', async () => {
    const { big } = await previewJpegs();
    const cyclic = (withPreview: boolean) =>
      handMade(
        (L) => [
          { tag: 0x103, type: T.SHORT, value: [6] },
          { tag: 0x14a, type: T.LONG, value: [L.start('ifd0'), L.start('ifd1')] },
          ...(withPreview ? jpegPair(L, 'big') : []),
        ],
        (L) => {
          writeIfd(L, [{ tag: 0x14a, type: T.LONG, value: [L.start('ifd0')] }], { label: 'ifd1', next: L.start('ifd0') });
          if (withPreview) L.blob('big', big);
        },
        { next: (L) => L.start('ifd1') },
      );
    const ok = await readRawPreview(cyclic(true), 'NEF');
    expect(ok.ok && [ok.preview.width, ok.preview.height]).toEqual([1620, 1080]);
    expectReason(await readRawPreview(cyclic(false), 'NEF'), 'NEF', 'no embedded JPEG preview found');
  });

  it('absurd counts and pointers: 65535 entries, SubIFDs everywhere, a maker note pointing into itself', async () => {
    const L = new Layout(true);
    L.ascii('II').u16(42).u32(8).u16(0xffff).zeros(64); // an IFD0 claiming 65535 entries
    expectReason(await readRawPreview(new Blob([L.flat() as Uint8Array<ArrayBuffer>]), 'ARW'), 'ARW', /^ARW: the file's start does not match the ARW format/);

    // SubIFD pointers to 200 distinct IFDs, each pointing onwards: the IFD limit stops the walk.
    const chain = handMade(
      (L) => [{ tag: 0x14a, type: T.LONG, value: Array.from({ length: 200 }, (_, i) => L.start(`s${i}`)) }],
      (L) => {
        for (let i = 0; i < 200; i++) writeIfd(L, [{ tag: 0x14a, type: T.LONG, value: [L.start(`s${(i + 1) % 200}`)] }], { label: `s${i}` });
      },
    );
    const { blob, stats } = counted(chain);
    const started = performance.now();
    expectReason(await readRawPreview(blob, 'DNG'), 'DNG', 'no embedded JPEG preview found');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(stats.bytes).toBeLessThan(1024 * 1024);

    // A Nikon maker note whose PreviewIFD pointer leads back to its own IFD.
    const note = handMade(
      (L) => [{ tag: 0x10f, type: T.ASCII, value: 'NIKON CORPORATION' }, { tag: 0x8769, type: T.LONG, value: rel(L.start('exif')) }],
      (L) => {
        writeIfd(L, [{ tag: 0x927c, type: T.UNDEFINED, value: { span: 'mn' } }], { label: 'exif' });
        L.align(2).mark('mn').ascii('Nikon\0').u8(2).u8(0x10).u16(0);
        const inner = L.pos;
        L.ascii('II').u16(42).u32(8);
        writeIfd(L, [{ tag: 0x11, type: T.IFD, value: [8] }], { base: inner, label: 'mnifd' });
        L.zeros(32).markEnd('mn');
      },
    );
    expectReason(await readRawPreview(note, 'NEF'), 'NEF', 'no embedded JPEG preview found');
  });

  it('a JPEG with an endless run of markers, and CR3 boxes of size 0 or nested without end', async () => {
    const app = Uint8Array.from([0xff, 0xe2, 0x00, 0x04, 0, 0]);
    const markers = new Uint8Array(2 + app.length * 20000);
    markers.set([0xff, 0xd8]);
    for (let i = 0; i < 20000; i++) markers.set(app, 2 + i * app.length);
    const endless = handMade((L) => [{ tag: 0x103, type: T.SHORT, value: [6] }, ...jpegPair(L, 'j')], (L) => L.blob('j', markers));
    expectReason(await readRawPreview(endless, 'PEF'), 'PEF', 'no embedded JPEG preview found');

    const box = (type: string, body: Uint8Array, size = 8 + body.length) => {
      const out = new Uint8Array(8 + body.length);
      new DataView(out.buffer).setUint32(0, size);
      out.set(Uint8Array.from(type, (c) => c.charCodeAt(0)), 4);
      out.set(body, 8);
      return out;
    };
    const ftyp = box('ftyp', Uint8Array.from('crx \0\0\0\x01crx isom', (c) => c.charCodeAt(0)));
    let nested = box('moov', new Uint8Array(0));
    for (let i = 0; i < 2000; i++) nested = box('moov', nested);
    for (const body of [box('moov', new Uint8Array(16), 0), nested, box('mdat', new Uint8Array(8), 4)]) {
      const file = new Blob([ftyp as Uint8Array<ArrayBuffer>, body as Uint8Array<ArrayBuffer>]);
      expectReason(await readRawPreview(file, 'CR3'), 'CR3', 'no embedded JPEG preview found');
    }
  });

  it('a 200 MB RAW with its preview near the end: found in a few reads', async () => {
    const g = await writeRawContainer(dir, 'NEF', { rawBytes: 200 * 1024 * 1024, previewAfterRaw: true }, 'huge');
    expect(g.size).toBeGreaterThan(200 * 1024 * 1024);
    const { blob, stats } = counted(await openAsBlob(g.path));
    const result = await readRawPreview(blob, 'NEF');
    if (!result.ok) throw new Error(result.reason);
    expect(result.preview.offset).toBeGreaterThan(200 * 1024 * 1024);
    expect([result.preview.width, result.preview.height]).toEqual([1620, 1080]);
    expect(result.capture?.capturedAt).not.toBeNull();
    expect(stats.bytes).toBeLessThan(2 * 1024 * 1024);
    expect(stats.reads).toBeLessThan(20);
    rmSync(g.path);
  });
});

describe('which JPEG is chosen', () => {
  /** An ARW-like file holding the given JPEGs as 0x201/0x202 pairs in IFD0, IFD1, IFD2. */
  function withJpegs(jpegs: Uint8Array[]): Blob {
    const L = new Layout(true);
    L.ascii('II').u16(42).u32(8);
    jpegs.forEach((_, i) => writeIfd(L, jpegPair(L, `j${i}`), { label: `ifd${i}`, next: i + 1 < jpegs.length ? L.start(`ifd${i + 1}`) : undefined }));
    jpegs.forEach((j, i) => L.align(2).blob(`j${i}`, j));
    return new Blob([L.flat() as Uint8Array<ArrayBuffer>]);
  }
  const noisy = (w: number, h: number, quality: number, progressive = false) =>
    sharp(Buffer.from(Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7919) % 251)), { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality, progressive })
      .toBuffer()
      .then((b) => new Uint8Array(b));

  it('the largest by pixel area, not by bytes; progressive JPEGs count', async () => {
    const heavySmall = await noisy(400, 300, 100);
    const lightLarge = await noisy(800, 600, 10, true);
    expect(heavySmall.length).toBeGreaterThan(lightLarge.length);
    const result = await readRawPreview(withJpegs([heavySmall, lightLarge]), 'ARW');
    expect(result.ok && [result.preview.width, result.preview.height]).toEqual([800, 600]);
  });

  it('lossless JPEG (SOF3) raw data is never a preview, however large', async () => {
    const sof3 = Uint8Array.from([0xff, 0xd8, 0xff, 0xc3, 0, 14, 14, 0x0f, 0xa0, 0x17, 0x70, 2, 1, 0x11, 0, 2, 0x11, 0, 0xff, 0xd9]);
    expectReason(await readRawPreview(withJpegs([sof3]), 'DNG'), 'DNG', 'no embedded JPEG preview found (only lossless-JPEG raw data, which browsers cannot decode)');
    const small = await noisy(320, 240, 80);
    const result = await readRawPreview(withJpegs([sof3, small]), 'DNG');
    expect(result.ok && [result.preview.width, result.preview.height]).toEqual([320, 240]);
  });

  it('maxPixels: the largest within the bound, else the smallest large-enough one above it', async () => {
    const file = withJpegs([await noisy(160, 120, 80), await noisy(1200, 800, 60), await noisy(640, 424, 70)]);
    const size = async (maxPixels?: number) => {
      const r = await readRawPreview(file, 'CR2', { maxPixels });
      return r.ok ? [r.preview.width, r.preview.height] : r.reason;
    };
    expect(await size()).toEqual([1200, 800]);
    expect(await size(500_000)).toEqual([640, 424]);
    expect(await size(1000)).toEqual([640, 424]); // the 160×120 thumbnail is below minShortSide
  });

  it("RW2: newer models' JpgFromRaw2 (0x127) is read like JpgFromRaw (0x2E)", async () => {
    const L = new Layout(true);
    L.ascii('IIU\0').u32(0x18).zeros(16);
    writeIfd(L, [
      { tag: 0x2e, type: T.UNDEFINED, value: { span: 'small' } },
      { tag: 0x127, type: T.UNDEFINED, value: { span: 'large' } },
    ]);
    L.blob('small', await noisy(640, 424, 70)).align(2).blob('large', await noisy(1200, 800, 60));
    const result = await readRawPreview(new Blob([L.flat() as Uint8Array<ArrayBuffer>]), 'RW2');
    expect(result.ok && [result.preview.width, result.preview.height]).toEqual([1200, 800]);
  });

  it('too small a preview is refused with its size; minShortSide moves the bar', async () => {
    const thumb = await noisy(160, 120, 80);
    expectReason(await readRawPreview(withJpegs([thumb]), 'NEF'), 'NEF', 'no embedded preview large enough (largest 160×120; needs 224 px on the short side)');
    const result = await readRawPreview(withJpegs([thumb]), 'NEF', { minShortSide: 100 });
    expect(result.ok && result.preview).toMatchObject({ format: 'NEF', width: 160, height: 120, orientation: 1 });
  });
});
