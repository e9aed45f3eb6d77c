/**
 * The CLI's BMP and ICO decoders (cli/lib/decodeBmp.ts, decodeIco.ts) and its CMYK conversion on small
 * hand-built files whose pixels are known. e2e/parity.e2e.ts checks the same decoders against Chromium on a
 * wider corpus.
 */
import { describe, expect, it } from 'vitest';
import { cmykToRgb } from '../cli/lib/cmykToRgb';
import { BmpError, decodeBmp } from '../cli/lib/decodeBmp';
import { decodeIco } from '../cli/lib/decodeIco';

const le16 = (v: number) => [v & 255, (v >> 8) & 255];
const le32 = (v: number) => [...le16(v & 0xffff), ...le16(v >>> 16)];

/** A .bmp file: file header, a 40-byte (or `headerSize`) info header, `extra` (masks, palette), pixel rows. */
function bmp(o: { width: number; height: number; bits: number; compression?: number; clrUsed?: number; extra?: number[]; rows: number[]; headerSize?: number; masks?: number[] }): Uint8Array {
  const headerSize = o.headerSize ?? 40;
  const info = [...le32(headerSize), ...le32(o.width), ...le32(o.height >>> 0), ...le16(1), ...le16(o.bits), ...le32(o.compression ?? 0), ...le32(o.rows.length), ...le32(0), ...le32(0), ...le32(o.clrUsed ?? 0), ...le32(0)];
  if (headerSize > 40) info.push(...(o.masks ?? []).flatMap(le32));
  while (info.length < headerSize) info.push(0);
  const offset = 14 + info.length + (o.extra?.length ?? 0);
  return Uint8Array.from([0x42, 0x4d, ...le32(offset + o.rows.length), ...le32(0), ...le32(offset), ...info, ...(o.extra ?? []), ...o.rows]);
}

const pixels = (img: { data: Uint8Array }) => Array.from({ length: img.data.length / 4 }, (_, i) => Array.from(img.data.subarray(i * 4, i * 4 + 4)));

describe('decodeBmp', () => {
  it('reads 24-bit rows bottom-up, BGR, padded to 4 bytes; top-down when the height is negative', () => {
    // 2×2: bottom row stored first. Each row is 6 bytes + 2 padding.
    const rows = [0, 0, 255, 0, 255, 0, 0, 0, /* bottom: red, green */ 255, 0, 0, 255, 255, 255, 0, 0 /* top: blue, white */];
    expect(pixels(decodeBmp(bmp({ width: 2, height: 2, bits: 24, rows })))).toEqual([
      [0, 0, 255, 255],
      [255, 255, 255, 255],
      [255, 0, 0, 255],
      [0, 255, 0, 255],
    ]);
    expect(pixels(decodeBmp(bmp({ width: 2, height: -2, bits: 24, rows })))[0]).toEqual([255, 0, 0, 255]);
  });

  it('ignores the fourth byte of a Windows V3 32-bit file, and respects a V4 alpha mask', () => {
    const rows = [10, 20, 30, 0, 40, 50, 60, 128];
    expect(pixels(decodeBmp(bmp({ width: 2, height: 1, bits: 32, rows })))).toEqual([
      [30, 20, 10, 255],
      [60, 50, 40, 255],
    ]);
    const v4 = bmp({ width: 2, height: 1, bits: 32, rows, headerSize: 108, masks: [0xff0000, 0xff00, 0xff, 0xff000000] });
    // Stored values are kept, zero alpha included (what Chromium 156 gives for a standalone BMP).
    expect(pixels(decodeBmp(v4))).toEqual([
      [30, 20, 10, 0],
      [60, 50, 40, 128],
    ]);
  });

  it('widens 5-bit channels as Chromium does (round(v·255/31)), and reads BITFIELDS masks', () => {
    // x5-5-5: r=31, g=1, b=16.
    const v = (31 << 10) | (1 << 5) | 16;
    expect(pixels(decodeBmp(bmp({ width: 1, height: 1, bits: 16, rows: [...le16(v), 0, 0] })))).toEqual([[255, 8, 132, 255]]);
    // 5-6-5 via BI_BITFIELDS: g=63 → 255.
    const masks = [0xf800, 0x07e0, 0x001f].flatMap(le32);
    expect(pixels(decodeBmp(bmp({ width: 1, height: 1, bits: 16, compression: 3, extra: masks, rows: [...le16(63 << 5), 0, 0] })))).toEqual([[0, 255, 0, 255]]);
  });

  it('maps palette indices, with black past a short palette', () => {
    const palette = [0, 0, 200, 0, /* 0: red 200 */ 0, 100, 0, 0 /* 1: green 100 */];
    const rows = [0x01, 0x02, 0, 0]; // 8-bit: index 1, then 2 (past the 2 colours used)
    expect(pixels(decodeBmp(bmp({ width: 2, height: 1, bits: 8, clrUsed: 2, extra: palette, rows })))).toEqual([
      [0, 100, 0, 255],
      [0, 0, 0, 255],
    ]);
  });

  it('decodes RLE8, leaving what an end of line or a delta skips transparent black', () => {
    const palette = [0, 0, 255, 0, 255, 0, 0, 0]; // 0 red, 1 blue
    // Bottom row: 3 × index 0, end of line (the 4th pixel skipped). Top row: delta right 2, 2 × index 1, end.
    const rows = [3, 0, 0, 0, 0, 2, 2, 0, 2, 1, 0, 1];
    const img = decodeBmp(bmp({ width: 4, height: 2, bits: 8, compression: 1, clrUsed: 2, extra: palette, rows }));
    expect(pixels(img)).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 255, 255],
      [0, 0, 255, 255],
      [255, 0, 0, 255],
      [255, 0, 0, 255],
      [255, 0, 0, 255],
      [0, 0, 0, 0],
    ]);
  });

  it('refuses what Chromium refuses: truncated pixel data, embedded PNG, Huffman, huge sides, the pixel bound', () => {
    const whole = bmp({ width: 2, height: 2, bits: 24, rows: new Array(16).fill(7) });
    expect(() => decodeBmp(whole.subarray(0, whole.length - 1))).toThrow(BmpError);
    expect(() => decodeBmp(bmp({ width: 2, height: 2, bits: 0, compression: 5, rows: [0x89, 0x50, 0x4e, 0x47] }))).toThrow(/JPEG or PNG/);
    expect(() => decodeBmp(bmp({ width: 8, height: 1, bits: 1, compression: 3, rows: [0, 0, 0, 0], headerSize: 64 }))).toThrow(/Huffman/);
    expect(() => decodeBmp(bmp({ width: 65536, height: 1, bits: 24, rows: [] }))).toThrow(/beyond/);
    expect(() => decodeBmp(bmp({ width: 100, height: 100, bits: 24, rows: [] }), 9999)).toThrow(/pixel bound/);
    expect(() => decodeBmp(Uint8Array.from([0x42, 0x4d, ...new Array(30).fill(0)]))).toThrow(/header size 0/);
  });
});

