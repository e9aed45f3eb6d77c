/**
 * BMP (and the BMPs inside ICO files) decoded to the pixels Chromium's decoder gives, for the CLI: sharp has no
 * BMP loader. Written from the behaviour of Blink's BMPImageReader (third_party/blink/renderer/platform/
 * image-decoders/bmp) and checked against Chromium 156 by e2e/parity.e2e.ts:
 *
 * - headers: OS/2 1.x (12 bytes), Windows V3 (40), V2/V3 with masks (52, 56), V4 (108), V5 (124), OS/2 2.x
 *   (16–64); 1, 2, 4, 8, 16, 24, 32 bits; BI_RGB, RLE8, RLE4, BITFIELDS, ALPHABITFIELDS, OS/2 RLE24; top-down;
 * - what Chromium refuses is refused: Huffman 1D, embedded JPEG/PNG (Chromium 156 fails them), sides of 65536
 *   or more, overlapping or broken masks, and any file whose pixel data ends early;
 * - alpha as Chromium reads it: Windows V3 ignores a 32-bit file's fourth byte (except in an ICO); a mask in
 *   a V3+ header is respected; pixels skipped by RLE stay transparent black. Inside an ICO, zero alpha counts
 *   as opaque until a non-zero alpha appears, and then what was decoded so far becomes transparent black
 *   (Blink's rule). Standalone BMPs in Chromium 156 do not follow that rule: a V4 file whose first rows have
 *   alpha 0 keeps their colours (measured; its BMP decoder there is no longer Blink's reader, which would
 *   clear them), so here they keep their stored values;
 * - colour profiles are ignored, as the app's decode does for the model.
 *
 * Output: straight (unpremultiplied) RGBA, rows top to bottom. Every read is bounds-checked, and nothing is
 * allocated before the size has passed the caller's pixel bound.
 */
import { MAX_DECODE_PIXELS } from '../../src/library/decodePlan';

export interface RgbaImage {
  data: Uint8Array;
  width: number;
  height: number;
}

enum Compression {
  RGB = 0,
  RLE8 = 1,
  RLE4 = 2,
  BITFIELDS = 3,
  JPEG = 4,
  PNG = 5,
  ALPHABITFIELDS = 6,
  HUFFMAN1D = 100,
  RLE24 = 101,
}

export class BmpError extends Error {}
const fail = (why: string): never => {
  throw new BmpError(why);
};

export interface DibOptions {
  /** Where the info header starts. */
  headerOffset: number;
  /** The file header's pixel-data offset (0 inside an ICO: the pixels follow the header and palette). */
  dataOffset: number;
  /** Inside an ICO: the height counts the AND mask, which follows the pixels; the size must match the directory. */
  ico?: { width: number; height: number };
  maxPixels?: number;
}

/** n-bit channel values widened to 8 bits (round(v · 255 / (2ⁿ − 1))), as Chromium's tables do. */
const widen = (value: number, bits: number) => Math.round((value * 255) / ((1 << bits) - 1));

/** A whole .bmp file. */
export function decodeBmp(file: Uint8Array, maxPixels = MAX_DECODE_PIXELS): RgbaImage {
  if (file.length < 18 || file[0] !== 0x42 || file[1] !== 0x4d) fail('not a BMP file');
  const dataOffset = (file[10] | (file[11] << 8) | (file[12] << 16) | (file[13] << 24)) >>> 0;
  return decodeDib(file, { headerOffset: 14, dataOffset, maxPixels });
}

