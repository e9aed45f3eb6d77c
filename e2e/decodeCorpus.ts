/**
 * Files in the formats and layouts where the CLI's decoder and Chromium's differ unless the CLI does what
 * Chromium does: BMP in every variant Blink's BMPImageReader reads, ICO/CUR (best entry, PNG or BMP, AND mask),
 * CMYK and YCCK JPEGs (with and without the Adobe marker), and JPEGs whose scan data is damaged but whose end
 * marker is intact. All generated here (sharp plus hand-built byte layouts), nothing binary is committed; the
 * BMP and ICO writers follow the Microsoft layouts and are independent of the decoder under test.
 *
 *   npx tsx e2e/decodeCorpus.ts <outdir>     writes the files
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
  what: string;
  /** What Chromium 156 does with it (measured); the CLI must do the same. */
  chromium: 'decodes' | 'refuses';
}

type Rgba = [number, number, number, number];

/** A photo-ish RGB scene with a per-pixel alpha ramp (used only where the format stores alpha). */
function scene(width: number, height: number, seed: number): (x: number, y: number) => Rgba {
  return (x, y) => {
    const u = x / Math.max(1, width - 1);
    const v = y / Math.max(1, height - 1);
    const dx = u - 0.3 - (seed % 5) / 20;
    const dy = v - 0.55;
    const inDisc = dx * dx + dy * dy < 0.05;
    const r = inDisc ? 230 : Math.round(30 + 190 * u);
    const g = inDisc ? 40 + seed * 9 : Math.round(50 + 150 * v);
    const b = inDisc ? 60 : Math.round(200 - 120 * u * v + ((x * 7 + y * 3) % 11));
    const a = Math.round(255 * (0.25 + 0.75 * v));
    return [r & 255, g & 255, b & 255, a];
  };
}

