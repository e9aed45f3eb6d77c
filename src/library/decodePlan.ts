/**
 * How big an image is before it is decoded, and how to decode it within the memory bound
 * (docs/reliability.md, "Bad input").
 *
 * Measured in Chromium 156: createImageBitmap(blob, { resizeWidth, resizeHeight }) decodes at full size first,
 * so a 12000×12000 JPEG costs ≈ 1.1 GB whatever size is asked for. WebCodecs' ImageDecoder with
 * desiredWidth/desiredHeight makes the JPEG decoder itself scale by k/8 (DCT scaling): the same file then costs
 * ≈ 15 MB. Other formats (PNG, WebP, AVIF, GIF, BMP) ignore the desired size. Hence the plan: everything up to
 * the bound is decoded as before (exactly as PIL sees it); bigger JPEGs are decoded at a k/8 scale that fits;
 * bigger files of other formats are refused with a reason. Pure functions, so they run in Node tests.
 */
import { MAX_FULL_RESOLUTION_PIXELS, PRESHRINK_SHORT_SIDE } from '../engine/bitmapPixels';
import { resizeOutputSize, CLIP_IMAGE_SIZE } from '../engine/preprocess';
import type { ImageFormat } from './sniff';
import { bestIcoEntry, readIcoDirectory } from './icoDirectory';

/**
 * No decoded bitmap has more pixels than this: 40 MP, 160 MB as RGBA (the exact-path limit of bitmapPixels.ts).
 * No buffer made from an image is larger than its RGBA size either (planDecode's check on the model's resize).
 */
export const MAX_DECODE_PIXELS = MAX_FULL_RESOLUTION_PIXELS;

export interface ImageSize {
  width: number;
  height: number;
}

/** The answer for JPEGs, which may need more bytes than the caller read. */
export type JpegSizeResult = ImageSize | { needBytes: number } | null;

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const i32le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
const tag = (b: Uint8Array, i: number) => String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);

/**
 * Walks a JPEG's marker segments from the start to the first frame header (SOF0–SOF15 but DHT, JPG, DAC).
 * `bytes` is a prefix of the file; `{ needBytes }` asks for a longer one. null: no frame header before the scan
 * data, or a malformed segment (the decoder would fail too).
 */
export function jpegSize(bytes: Uint8Array): JpegSizeResult {
  if (bytes.length < 4) return { needBytes: 4 };
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  for (;;) {
    if (i + 4 > bytes.length) return { needBytes: i + 4 };
    if (bytes[i] !== 0xff) {
      // Stray bytes between segments: libjpeg warns ("extraneous bytes before marker") and reads on, so do we.
      i++;
      continue;
    }
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or scan data, before any frame header
    const length = u16be(bytes, i + 2);
    if (length < 2) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (i + 9 > bytes.length) return { needBytes: i + 9 };
      const height = u16be(bytes, i + 5);
      const width = u16be(bytes, i + 7);
      // Height 0 means "given later by a DNL marker", which browsers do not support.
      return width > 0 && height > 0 ? { width, height } : null;
    }
    i += 2 + length;
  }
}

/**
 * The stored size of a PNG, GIF, WebP, BMP, ICO or AVIF from its first bytes (64 KB is plenty: the size is in the
 * first chunk or box that matters). null when the header does not say.
 */
