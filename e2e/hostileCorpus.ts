/**
 * A corpus of hostile or odd files for the "bad input" promise (docs/reliability.md): every file gets a
 * defined outcome (scored, or a reason on its tile), the batch always completes, and nothing decoded goes past
 * the documented pixel bound. Everything is generated here with sharp and a few hand-built byte layouts:
 * nothing binary is committed.
 *
 *   npx tsx e2e/hostileCorpus.ts <outdir>     writes the files (relativePath kept) and prints the table
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { icoCorpus } from './decodeCorpus';

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

export interface HostileExpectation {
  outcome: 'scored' | 'error';
  /** For errors: what the tile must say. */
  reason?: RegExp;
  /** For scored files: the displayed size (after EXIF orientation) the tile reports. */
  width?: number;
  height?: number;
  /** Where the red marker (the stored image's top-left corner) must show in the thumbnail. */
  marker?: Corner;
  /** The thumbnail's dominant colour: the first frame of an animation. */
  dominant?: 'red' | 'blue';
}

export interface HostileFile {
  name: string;
  /** Path inside the dropped folder, for files that come in a folder. */
  relativePath?: string;
  bytes: Uint8Array;
  /** One line for the table in docs/reliability.md. */
  what: string;
  expected: HostileExpectation;
}

/** A deterministic, photo-ish RGB scene: gradients plus a few discs, different per seed. */
function sceneRaw(width: number, height: number, seed: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  const discs = Array.from({ length: 4 }, (_, i) => ({
    x: ((seed * 37 + i * 101) % 97) / 97,
    y: ((seed * 53 + i * 71) % 89) / 89,
    r: 0.08 + ((seed + i * 13) % 7) / 40,
    c: [(seed * 50 + i * 90) % 256, (seed * 80 + i * 40) % 256, (seed * 20 + i * 150) % 256],
  }));
  const longSide = Math.max(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / Math.max(1, width - 1);
      const v = y / Math.max(1, height - 1);
      let r = 40 + 120 * u;
      let g = 60 + 100 * v;
      let b = 90 + 60 * (1 - u) * v + ((seed * 29) % 60);
      for (const d of discs) {
        // Distances in pixels over the long side, so discs stay round whatever the aspect ratio.
        const dx = (x - d.x * width) / longSide;
        const dy = (y - d.y * height) / longSide;
        if (dx * dx + dy * dy < d.r * d.r) [r, g, b] = d.c;
      }
      const o = (y * width + x) * 3;
      px[o] = r;
      px[o + 1] = g;
      px[o + 2] = b;
    }
  }
  return px;
}

const scene = (width: number, height: number, seed: number) =>
  sharp(sceneRaw(width, height, seed), { raw: { width, height, channels: 3 } });

/** A flat frame of one colour with a little texture (so the encoders keep it as a real image). */
function flatRaw(width: number, height: number, rgb: [number, number, number]): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const t = ((i * 7) % 23) - 11;
    px[i * 3] = Math.max(0, Math.min(255, rgb[0] + t));
    px[i * 3 + 1] = Math.max(0, Math.min(255, rgb[1] + t));
    px[i * 3 + 2] = Math.max(0, Math.min(255, rgb[2] + t));
  }
  return px;
}

/** A grey-blue image with a red block in its stored top-left corner: the corner shows where EXIF rotated it. */
function markerRaw(width: number, height: number): Buffer {
  const px = flatRaw(width, height, [70, 110, 160]);
  const m = Math.round(Math.min(width, height) / 3);
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      const o = (y * width + x) * 3;
      px[o] = 230;
      px[o + 1] = 20;
      px[o + 2] = 20;
    }
  }
  return px;
}

const u8 = (b: Buffer | Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();
const text = (s: string) => new TextEncoder().encode(s);

function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

/** A PNG whose IHDR claims width × height but whose IDAT holds only a few rows: a decompression-bomb header. */
function pngBombHeader(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = deflateSync(Buffer.alloc((width * 3 + 1) * 4));
  return u8(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', rows),
      pngChunk('IEND', new Uint8Array(0)),
    ]),
  );
}

/** The same PNG with the CRC of its first IDAT chunk flipped (the pixel data itself is intact). */
function withBadIdatCrc(png: Uint8Array): Uint8Array {
  const out = Buffer.from(png);
  const at = out.indexOf('IDAT') - 4;
  const len = out.readUInt32BE(at);
  const crcAt = at + 8 + len;
  out.writeUInt32BE(out.readUInt32BE(crcAt) ^ 0xdeadbeef, crcAt);
  return u8(out);
}