const u8 = (b: Buffer | Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();

/** Little-endian writer over a growing byte list. */
class Bytes {
  private parts: number[] = [];
  u8(v: number) {
    this.parts.push(v & 255);
    return this;
  }
  u16(v: number) {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number) {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  bytes(b: ArrayLike<number>) {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i] & 255);
    return this;
  }
  zeros(n: number) {
    for (let i = 0; i < n; i++) this.parts.push(0);
    return this;
  }
  get length() {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

// ---------------------------------------------------------------------------------------------------------
// BMP

type Header = 'core' | 'info' | 'v2' | 'v4' | 'v5' | 'os2';
const HEADER_SIZE: Record<Header, number> = { core: 12, info: 40, v2: 52, v4: 108, v5: 124, os2: 64 };
const BI = { RGB: 0, RLE8: 1, RLE4: 2, BITFIELDS: 3, JPEG: 4, PNG: 5, ALPHABITFIELDS: 6, OS2_RLE24: 4 } as const;

interface DibSpec {
  header: Header;
  width: number;
  height: number;
  bits: number;
  compression: number;
  topDown?: boolean;
  /** BGR palette entries (4 bytes each, 3 for the core header). */
  palette?: [number, number, number][];
  /** Colours used as written in the header (0: all). */
  clrUsed?: number;
  /** R, G, B[, A] masks: in the header for v2+, after it for BITFIELDS/ALPHABITFIELDS with 'info'. */
  masks?: number[];
  /** The pixel array as stored (rows already in file order, padded). */
  data: Uint8Array;
  /** ICO: the height field counts the AND mask too. */
  heightField?: number;
}

/** The DIB: info header, masks, palette, pixels (no file header: that is how ICO stores it). */
function dib(spec: DibSpec): { head: Uint8Array; data: Uint8Array } {
  const w = new Bytes();
  const size = HEADER_SIZE[spec.header];
  const height = spec.heightField ?? (spec.topDown ? -spec.height : spec.height);
  w.u32(size);
  if (spec.header === 'core') {
    w.u16(spec.width).u16(height).u16(1).u16(spec.bits);
  } else {
    w.u32(spec.width).u32(height >>> 0).u16(1).u16(spec.bits).u32(spec.compression).u32(spec.data.length);
    w.u32(2835).u32(2835).u32(spec.clrUsed ?? 0).u32(0);
    if (spec.header === 'os2') w.zeros(size - 40);
    if (spec.header === 'v2' || spec.header === 'v4' || spec.header === 'v5') {
      const m = spec.masks ?? [0, 0, 0, 0];
      w.u32(m[0]).u32(m[1]).u32(m[2]);
      if (spec.header !== 'v2') {
        w.u32(m[3] ?? 0);
        w.u32(0x73524742); // 'sRGB': ignored when decoding without colour conversion
        w.zeros(36 + 12);
        if (spec.header === 'v5') w.u32(4).u32(0).u32(0).u32(0);
      }
    }
  }
  if (spec.header === 'info' && (spec.compression === BI.BITFIELDS || spec.compression === BI.ALPHABITFIELDS)) {
    for (const m of spec.masks!) w.u32(m);
  }
  for (const [b, g, r] of spec.palette ?? []) {
    w.u8(b).u8(g).u8(r);
    if (spec.header !== 'core') w.u8(0);
  }
  return { head: w.done(), data: spec.data };
}

function bmpFile(spec: DibSpec): Uint8Array {
  const { head, data } = dib(spec);
  const offset = 14 + head.length;
  const w = new Bytes().u8(0x42).u8(0x4d).u32(offset + data.length).u32(0).u32(offset);
  return w.bytes(head).bytes(data).done();
}

/** Rows of `bits`-per-pixel values, padded to 4 bytes, bottom-up unless `topDown`. */
function packRows(width: number, height: number, bits: number, value: (x: number, y: number) => number, topDown = false): Uint8Array {
  const stride = Math.ceil((width * bits) / 32) * 4;
  const out = new Uint8Array(stride * height);
  for (let row = 0; row < height; row++) {
    const y = topDown ? row : height - 1 - row;
    const base = row * stride;
    for (let x = 0; x < width; x++) {
      const v = value(x, y) >>> 0;
      if (bits >= 8) {
        for (let k = 0; k < bits / 8; k++) out[base + x * (bits / 8) + k] = (v >>> (8 * k)) & 255;
      } else {
        const bit = x * bits;
        out[base + (bit >> 3)] |= v << (8 - bits - (bit & 7));
      }
    }
  }
  return out;
}

/** A channel value scaled into a mask's bits. */
function intoMask(value: number, mask: number): number {
  if (!mask) return 0;
  let shift = 0;
  while (!((mask >>> shift) & 1)) shift++;
  const bits = Math.round(Math.log2((mask >>> shift) + 1));
  return (Math.round((value * ((1 << bits) - 1)) / 255) << shift) >>> 0;
}

const packMasked = (c: Rgba, masks: number[]) => (intoMask(c[0], masks[0]) | intoMask(c[1], masks[1]) | intoMask(c[2], masks[2]) | intoMask(c[3], masks[3] ?? 0)) >>> 0;

/** A palette of `n` colours spread over the scene's range, and the nearest index for a colour. */
function palette(n: number): { colors: [number, number, number][]; nearest: (c: Rgba) => number } {
  const colors: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const t = i / Math.max(1, n - 1);
    colors.push([Math.round(255 * (1 - t) * ((i * 37) % 5) / 4), Math.round(255 * t), Math.round(60 + 195 * ((i * 53) % 7) / 6)]);
  }
  const nearest = (c: Rgba) => {
    let best = 0;
    let bestD = Infinity;
    for (let i = 0; i < n; i++) {
      const [b, g, r] = colors[i];
      const d = (r - c[0]) ** 2 + (g - c[1]) ** 2 + (b - c[2]) ** 2;
      if (d < bestD) [best, bestD] = [i, d];
    }
    return best;
  };
  return { colors, nearest };
}

/**
 * RLE8/RLE4 rows: encoded runs, absolute runs, an early end of line on some rows and one delta, so that the
 * pixels they skip stay transparent black in Chromium.
 */
function rle(width: number, height: number, index: (x: number, y: number) => number, four: boolean): Uint8Array {
  const w = new Bytes();
  for (let y = height - 1; y >= 0; y--) {
    const rowEnd = y % 7 === 3 ? Math.floor(width * 0.6) : width; // EOL before the row ends: the rest is skipped
    let x = 0;
    if (y === Math.floor(height / 2)) {
      w.u8(0).u8(2).u8(5).u8(0); // delta: skip 5 pixels on this row
      x = 5;
    }
    while (x < rowEnd) {
      const v = index(x, y);
      let run = 1;
      while (x + run < rowEnd && run < 255 && index(x + run, y) === v) run++;
      if (run >= 2 || rowEnd - x < 3) {
        w.u8(run).u8(four ? (v << 4) | v : v);
        x += run;
        continue;
      }
      // Absolute mode: a literal stretch up to the next pair of equal pixels.
      let n = 1;
      while (x + n < rowEnd && n < 255 && !(x + n + 1 < rowEnd && index(x + n, y) === index(x + n + 1, y))) n++;
      if (n < 3) {
        w.u8(1).u8(four ? (v << 4) | v : v);
        x += 1;
        continue;
      }
      w.u8(0).u8(n);
      const lit = new Bytes();
      if (four) for (let k = 0; k < n; k += 2) lit.u8((index(x + k, y) << 4) | (k + 1 < n ? index(x + k + 1, y) : 0));
      else for (let k = 0; k < n; k++) lit.u8(index(x + k, y));
      const litBytes = lit.done();
      w.bytes(litBytes);
      if (litBytes.length % 2) w.u8(0);
      x += n;
    }
    w.u8(0).u8(y === 0 ? 1 : 0); // end of line, end of bitmap
  }
  return w.done();
}

/** OS/2 2.x RLE24: encoded runs of one BGR triple, absolute stretches, end of line per row. */
function rle24(width: number, height: number, pixel: (x: number, y: number) => Rgba): Uint8Array {
  const w = new Bytes();
  for (let y = height - 1; y >= 0; y--) {
    let x = 0;
    while (x < width) {
      const n = Math.min(width - x, 6);
      if ((x / 6) % 2 === 0) {
        const [r, g, b] = pixel(x, y);
        w.u8(n).u8(b).u8(g).u8(r);
      } else {
        w.u8(0).u8(Math.max(3, n));
        const m = Math.max(3, n);
        if (m > width - x) break;
        for (let k = 0; k < m; k++) {
          const [r, g, b] = pixel(x + k, y);
          w.u8(b).u8(g).u8(r);
        }
        if ((m * 3) % 2) w.u8(0);
        x += m;
        continue;
      }
      x += n;
    }
    w.u8(0).u8(y === 0 ? 1 : 0);
  }
  return w.done();
}

async function bmpCorpus(): Promise<CorpusFile[]> {
  const files: CorpusFile[] = [];
  const W = 123; // rows need padding at every depth
  const H = 77;
  const px = scene(W, H, 1);
  const rgb24 = (x: number, y: number) => {
    const [r, g, b] = px(x, y);
    return b | (g << 8) | (r << 16);
  };
  const add = (name: string, what: string, bytes: Uint8Array, chromium: CorpusFile['chromium'] = 'decodes') => files.push({ name, what, bytes, chromium });

  add('bmp-24.bmp', 'BMP 24-bit, bottom-up, odd width', bmpFile({ header: 'info', width: W, height: H, bits: 24, compression: BI.RGB, data: packRows(W, H, 24, rgb24) }));
  add('bmp-24-topdown.bmp', 'BMP 24-bit, top-down (negative height)', bmpFile({ header: 'info', width: W, height: H, bits: 24, compression: BI.RGB, topDown: true, data: packRows(W, H, 24, rgb24, true) }));
  const argb = (x: number, y: number) => {
    const [r, g, b, a] = px(x, y);
    return (b | (g << 8) | (r << 16) | (a << 24)) >>> 0;
  };
  add('bmp-32-v3-alpha.bmp', 'BMP 32-bit BI_RGB, Windows V3 header, alpha bytes set (Chromium ignores them)', bmpFile({ header: 'info', width: W, height: H, bits: 32, compression: BI.RGB, data: packRows(W, H, 32, argb) }));
  add('bmp-32-zero-alpha.bmp', 'BMP 32-bit BI_RGB, alpha bytes all zero', bmpFile({ header: 'info', width: W, height: H, bits: 32, compression: BI.RGB, data: packRows(W, H, 32, rgb24) }));
  const rgbaMasks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
  add('bmp-32-v5-alpha.bmp', 'BMP 32-bit BI_BITFIELDS, V5 header with an alpha mask (alpha respected)', bmpFile({ header: 'v5', width: W, height: H, bits: 32, compression: BI.BITFIELDS, masks: rgbaMasks, data: packRows(W, H, 32, (x, y) => packMasked(px(x, y), rgbaMasks)) }));
  // Bottom-up: the first rows decoded (the image's bottom) have alpha 0, then alpha appears: Chromium clears
  // what it decoded so far to transparent black.
  const lateAlpha = (x: number, y: number) => {
    const c = px(x, y);
    return packMasked([c[0], c[1], c[2], y > H - 10 ? 0 : c[3]], rgbaMasks);
  };
  add('bmp-32-v4-late-alpha.bmp', 'BMP 32-bit BI_RGB, V4 header, alpha zero in the first rows stored', bmpFile({ header: 'v4', width: W, height: H, bits: 32, compression: BI.RGB, masks: rgbaMasks, data: packRows(W, H, 32, lateAlpha) }));
  add('bmp-32-v4-zero-alpha.bmp', 'BMP 32-bit BI_RGB, V4 header with an alpha mask, alpha all zero', bmpFile({ header: 'v4', width: W, height: H, bits: 32, compression: BI.RGB, masks: rgbaMasks, data: packRows(W, H, 32, rgb24) }));
  const m555 = [0x7c00, 0x03e0, 0x001f];
  add('bmp-16-555.bmp', 'BMP 16-bit BI_RGB (5-5-5)', bmpFile({ header: 'info', width: W, height: H, bits: 16, compression: BI.RGB, data: packRows(W, H, 16, (x, y) => packMasked(px(x, y), m555)) }));
  const m565 = [0xf800, 0x07e0, 0x001f];
  add('bmp-16-565.bmp', 'BMP 16-bit BI_BITFIELDS (5-6-5), masks after a V3 header', bmpFile({ header: 'info', width: W, height: H, bits: 16, compression: BI.BITFIELDS, masks: m565, data: packRows(W, H, 16, (x, y) => packMasked(px(x, y), m565)) }));
  const m1555 = [0x7c00, 0x03e0, 0x001f, 0x8000];
  add('bmp-16-v5-1555.bmp', 'BMP 16-bit BI_BITFIELDS, V5 header, 1-bit alpha', bmpFile({ header: 'v5', width: W, height: H, bits: 16, compression: BI.BITFIELDS, masks: m1555, data: packRows(W, H, 16, (x, y) => packMasked(px(x, y), m1555)) }));
  const m4444 = [0x0f00, 0x00f0, 0x000f, 0xf000];
  add('bmp-16-alphabitfields.bmp', 'BMP 16-bit BI_ALPHABITFIELDS (Windows CE), 4-4-4-4', bmpFile({ header: 'info', width: W, height: H, bits: 16, compression: BI.ALPHABITFIELDS, masks: m4444, data: packRows(W, H, 16, (x, y) => packMasked(px(x, y), m4444)) }));
  const m101010 = [0x3ff00000, 0x000ffc00, 0x000003ff];
  add('bmp-32-101010.bmp', 'BMP 32-bit BI_BITFIELDS, 10 bits per channel, V2 header', bmpFile({ header: 'v2', width: W, height: H, bits: 32, compression: BI.BITFIELDS, masks: m101010, data: packRows(W, H, 32, (x, y) => packMasked(px(x, y), m101010)) }));

  for (const bits of [8, 4, 2, 1]) {
    const pal = palette(1 << bits);
    add(`bmp-${bits}-palette.bmp`, `BMP ${bits}-bit paletted`, bmpFile({ header: 'info', width: W, height: H, bits, compression: BI.RGB, palette: pal.colors, data: packRows(W, H, bits, (x, y) => pal.nearest(px(x, y))) }));
  }
  const short = palette(12);
  add('bmp-8-short-palette.bmp', 'BMP 8-bit with 12 colours used; indices past them show black', bmpFile({ header: 'info', width: W, height: H, bits: 8, compression: BI.RGB, palette: short.colors, clrUsed: 12, data: packRows(W, H, 8, (x, y) => (x % 17 === 0 ? 200 : short.nearest(px(x, y)))) }));
  const p8 = palette(256);
  add('bmp-rle8.bmp', 'BMP RLE8: encoded and absolute runs, early end of line, a delta', bmpFile({ header: 'info', width: W, height: H, bits: 8, compression: BI.RLE8, palette: p8.colors, data: rle(W, H, (x, y) => p8.nearest(px(x, y)) & ~3, false) }));
  const p4 = palette(16);
  add('bmp-rle4.bmp', 'BMP RLE4: encoded and absolute runs, early end of line, a delta', bmpFile({ header: 'info', width: W, height: H, bits: 4, compression: BI.RLE4, palette: p4.colors, data: rle(W, H, (x, y) => p4.nearest(px(x, y)), true) }));
  add('bmp-core-24.bmp', 'OS/2 1.x BMP (12-byte header), 24-bit', bmpFile({ header: 'core', width: W, height: H, bits: 24, compression: 0, data: packRows(W, H, 24, rgb24) }));
  add('bmp-core-8.bmp', 'OS/2 1.x BMP (12-byte header), 8-bit with a 3-byte palette', bmpFile({ header: 'core', width: W, height: H, bits: 8, compression: 0, palette: p8.colors, data: packRows(W, H, 8, (x, y) => p8.nearest(px(x, y))) }));
  add('bmp-os2-rle24.bmp', 'OS/2 2.x BMP (64-byte header), RLE24', bmpFile({ header: 'os2', width: W, height: H, bits: 24, compression: BI.OS2_RLE24, data: rle24(W, H, px) }));
  const sceneRgb = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) sceneRgb.set(px(x, y).slice(0, 3), (y * W + x) * 3);
  const png = u8(await sharp(sceneRgb, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
  add('bmp-embedded-png.bmp', 'BMP whose pixels are a PNG (BI_PNG)', bmpFile({ header: 'info', width: W, height: H, bits: 0, compression: BI.PNG, data: png }), 'refuses');
  const jpg = u8(await sharp(sceneRgb, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  add('bmp-embedded-jpeg.bmp', 'BMP whose pixels are a JPEG (BI_JPEG)', bmpFile({ header: 'info', width: W, height: H, bits: 0, compression: BI.JPEG, data: jpg }), 'refuses');
  const whole = bmpFile({ header: 'info', width: W, height: H, bits: 24, compression: BI.RGB, data: packRows(W, H, 24, rgb24) });
  add('bmp-truncated.bmp', 'BMP 24-bit with its last 40 % of pixel rows missing', whole.subarray(0, Math.floor(whole.length * 0.6)), 'refuses');
  const rle8 = bmpFile({ header: 'info', width: W, height: H, bits: 8, compression: BI.RLE8, palette: p8.colors, data: rle(W, H, (x, y) => p8.nearest(px(x, y)) & ~3, false) });
  add('bmp-rle8-truncated.bmp', 'BMP RLE8 cut before its end-of-bitmap marker', rle8.subarray(0, rle8.length - 300), 'refuses');
  // Bigger than the others, so the resize for the model averages many pixels.
  const big = scene(900, 600, 4);
  add('bmp-24-900x600.bmp', 'BMP 24-bit, 900×600', bmpFile({ header: 'info', width: 900, height: 600, bits: 24, compression: BI.RGB, data: packRows(900, 600, 24, (x, y) => { const [r, g, b] = big(x, y); return b | (g << 8) | (r << 16); }) }));
  return files;
}

// ---------------------------------------------------------------------------------------------------------
// ICO / CUR

interface IcoEntry {
  width: number;
  height: number;
  bits: number;
  /** PNG bytes, or a DIB (header + pixels + AND mask). */
  image: Uint8Array;
  colorCount?: number;
}

function icoFile(entries: IcoEntry[], type: 1 | 2 = 1): Uint8Array {
  const w = new Bytes().u16(0).u16(type).u16(entries.length);
  let offset = 6 + 16 * entries.length;
  for (const e of entries) {
    w.u8(e.width & 255).u8(e.height & 255).u8(e.colorCount ?? 0).u8(0);
    if (type === 2) w.u16(e.width >> 1).u16(e.height >> 1); // cursor hot spot
    else w.u16(1).u16(e.bits);
    w.u32(e.image.length).u32(offset);
    offset += e.image.length;
  }
  for (const e of entries) w.bytes(e.image);
  return w.done();
}

/** A DIB for an ICO entry: XOR pixels, then the 1-bit AND mask (1 = transparent). */
function icoDib(size: number, bits: 24 | 32 | 8, seed: number, opts: { zeroAlpha?: boolean; lateAlpha?: boolean; maskHole?: boolean } = {}): Uint8Array {
  const px = scene(size, size, seed);
  const pal = palette(256);
  const value = (x: number, y: number) => {
    const [r, g, b, a] = px(x, y);
    if (bits === 8) return pal.nearest(px(x, y));
    const alpha = bits === 32 && !opts.zeroAlpha && !(opts.lateAlpha && y > size - 6) ? a : 0;
    return (b | (g << 8) | (r << 16) | (alpha << 24)) >>> 0;
  };
  const xor = packRows(size, size, bits, value);
  // The mask: a transparent square in the middle (where asked) and a transparent top-left corner.
  const mask = packRows(size, size, 1, (x, y) => ((opts.maskHole && Math.abs(x - size / 2) < size / 6 && Math.abs(y - size / 2) < size / 6) || (x < 4 && y < 4) ? 1 : 0));
  const { head } = dib({ header: 'info', width: size, height: size, heightField: size * 2, bits, compression: BI.RGB, palette: bits === 8 ? pal.colors : undefined, data: xor });
  const out = new Uint8Array(head.length + xor.length + mask.length);
  out.set(head);
  out.set(xor, head.length);
  out.set(mask, head.length + xor.length);
  return out;
}

async function icoPng(size: number, seed: number): Promise<Uint8Array> {
  const px = scene(size, size, seed);
  const raw = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) raw.set(px(x, y), (y * size + x) * 4);
  return u8(await sharp(raw, { raw: { width: size, height: size, channels: 4 } }).png().toBuffer());
}

export async function icoCorpus(): Promise<CorpusFile[]> {
  return [
    {
      name: 'icon-png-256.ico',
      chromium: 'decodes',
      what: 'ICO: 16 px PNG, 256 px PNG (directory size 0), 32 px BMP; the 256 px entry is not first',
      bytes: icoFile([
        { width: 16, height: 16, bits: 32, image: await icoPng(16, 2) },
        { width: 256, height: 256, bits: 32, image: await icoPng(256, 3) },
        { width: 32, height: 32, bits: 32, image: icoDib(32, 32, 4) },
      ]),
    },
    {
      name: 'icon-bmp32.ico',
      chromium: 'decodes',
      what: 'ICO: 48 px and 96 px 32-bit BMPs with alpha (the AND mask is not used)',
      bytes: icoFile([
        { width: 48, height: 48, bits: 32, image: icoDib(48, 32, 5, { maskHole: true }) },
        { width: 96, height: 96, bits: 32, image: icoDib(96, 32, 6, { maskHole: true }) },
      ]),
    },
    {
      name: 'icon-bmp32-zero-alpha.ico',
      chromium: 'decodes',
      what: 'ICO: a 64 px 32-bit BMP whose alpha is all zero (the AND mask is used)',
      bytes: icoFile([{ width: 64, height: 64, bits: 32, image: icoDib(64, 32, 7, { zeroAlpha: true, maskHole: true }) }]),
    },
    {
      name: 'icon-bmp32-late-alpha.ico',
      chromium: 'decodes',
      what: 'ICO: a 64 px 32-bit BMP whose first rows stored have alpha 0, the rest real alpha',
      bytes: icoFile([{ width: 64, height: 64, bits: 32, image: icoDib(64, 32, 12, { lateAlpha: true, maskHole: true }) }]),
    },
    {
      name: 'icon-bmp8-mask.ico',
      chromium: 'decodes',
      what: 'ICO: a 40 px 8-bit BMP with an AND mask, bit depth given only as a colour count',
      bytes: icoFile([{ width: 40, height: 40, bits: 0, colorCount: 0, image: icoDib(40, 8, 8, { maskHole: true }) }]),
    },
    {
      name: 'icon-tie.ico',
      chromium: 'decodes',
      what: 'ICO: two 64 px entries, 24-bit first, 32-bit second (the deeper one wins)',
      bytes: icoFile([
        { width: 64, height: 64, bits: 24, image: icoDib(64, 24, 9, { maskHole: true }) },
        { width: 64, height: 64, bits: 32, image: icoDib(64, 32, 10) },
      ]),
    },
    {
      name: 'pointer.cur',
      chromium: 'decodes',
      what: 'CUR: a 32 px 24-bit cursor with an AND mask',
      bytes: icoFile([{ width: 32, height: 32, bits: 0, image: icoDib(32, 24, 11, { maskHole: true }) }], 2),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// JPEG: CMYK, YCCK, damaged scans

/** Offsets of each marker segment before the first scan: [marker, start, length including the marker]. */
function segments(jpeg: Uint8Array): { marker: number; start: number; end: number }[] {
  const out: { marker: number; start: number; end: number }[] = [];
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1];
    const end = i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
    out.push({ marker, start: i, end });
    if (marker === 0xda) break;
    i = end;
  }
  return out;
}

function withoutSegment(jpeg: Uint8Array, marker: number): Uint8Array {
  const s = segments(jpeg).find((x) => x.marker === marker);
  if (!s) throw new Error(`no marker ff${marker.toString(16)} to remove`);
  return Uint8Array.from([...jpeg.subarray(0, s.start), ...jpeg.subarray(s.end)]);
}

/** The Adobe APP14 transform byte set to `transform` (0 CMYK, 2 YCCK). */
function withAdobeTransform(jpeg: Uint8Array, transform: number): Uint8Array {
  const s = segments(jpeg).find((x) => x.marker === 0xee && String.fromCharCode(...jpeg.subarray(x.start + 4, x.start + 9)) === 'Adobe');
  if (!s) throw new Error('no Adobe APP14 marker');
  const out = jpeg.slice();
  out[s.start + 4 + 11] = transform;
  return out;
}

/** An EXIF APP1 segment holding only an orientation, inserted after SOI (sharp would convert CMYK to write one). */
function withOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const tiff = new Bytes().u8(0x49).u8(0x49).u16(42).u32(8).u16(1).u16(0x0112).u16(3).u32(1).u16(orientation).u16(0).u32(0).done();
  const body = new Bytes().bytes([0x45, 0x78, 0x69, 0x66, 0, 0]).bytes(tiff).done();
  const app1 = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255, ...body];
  return Uint8Array.from([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}

/** Where the entropy-coded data of the first scan starts. */
const scanStart = (jpeg: Uint8Array) => segments(jpeg).find((s) => s.marker === 0xda)!.end;

/** `count` bytes of the scan data overwritten with deterministic noise from `at` (a fraction of the scan). */
function damaged(jpeg: Uint8Array, at: number, count: number, seed = 1): Uint8Array {
  const out = jpeg.slice();
  const start = scanStart(jpeg);
  const from = start + Math.floor((jpeg.length - 2 - start) * at);
  let s = seed;
  for (let i = 0; i < count && from + i < jpeg.length - 2; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[from + i] = (s >>> 16) & 0xfe; // never 0xff, so no marker is made
  }
  return out;
}

async function jpegCorpus(): Promise<CorpusFile[]> {
  const W = 320;
  const H = 240;
  const px = scene(W, H, 12);
  const raw = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw.set(px(x, y).slice(0, 3), (y * W + x) * 3);
  const base = () => sharp(raw, { raw: { width: W, height: H, channels: 3 } });
  const cmyk = u8(await base().toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer());
  if (!segments(cmyk).some((s) => s.marker === 0xee)) throw new Error('sharp wrote a CMYK JPEG without the Adobe marker');
  const cmykIcc = u8(await base().toColourspace('cmyk').jpeg({ quality: 90 }).withIccProfile('cmyk').toBuffer());
  const baseline = u8(await base().jpeg({ quality: 90 }).toBuffer());
  const progressive = u8(await base().jpeg({ quality: 90, progressive: true }).toBuffer());
  const cut = baseline.subarray(0, scanStart(baseline) + Math.floor((baseline.length - scanStart(baseline)) * 0.55));
  return [
    { name: 'cmyk-adobe.jpg', what: 'CMYK JPEG with the Adobe marker (inverted samples)', bytes: cmyk, chromium: 'decodes' },
    { name: 'cmyk-no-adobe.jpg', what: 'CMYK JPEG without the Adobe marker', bytes: withoutSegment(cmyk, 0xee), chromium: 'decodes' },
    { name: 'cmyk-icc.jpg', what: 'CMYK JPEG with a CMYK ICC profile (ignored for the model)', bytes: cmykIcc, chromium: 'decodes' },
    { name: 'cmyk-rotated.jpg', what: 'CMYK JPEG with EXIF orientation 6', bytes: withOrientation(cmyk, 6), chromium: 'decodes' },
    { name: 'ycck.jpg', what: 'YCCK JPEG (Adobe transform 2)', bytes: withAdobeTransform(cmyk, 2), chromium: 'decodes' },
    { name: 'damaged-scan.jpg', what: 'baseline JPEG, 64 bytes of scan data overwritten mid-file', bytes: damaged(baseline, 0.5, 64), chromium: 'decodes' },
    { name: 'damaged-scan-early.jpg', what: 'baseline JPEG, scan data overwritten near its start', bytes: damaged(baseline, 0.1, 400, 7), chromium: 'decodes' },
    { name: 'damaged-short-scan.jpg', what: 'baseline JPEG cut in its scan, end marker appended', bytes: Uint8Array.from([...cut, 0xff, 0xd9]), chromium: 'decodes' },
    { name: 'damaged-progressive.jpg', what: 'progressive JPEG, scan data overwritten in its first scan', bytes: damaged(progressive, 0.05, 64, 3), chromium: 'decodes' },
    { name: 'damaged-cmyk.jpg', what: 'CMYK JPEG with damaged scan data', bytes: damaged(cmyk, 0.6, 64, 5), chromium: 'decodes' },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// PNG with damaged pixel data (CRCs valid, IEND present): the sniff passes it, the decoders decide

/** The PNG with its (single) IDAT's payload changed by `edit`, the chunk's length and CRC rewritten. */
function withIdat(png: Uint8Array, edit: (data: Uint8Array) => Uint8Array): Uint8Array {
  const buf = Buffer.from(png);
  const at = buf.indexOf('IDAT') - 4;
  const len = buf.readUInt32BE(at);
  const data = edit(png.subarray(at + 8, at + 8 + len));
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('IDAT', 4, 'latin1');
  Buffer.from(data).copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return u8(Buffer.concat([buf.subarray(0, at), chunk, buf.subarray(at + 12 + len)]));
}

async function pngCorpus(): Promise<CorpusFile[]> {
  const W = 200;
  const H = 150;
  const px = scene(W, H, 13);
  const raw = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw.set(px(x, y).slice(0, 3), (y * W + x) * 3);
  const png = u8(await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer());
  return [
    { name: 'png-short-idat.png', chromium: 'refuses', what: 'PNG whose compressed pixel data stops at 60 % (valid CRCs, IEND present)', bytes: withIdat(png, (d) => d.subarray(0, Math.floor(d.length * 0.6))) },
    {
      name: 'png-corrupt-idat.png',
      chromium: 'refuses',
      what: 'PNG with 32 bytes of its compressed pixel data overwritten (valid CRCs)',
      bytes: withIdat(png, (d) => {
        const out = d.slice();
        for (let i = 0; i < 32; i++) out[Math.floor(d.length / 2) + i] ^= 0x5a;
        return out;
      }),
    },
  ];
}

/** The corpus, in a fixed order. */
export async function decodeCorpus(): Promise<CorpusFile[]> {
  return [...(await bmpCorpus()), ...(await icoCorpus()), ...(await jpegCorpus()), ...(await pngCorpus())];
}

/** `npx tsx e2e/decodeCorpus.ts <outdir>` */
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: npx tsx e2e/decodeCorpus.ts <outdir>');
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  for (const f of await decodeCorpus()) {
    writeFileSync(join(out, f.name), f.bytes);
    console.log(`${f.name.padEnd(30)} ${String(f.bytes.length).padStart(8)} B  ${f.what}`);
  }
}