export function headerSize(format: ImageFormat, b: Uint8Array): ImageSize | null {
  const ok = (width: number, height: number) => (width > 0 && height > 0 ? { width, height } : null);
  switch (format) {
    case 'png':
      // IHDR is the first chunk by the spec.
      return b.length >= 24 && tag(b, 12) === 'IHDR' ? ok(u32be(b, 16), u32be(b, 20)) : null;
    case 'gif':
      // The logical screen: Chromium clips every frame to it.
      return b.length >= 10 ? ok(u16le(b, 6), u16le(b, 8)) : null;
    case 'bmp': {
      if (b.length < 26) return null;
      const headerSize = b[14] | (b[15] << 8) | (b[16] << 16) | (b[17] << 24);
      if (headerSize === 12) return ok(u16le(b, 18), u16le(b, 20)); // OS/2 BITMAPCOREHEADER
      return ok(Math.abs(i32le(b, 18)), Math.abs(i32le(b, 22))); // negative height: rows stored top-down
    }
    case 'webp': {
      if (b.length < 30) return null;
      const chunk = tag(b, 12);
      if (chunk === 'VP8X') return ok(u24le(b, 24) + 1, u24le(b, 27) + 1);
      if (chunk === 'VP8L') {
        if (b[20] !== 0x2f) return null;
        const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
        return ok((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
      }
      if (chunk === 'VP8 ') {
        // Key frame start code 9d 01 2a, then 14-bit width and height (2 scale bits above each).
        if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
        return ok(u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
      }
      return null;
    }
    case 'ico': {
      // Chromium shows the best entry, the largest (icoDirectory.ts); an entry's 0 byte means 256.
      const best = bestIcoEntry(readIcoDirectory(b) ?? []);
      return best && ok(best.width, best.height);
    }
    case 'avif': {
      // Every image item has an 'ispe' property; the largest is the primary image (a grid's tiles are smaller).
      let best: ImageSize | null = null;
      for (let i = 4; i + 16 <= b.length; i++) {
        if (b[i] !== 0x69 || tag(b, i) !== 'ispe') continue;
        const size = ok(u32be(b, i + 8), u32be(b, i + 12));
        if (size && (!best || size.width * size.height > best.width * best.height)) best = size;
      }
      return best;
    }
    default:
      return null;
  }
}

export type DecodePlan =
  /** Decode at full size, as before (the exact path). */
  | { kind: 'full' }
  /** Decode a JPEG at `numerator`/8 of its stored size (ImageDecoder's desired size): width × height. */
  | { kind: 'scaled'; numerator: number; width: number; height: number }
  | { kind: 'refuse'; reason: string };

const mp = (pixels: number) => `${(pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0)} MP`;
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

/** Bytes of the RGB image the CLIP resize makes (shortest side 224, the other in proportion) before cropping. */
export function clipResizeBytes(size: ImageSize): number {
  const out = resizeOutputSize(size.width, size.height, CLIP_IMAGE_SIZE);
  return out.width * out.height * 3;
}

/**
 * The fast path's need: the decoded image must still have a short side of `shortSide` (twice the model's
 * input, so the exact bicubic that follows has enough to work with) and a long side of `longSide` (the
 * people checks' working size; 0 when they are off).
 */
export interface FastDecodeNeed {
  shortSide: number;
  longSide: number;
}

/** Twice the model's input on the short side: what the fast path keeps (docs/preprocessing.md). */
export const FAST_SHORT_SIDE = 2 * CLIP_IMAGE_SIZE;

/**
 * The smallest k/8 scale (k ≤ 4: at most half size; above that the decode saves little, and full size keeps the
 * image exactly as PIL sees it) that meets `need` and divides both sides exactly; null when none does.
 * An inexact scale would not do: libjpeg rounds a partial row or column up, so the bicubic resize would see a
 * slightly stretched image and could crop one output pixel off PIL's (measured: max 123/255 on a 910×1137 photo;
 * docs/preprocessing.md). Camera originals (6000×4000, 4032×3024…) divide at every k.
 */
export function fastJpegScale(size: ImageSize, need: FastDecodeNeed): Extract<DecodePlan, { kind: 'scaled' }> | null {
  for (let k = 1; k <= 4; k++) {
    if ((size.width * k) % 8 !== 0 || (size.height * k) % 8 !== 0) continue;
    const width = (size.width * k) / 8;
    const height = (size.height * k) / 8;
    if (Math.min(width, height) >= need.shortSide && Math.max(width, height) >= need.longSide) return { kind: 'scaled', numerator: k, width, height };
  }
  return null;
}

/**
 * How to decode an image of `size` (stored, before EXIF rotation) within the bound. `canScaleJpeg`: the
 * browser has ImageDecoder (WebCodecs) with desired-size decoding. `fast`: decode JPEGs at the smallest k/8
 * scale that meets this need even when the full size fits (absent: the exact path, full size up to the bound).
 */
export function planDecode(format: ImageFormat, size: ImageSize | null, canScaleJpeg: boolean, maxPixels = MAX_DECODE_PIXELS, fast?: FastDecodeNeed): DecodePlan {
  if (!size) {
    return { kind: 'refuse', reason: `cannot read the image size from this ${format.toUpperCase()} file's header: it is damaged` };
  }
  const { width, height } = size;
  const pixels = width * height;
  // The model's resize keeps the aspect ratio: a long thin strip becomes a very wide 224-pixel-high image.
  const resizeBytes = clipResizeBytes(size);
  if (resizeBytes > maxPixels * 4) {
    const ratio = Math.round(Math.max(width, height) / Math.min(width, height));
    return {
      kind: 'refuse',
      reason: `too long and thin to analyse (${width}×${height}, ${ratio}:1): resizing it for the model would take ${mb(resizeBytes)}, over the ${mb(maxPixels * 4)} limit`,
    };
  }
  if (pixels <= maxPixels) {
    const reduced = fast && format === 'jpeg' && canScaleJpeg ? fastJpegScale(size, fast) : null;
    return reduced ?? { kind: 'full' };
  }
  const what = `too large to open safely: ${width}×${height} is ${mp(pixels)}, over the ${mp(maxPixels)} limit`;
  if (format !== 'jpeg') return { kind: 'refuse', reason: `${what} (only JPEGs can be decoded at a reduced size)` };
  if (!canScaleJpeg) return { kind: 'refuse', reason: `${what} (this browser cannot decode JPEGs at a reduced size)` };
  // libjpeg scales by k/8 and rounds each side up. Take the smallest scale whose short side still reaches
  // PRESHRINK_SHORT_SIDE (4× the model input, the size bitmapPixels.ts pre-shrinks big images to), else the
  // largest scale within the bound.
  const scaled = (k: number) => ({ kind: 'scaled' as const, numerator: k, width: Math.ceil((width * k) / 8), height: Math.ceil((height * k) / 8) });
  let best: DecodePlan | null = null;
  for (let k = 1; k <= 7; k++) {
    const plan = scaled(k);
    if (plan.width * plan.height > maxPixels) break;
    best = plan;
    if (Math.min(plan.width, plan.height) >= PRESHRINK_SHORT_SIDE) break;
  }
  return best ?? { kind: 'refuse', reason: `${what}, even at 1/8 size` };
}