function box(type: string, ...payload: Uint8Array[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}
const fullBox = (type: string, version: number, flags: number, ...payload: Uint8Array[]) => {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...payload);
};
const be = (bytes: number, value: number) => {
  const b = Buffer.alloc(bytes);
  b.writeUIntBE(value, 0, bytes);
  return b;
};

/**
 * A minimal HEIC (HEIF with an HEVC-coded primary item), laid out as an iPhone file is: ftyp, meta (hdlr, pitm,
 * iloc, iinf, iprp with hvcC and ispe), mdat. sharp's prebuilt libheif has no HEVC encoder, so the container is
 * built by hand; the mdat holds a stub, not a real HEVC stream. Chromium decodes no HEIC at all, so what matters
 * is that the app recognises it and says so.
 */
function minimalHeic(width: number, height: number): Uint8Array {
  const ftyp = box('ftyp', text('heic'), be(4, 0), text('mif1'), text('heic'));
  const hdlr = fullBox('hdlr', 0, 0, be(4, 0), text('pict'), Buffer.alloc(12), text('\0'));
  const pitm = fullBox('pitm', 0, 0, be(2, 1));
  const infe = fullBox('infe', 2, 0, be(2, 1), be(2, 0), text('hvc1'), text('\0'));
  const iinf = fullBox('iinf', 0, 0, be(2, 1), infe);
  // hvcC: configurationVersion 1, Main profile, no parameter-set arrays.
  const hvcC = box('hvcC', Buffer.from([1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5d, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0]));
  const ispe = fullBox('ispe', 0, 0, be(4, width), be(4, height));
  const ipco = box('ipco', hvcC, ispe);
  const ipma = fullBox('ipma', 0, 0, be(4, 1), be(2, 1), Buffer.from([2, 0x81, 0x02]));
  const iprp = box('iprp', ipco, ipma);
  const stub = Buffer.from([0, 0, 0, 8, 0x26, 0x01, 0xaf, 0x10, 0x20, 0x30, 0x40, 0x50]);
  // iloc v0: offset_size 4, length_size 4, base_offset_size 0; one item, one extent (offset patched below).
  const iloc = (offset: number) => fullBox('iloc', 0, 0, Buffer.from([0x44, 0x00]), be(2, 1), be(2, 1), be(2, 0), be(2, 1), be(4, offset), be(4, stub.length));
  const meta = (offset: number) => fullBox('meta', 0, 0, hdlr, pitm, iloc(offset), iinf, iprp);
  const offset = ftyp.length + meta(0).length + 8;
  return u8(Buffer.concat([ftyp, meta(offset), box('mdat', stub)]));
}

/** Width and height as shown after EXIF orientation `o`, and where the stored top-left corner lands. */
export function orientedView(o: number, width: number, height: number): { width: number; height: number; marker: Corner } {
  const swapped = o >= 5;
  const marker: Corner = (['top-left', 'top-right', 'bottom-right', 'bottom-left', 'top-left', 'top-right', 'bottom-right', 'bottom-left'] as const)[o - 1];
  return { width: swapped ? height : width, height: swapped ? width : height, marker };
}

/** Names a person might give files, which must show as text and nothing else. */
export const HOSTILE_NAMES = {
  quotes: `it's a "quoted" name.jpg`,
  emoji: 'sunset 🌅 on the 🏖️ beach 📷.jpg',
  rtl: 'صورة שלום \u202Egpj.exe photo.jpg',
  html: '<img src=x onerror="window.__loupeInjected=1">.jpg',
} as const;