/** An ICO with the given entries: [width, height, bits, image]. */
function ico(entries: [number, number, number, number[]][]): Uint8Array {
  let offset = 6 + 16 * entries.length;
  const dir: number[] = [];
  for (const [w, h, bits, image] of entries) {
    dir.push(w & 255, h & 255, 0, 0, ...le16(1), ...le16(bits), ...le32(image.length), ...le32(offset));
    offset += image.length;
  }
  return Uint8Array.from([0, 0, 1, 0, ...le16(entries.length), ...dir, ...entries.flatMap((e) => e[3])]);
}

/** A 2×2 24-bit DIB for an icon (height field doubled), one colour, then its AND mask rows. */
const iconDib = (bgr: number[], maskRows: number[]) => [
  ...le32(40), ...le32(2), ...le32(4), ...le16(1), ...le16(24), ...le32(0), ...le32(0), ...le32(0), ...le32(0), ...le32(0), ...le32(0),
  ...[...bgr, ...bgr, 0, 0], ...[...bgr, ...bgr, 0, 0],
  ...maskRows.flatMap((m) => [m, 0, 0, 0]),
];

describe('decodeIco', () => {
  const noPng = () => Promise.reject(new Error('no PNG here'));

  it('decodes the largest, then deepest, entry, with its AND mask making pixels transparent black', async () => {
    const small = [...le32(40), ...le32(1), ...le32(2), ...le16(1), ...le16(24), ...new Array(24).fill(0), 9, 9, 9, 0, 0, 0, 0, 0];
    // Mask: bottom row's left pixel set (1 = transparent).
    const file = ico([
      [1, 1, 24, small],
      [2, 2, 24, iconDib([0, 0, 200], [0x80, 0x00])],
    ]);
    const img = await decodeIco(file, noPng);
    expect([img.width, img.height]).toEqual([2, 2]);
    expect(pixels({ data: img.data as Uint8Array })).toEqual([
      [200, 0, 0, 255],
      [200, 0, 0, 255],
      [0, 0, 0, 0],
      [200, 0, 0, 255],
    ]);
  });

  it('hands a PNG entry to the PNG decoder and checks its size against the directory', async () => {
    const png = [0x89, 0x50, 0x4e, 0x47, 1, 2, 3];
    const file = ico([[0, 0, 32, png]]); // 0 means 256
    const seen: number[] = [];
    const ok = await decodeIco(file, async (bytes) => {
      seen.push(...bytes);
      return { data: new Uint8Array(256 * 256 * 4), width: 256, height: 256, channels: 4 };
    });
    expect(ok.width).toBe(256);
    expect(seen).toEqual(png);
    await expect(decodeIco(file, async () => ({ data: new Uint8Array(4), width: 1, height: 1, channels: 4 }))).rejects.toThrow(/does not match/);
  });

  it('refuses a BMP entry whose size differs from the directory', async () => {
    await expect(decodeIco(ico([[3, 3, 24, iconDib([1, 2, 3], [0, 0])]]), noPng)).rejects.toThrow(/does not match/);
  });
});

describe('cmykToRgb', () => {
  it("is Chromium's naive conversion of the inverted samples, truncating", () => {
    // sharp gives un-inverted CMYK: C=0, M=255, Y=128, K=51 → stored C′=255, M′=0, Y′=127, K′=204.
    expect(Array.from(cmykToRgb(Uint8Array.from([0, 255, 128, 51]), 1))).toEqual([204, 0, Math.floor((127 * 204) / 255)]);
    expect(Array.from(cmykToRgb(Uint8Array.from([0, 0, 0, 0, 255, 255, 255, 255]), 2))).toEqual([255, 255, 255, 0, 0, 0]);
  });
});