/** A device-independent bitmap: info header, masks or palette, pixels (and, in an ICO, the AND mask). */
export function decodeDib(b: Uint8Array, opts: DibOptions): RgbaImage {
  const u8 = (i: number) => (i < b.length ? b[i] : fail('the file ends inside its pixel data'));
  const u16 = (i: number) => u8(i) | (u8(i + 1) << 8);
  const u32 = (i: number) => (u16(i) | (u16(i + 2) << 16)) >>> 0;
  const h0 = opts.headerOffset;
  const inIco = !!opts.ico;

  // Which header this is, from its size.
  const size = u32(h0);
  const headerEnd = h0 + size;
  if (opts.dataOffset && opts.dataOffset < headerEnd) fail('the pixel data starts inside the header');
  let os21x = false;
  let os22x = false;
  if (size === 12) os21x = true;
  else if (!(size === 40 || size === 52 || size === 56 || size === 108 || size === 124)) {
    if (size >= 16 && size <= 64 && (size % 4 === 0 || size === 42 || size === 46)) os22x = true;
    else fail(`unknown BMP header size ${size}`);
  }
  if (headerEnd > b.length) fail('the file ends inside its header');

  let width: number;
  let height: number;
  let bits: number;
  let compression = Compression.RGB;
  let colorsUsed = 0;
  let topDown = false;
  if (os21x) {
    width = u16(h0 + 4);
    height = u16(h0 + 6);
    bits = u16(h0 + 10);
  } else {
    width = u32(h0 + 4) | 0;
    height = u32(h0 + 8) | 0;
    if (inIco) height = Math.trunc(height / 2);
    if (height === -0x80000000) fail('bad height');
    if (height < 0) {
      topDown = true;
      height = -height;
    }
    bits = u16(h0 + 14);
    if (size >= 20) {
      const c = u32(h0 + 16);
      if (c === 3 && bits === 1) [compression, os22x] = [Compression.HUFFMAN1D, true];
      else if (c === 4 && bits === 24) [compression, os22x] = [Compression.RLE24, true];
      else if (c > Compression.ALPHABITFIELDS) fail(`unknown BMP compression ${c}`);
      else compression = c;
    }
    if (size >= 36) colorsUsed = u32(h0 + 32);
  }
  const alphaMaskInHeader = (size === 56 && !os22x) || size === 108 || size === 124;
  const rgbMasksInHeader = (size === 52 && !os22x) || alphaMaskInHeader;
  const masks = [0, 0, 0, 0];
  if (rgbMasksInHeader) for (let i = 0; i < 3; i++) masks[i] = u32(h0 + 40 + 4 * i);
  if (alphaMaskInHeader) masks[3] = u32(h0 + 52);

  // The checks Chromium makes before decoding.
  if (width <= 0 || height === 0) fail('the BMP header gives no size');
  if ((inIco || topDown) && (os21x || os22x)) fail('an OS/2 BMP cannot be top-down or inside an icon');
  if (![1, 4, 8, 24].includes(bits) && (os21x || os22x || (bits !== 0 && ![2, 16, 32].includes(bits)))) fail(`${bits} bits per pixel`);
  switch (compression) {
    case Compression.RGB:
      if (!bits) fail('0 bits per pixel');
      break;
    case Compression.RLE8:
      if (!bits || bits > 8) fail('RLE8 needs 8 bits or fewer');
      break;
    case Compression.RLE4:
      if (!bits || bits > 4) fail('RLE4 needs 4 bits or fewer');
      break;
    case Compression.BITFIELDS:
    case Compression.ALPHABITFIELDS:
      if (os21x || os22x || (bits !== 16 && bits !== 32)) fail('bit fields need 16 or 32 bits');
      break;
    case Compression.JPEG:
    case Compression.PNG:
      // Blink hands these to its JPEG/PNG decoder, but Chromium 156 fails every such file we made.
      fail('a BMP holding a JPEG or PNG is not decoded by the browser');
      break;
    case Compression.HUFFMAN1D:
      fail('OS/2 Huffman-coded BMPs are not decoded by the browser');
      break;
    case Compression.RLE24:
      if (!os22x || bits !== 24) fail('RLE24 needs 24 bits');
      break;
  }
  if (width >= 65536 || height >= 65536) fail(`${width}×${height} is beyond what the browser decodes`);
  if (opts.ico && (width !== opts.ico.width || height !== opts.ico.height)) fail("the icon's bitmap size does not match its directory");
  if (width * height > (opts.maxPixels ?? MAX_DECODE_PIXELS)) fail(`${width}×${height} is over the pixel bound`);

  if (bits < 16) {
    const max = 1 << bits;
    if (!colorsUsed || colorsUsed > max) colorsUsed = max;
  }
  if (compression === Compression.RLE8) bits = 8;
  else if (compression === Compression.RLE4) bits = 4;

  // Masks (16 and 32 bits) or the palette (fewer).
  let at = headerEnd;
  const shifts = [0, 0, 0, 0];
  const widths = [0, 0, 0, 0];
  let palette = new Uint8Array(0);
  if (bits >= 16) {
    if (compression !== Compression.BITFIELDS && compression !== Compression.ALPHABITFIELDS) {
      // Default layouts (x5-5-5, 8-8-8); masks a V4+ header gives for BI_RGB are ignored, its alpha mask is not.
      const n = bits === 16 ? 5 : 8;
      for (let i = 0; i < 3; i++) masks[i] = ((1 << (n * (3 - i))) - 1) ^ ((1 << (n * (2 - i))) - 1);
    } else if (!rgbMasksInHeader) {
      const withAlpha = compression === Compression.ALPHABITFIELDS;
      const end = headerEnd + (withAlpha ? 16 : 12);
      if (opts.dataOffset && opts.dataOffset < end) fail('the bit masks overlap the pixel data');
      for (let i = 0; i < (withAlpha ? 4 : 3); i++) masks[i] = u32(headerEnd + 4 * i);
      at = end;
    }
    // Windows V3 files with a fourth byte but no alpha mask: opaque, except 32-bit BI_RGB inside an icon.
    if (!alphaMaskInHeader && compression !== Compression.ALPHABITFIELDS) {
      masks[3] = inIco && compression !== Compression.BITFIELDS && bits === 32 ? 0xff000000 : 0;
    }
    for (let i = 0; i < 4; i++) {
      if (bits < 32) masks[i] = (masks[i] & ((1 << bits) - 1)) >>> 0;
      let m = masks[i];
      if (!m) continue;
      for (let j = 0; j < i; j++) if (m & masks[j]) fail('overlapping bit masks');
      while (!(m & 1)) {
        m >>>= 1;
        shifts[i]++;
      }
      let n = 0;
      while (m & 1) {
        m >>>= 1;
        n++;
      }
      if (m) fail('a bit mask with a gap');
      // Only the top 8 bits of a wide channel are kept; narrower ones are widened by table.
      if (n >= 8) {
        shifts[i] += n - 8;
        n = 0;
      }
      widths[i] = n;
    }
  } else {
    const perColor = os21x ? 3 : 4;
    let colors = colorsUsed;
    if (opts.dataOffset && opts.dataOffset < headerEnd + colors * perColor) colors = Math.floor((opts.dataOffset - headerEnd) / perColor);
    // Entries past a short palette are black.
    palette = new Uint8Array(colorsUsed * 3);
    for (let i = 0; i < colors; i++) {
      palette[i * 3] = u8(at + 2);
      palette[i * 3 + 1] = u8(at + 1);
      palette[i * 3 + 2] = u8(at);
      at += perColor;
    }
  }
  if (opts.dataOffset) at = opts.dataOffset;

  // Decoding: a zeroed (transparent black) frame, filled from the bottom row up unless top-down.
  const out = new Uint8Array(width * height * 4);
  let x = 0;
  let y = topDown ? 0 : height - 1;
  const pastEnd = (rows: number) => (topDown ? y + rows >= height : y - rows < 0);
  const set = (r: number, g: number, bl: number, a: number) => {
    const o = (y * width + x) * 4;
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = bl;
    out[o + 3] = a;
    x++;
  };
  const setIndex = (i: number) => (i < colorsUsed ? set(palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2], 255) : set(0, 0, 0, 255));
  const nextRow = () => {
    x = 0;
    y += topDown ? 1 : -1;
  };
  const component = (pixel: number, i: number) => {
    const v = ((pixel & masks[i]) >>> shifts[i]) & 0xff;
    return widths[i] ? widen(v, widths[i]) : v;
  };
  let sawNonZeroAlpha = false;
  let sawZeroAlpha = false;
  let andMask = false;

  /** `count` pixels of the current row (RLE's absolute runs), or every remaining row when not in RLE. */
  const plain = (inRle: boolean, count: number) => {
    const n = inRle ? count : width;
    if (x + n > width) fail('a run goes past the end of its row');
    const perByte = 8 / bits;
    const bytesPerPixel = bits / 8;
    const unpadded = bits < 16 ? Math.ceil(n / perByte) : n * bytesPerPixel;
    const align = inRle ? 1 : 3;
    const padded = (unpadded + align) & ~align;
    while (!pastEnd(0)) {
      if (b.length - at < padded) fail('the file ends inside its pixel data');
      const endX = x + n;
      if (bits < 16) {
        const valueMask = (1 << bits) - 1;
        for (const stop = at + unpadded; at < stop; at++) {
          let byte = b[at];
          for (let p = 0; p < perByte && x < endX; p++) {
            const index = (byte >> (8 - bits)) & valueMask;
            if (andMask) {
              // A set AND bit makes the pixel transparent black; a clear one leaves it as decoded.
              if (index) set(0, 0, 0, 0);
              else x++;
            } else setIndex(index);
            byte = (byte << bits) & 0xff;
          }
        }
      } else {
        for (; x < endX; at += bytesPerPixel) {
          const pixel = bytesPerPixel === 2 ? b[at] | (b[at + 1] << 8) : bytesPerPixel === 3 ? b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) : (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
          let alpha = masks[3] ? component(pixel, 3) : 255;
          // Blink's rule inside icons: all-zero alpha usually means "no alpha", so opaque until a real alpha
          // value shows up. Standalone BMPs keep their stored values (see the top of this file).
          if (inIco && !sawNonZeroAlpha && !alpha) {
            sawZeroAlpha = true;
            alpha = 255;
          } else if (inIco) {
            sawNonZeroAlpha = true;
            if (sawZeroAlpha) {
              out.fill(0);
              sawZeroAlpha = false;
            }
          }
          set(component(pixel, 0), component(pixel, 1), component(pixel, 2), alpha);
        }
      }
      at += padded - unpadded;
      if (inRle) return;
      nextRow();
    }
  };

  const runLength = () => {
    for (;;) {
      if (b.length - at < 2) fail('the RLE data ends before its end marker');
      const count = b[at];
      const code = b[at + 1];
      const isPastEnd = pastEnd(0);
      if ((count || code !== 1) && isPastEnd) fail('RLE data past the last row');
      if (!count) {
        if (code === 0) {
          nextRow(); // end of line: the rest of the row stays transparent
          at += 2;
        } else if (code === 1) {
          return; // end of bitmap
        } else if (code === 2) {
          if (b.length - at < 4) fail('the RLE data ends inside a delta');
          const dx = b[at + 2];
          const dy = b[at + 3];
          if (x + dx > width || pastEnd(dy)) fail('an RLE delta goes past the image');
          x += dx;
          y += topDown ? dy : -dy;
          at += 4;
        } else {
          at += 2;
          plain(true, code);
        }
      } else {
        const endX = Math.min(x + count, width);
        if (compression === Compression.RLE24) {
          if (b.length - at < 4) fail('the RLE data ends inside a run');
          while (x < endX) set(b[at + 3], b[at + 2], code, 255);
          at += 4;
        } else {
          const indices = compression === Compression.RLE4 ? [code >> 4, code & 15] : [code, code];
          for (let which = 0; x < endX; which ^= 1) setIndex(indices[which]);
          at += 2;
        }
      }
    }
  };

  if (!pastEnd(0)) {
    if (compression === Compression.RLE8 || compression === Compression.RLE4 || compression === Compression.RLE24) runLength();
    else plain(false, 0);
  }
  // An icon's AND mask, unless its pixels carried real alpha.
  if (inIco && (bits < 16 || !masks[3] || !sawNonZeroAlpha)) {
    x = 0;
    y = topDown ? 0 : height - 1;
    bits = 1;
    andMask = true;
    plain(false, 0);
  }
  return { data: out, width, height };
}