/** The corpus, in a fixed order. `huge` false leaves out the 12000×12000 JPEG (it takes seconds to encode). */
export async function hostileCorpus({ huge = true }: { huge?: boolean } = {}): Promise<HostileFile[]> {
  const files: HostileFile[] = [];
  const add = (f: HostileFile) => files.push(f);
  const photo = (seed: number, w = 320, h = 240) => scene(w, h, seed).jpeg({ quality: 85 }).toBuffer().then(u8);

  // Not images, or broken ones.
  add({ name: 'empty.jpg', bytes: new Uint8Array(0), what: 'zero bytes', expected: { outcome: 'error', reason: /empty file \(0 bytes\)/ } });
  const whole = await photo(1);
  add({
    name: 'truncated.jpg',
    bytes: whole.slice(0, Math.floor(whole.length / 2)),
    what: 'a JPEG cut in half',
    expected: { outcome: 'error', reason: /truncated JPEG/ },
  });
  const png = u8(await scene(200, 150, 2).png().toBuffer());
  add({
    name: 'bad-crc.png',
    bytes: withBadIdatCrc(png),
    what: 'PNG whose IDAT CRC is wrong (pixel data intact)',
    expected: { outcome: 'error', reason: /damaged/ },
  });
  add({
    name: 'notes.jpg',
    bytes: text('These are my notes, not a photo.\nShopping: milk, eggs.\n'),
    what: 'plain text named .jpg',
    expected: { outcome: 'error', reason: /not an image/ },
  });
  add({
    name: 'IMG_4032.HEIC',
    bytes: minimalHeic(4032, 3024),
    what: 'HEIC container (ftyp heic, HEVC item)',
    expected: { outcome: 'error', reason: /HEIC/ },
  });
  add({
    name: 'scan.tiff',
    bytes: u8(await scene(300, 200, 3).tiff().toBuffer()),
    what: 'TIFF (baseline, RGB)',
    expected: { outcome: 'error', reason: /TIFF/ },
  });
  add({
    name: 'drawing.svg',
    bytes: text(
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" onload="window.__loupeInjected=1">' +
        '<script>window.__loupeInjected=1</script><rect width="200" height="100" fill="tomato"/></svg>\n',
    ),
    what: 'SVG with an onload and a script inside',
    expected: { outcome: 'error', reason: /SVG/ },
  });
  add({
    name: 'bomb.png',
    bytes: pngBombHeader(30000, 30000),
    what: 'PNG header claiming 30000×30000 (900 MP), 4 rows of data',
    expected: { outcome: 'error', reason: /too large/ },
  });

  // Formats and pixel layouts Chromium reads.
  add({
    name: 'photo.avif',
    bytes: u8(await scene(320, 240, 4).avif({ quality: 60 }).toBuffer()),
    what: 'AVIF',
    expected: { outcome: 'scored', width: 320, height: 240 },
  });
  // Some encoders write the generic HEIF brand first (ftyp mif1, compatible avif): still an AVIF, not a HEIC.
  const mif1 = u8(await scene(320, 240, 12).avif({ quality: 60 }).toBuffer());
  if (String.fromCharCode(...mif1.subarray(4, 12)) !== 'ftypavif') throw new Error('sharp wrote an unexpected AVIF header');
  mif1.set(text('mif1'), 8);
  add({
    name: 'brand-mif1.avif',
    bytes: mif1,
    what: 'AVIF whose major brand is mif1 (avif among the compatible ones)',
    expected: { outcome: 'scored', width: 320, height: 240 },
  });
  const redFrame = await sharp(flatRaw(160, 120, [220, 30, 30]), { raw: { width: 160, height: 120, channels: 3 } }).png().toBuffer();
  const blueFrame = await sharp(flatRaw(160, 120, [30, 40, 220]), { raw: { width: 160, height: 120, channels: 3 } }).png().toBuffer();
  add({
    name: 'animated.gif',
    bytes: u8(await sharp([redFrame, blueFrame, blueFrame], { join: { animated: true } }).gif({ delay: [200, 200, 200], loop: 0 }).toBuffer()),
    what: 'animated GIF, 3 frames (red, then blue)',
    expected: { outcome: 'scored', width: 160, height: 120, dominant: 'red' },
  });
  add({
    name: 'animated.webp',
    bytes: u8(await sharp([redFrame, blueFrame, blueFrame], { join: { animated: true } }).webp({ delay: [200, 200, 200], loop: 0 }).toBuffer()),
    what: 'animated WebP, 3 frames (red, then blue)',
    expected: { outcome: 'scored', width: 160, height: 120, dominant: 'red' },
  });
  add({
    name: 'deep-16bit.png',
    bytes: u8(await scene(240, 180, 5).toColourspace('rgb16').png().toBuffer()),
    what: '16-bit RGB PNG',
    expected: { outcome: 'scored', width: 240, height: 180 },
  });
  add({
    name: 'print-cmyk.jpg',
    bytes: u8(await scene(240, 180, 6).toColourspace('cmyk').jpeg({ quality: 85 }).toBuffer()),
    what: 'CMYK JPEG (Adobe APP14)',
    expected: { outcome: 'scored', width: 240, height: 180 },
  });
  const [icon] = await icoCorpus();
  add({
    name: 'favicon.ico',
    bytes: icon.bytes,
    what: 'ICO: 16 px and 256 px PNG entries and a 32 px BMP entry (the 256 px one is shown)',
    expected: { outcome: 'scored', width: 256, height: 256 },
  });
  add({
    name: 'gray.jpg',
    bytes: u8(await scene(240, 180, 7).toColourspace('b-w').jpeg({ quality: 85 }).toBuffer()),
    what: 'grayscale JPEG (one component)',
    expected: { outcome: 'scored', width: 240, height: 180 },
  });
  add({
    name: 'gray-alpha.png',
    bytes: u8(await scene(200, 200, 8).toColourspace('b-w').ensureAlpha(0.5).png().toBuffer()),
    what: 'grayscale PNG with alpha',
    expected: { outcome: 'scored', width: 200, height: 200 },
  });
  add({
    name: 'pixel-1x1.png',
    bytes: u8(await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 200, g: 100, b: 50 } } }).png().toBuffer()),
    what: '1×1 PNG',
    expected: { outcome: 'scored', width: 1, height: 1 },
  });
  add({
    name: 'strip-20000x20.png',
    bytes: u8(await scene(20000, 20, 9).png().toBuffer()),
    what: '20000×20 strip',
    expected: { outcome: 'scored', width: 20000, height: 20 },
  });
  add({
    name: 'jpeg-named.png',
    bytes: await photo(10),
    what: 'a JPEG with a .png name',
    expected: { outcome: 'scored', width: 320, height: 240 },
  });
  if (huge) {
    const middle = await scene(1200, 1200, 11).png().toBuffer();
    add({
      name: 'huge-12000x12000.jpg',
      bytes: u8(
        await sharp({ create: { width: 12000, height: 12000, channels: 3, background: { r: 90, g: 120, b: 200 } } })
          .composite([{ input: middle, left: 5400, top: 5400 }])
          .jpeg({ quality: 80 })
          .toBuffer(),
      ),
      what: '12000×12000 JPEG (144 MP)',
      expected: { outcome: 'scored', width: 12000, height: 12000 },
    });
  }

  // All eight EXIF orientations of a 96×64 image with a red block in its stored top-left corner.
  for (let o = 1; o <= 8; o++) {
    const view = orientedView(o, 96, 64);
    add({
      name: `orientation-${o}.jpg`,
      bytes: u8(await sharp(markerRaw(96, 64), { raw: { width: 96, height: 64, channels: 3 } }).jpeg({ quality: 90 }).withMetadata({ orientation: o }).toBuffer()),
      what: `JPEG 96×64, EXIF Orientation ${o}`,
      expected: { outcome: 'scored', width: view.width, height: view.height, marker: view.marker },
    });
  }

  // Names that must show as text and nothing else.
  let seed = 20;
  for (const [key, name] of Object.entries(HOSTILE_NAMES)) {
    add({ name, bytes: await photo(seed++), what: `file name with ${key === 'rtl' ? 'RTL text and U+202E' : key}`, expected: { outcome: 'scored', width: 320, height: 240 } });
  }

  // The same name in two folders (different photos): two tiles, told apart by their paths.
  for (const folder of ['trip-a', 'trip-b']) {
    add({
      name: 'IMG_0001.jpg',
      relativePath: `${folder}/IMG_0001.jpg`,
      bytes: await photo(seed++),
      what: `IMG_0001.jpg in folder ${folder}/`,
      expected: { outcome: 'scored', width: 320, height: 240 },
    });
  }
  return files;
}

/** `npx tsx e2e/hostileCorpus.ts <outdir>` */
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: npx tsx e2e/hostileCorpus.ts <outdir>');
    process.exit(2);
  }
  const files = await hostileCorpus();
  for (const f of files) {
    const path = join(out, f.relativePath ?? f.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.bytes);
  }
  for (const f of files) {
    const e = f.expected;
    const outcome = e.outcome === 'scored' ? `scored${e.width ? ` ${e.width}×${e.height}` : ''}` : `error ${e.reason}`;
    console.log(`${(f.relativePath ?? f.name).padEnd(44)} ${String(f.bytes.length).padStart(9)} B  ${f.what}  →  ${outcome}`);
  }
  console.log(`${files.length} files in ${out}`);
}
