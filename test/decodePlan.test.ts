import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { clipResizeBytes, headerSize, jpegSize, MAX_DECODE_PIXELS, planDecode } from '../src/library/decodePlan';

const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 90, g: 120, b: 200 } } });
const bytes = (b: Buffer) => new Uint8Array(b);

describe('jpegSize', () => {
  it('reads the frame header behind EXIF and ICC segments, baseline and progressive', async () => {
    const withExif = bytes(await solid(321, 123).jpeg().withMetadata({ orientation: 6 }).toBuffer());
    expect(jpegSize(withExif)).toEqual({ width: 321, height: 123 });
    const progressive = bytes(await solid(64, 999).jpeg({ progressive: true }).withIccProfile('p3').toBuffer());
    expect(jpegSize(progressive)).toEqual({ width: 64, height: 999 });
    const cmyk = bytes(await solid(40, 30).toColourspace('cmyk').jpeg().toBuffer());
    expect(jpegSize(cmyk)).toEqual({ width: 40, height: 30 });
  });

  it('asks for more bytes when the prefix ends before the frame header', async () => {
    const jpeg = bytes(await solid(100, 50).jpeg().withIccProfile('p3').toBuffer());
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    const short = jpegSize(jpeg.subarray(0, sof - 1));
    expect(short).toHaveProperty('needBytes');
    expect((short as { needBytes: number }).needBytes).toBeGreaterThan(sof - 1);
    expect(jpegSize(jpeg.subarray(0, 3))).toEqual({ needBytes: 4 });
  });

  it('skips fill and stray bytes, and gives null for scan data before any frame header or a bad segment', () => {
    const sof = [0xff, 0xc0, 0, 11, 8, 0, 20, 0, 30, 1, 1, 0x11, 0];
    expect(jpegSize(new Uint8Array([0xff, 0xd8, 0xff, 0xff, ...sof]))).toEqual({ width: 30, height: 20 });
    expect(jpegSize(new Uint8Array([0xff, 0xd8, 0x12, 0x34, ...sof]))).toEqual({ width: 30, height: 20 });
    expect(jpegSize(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2, 0, 0, 0, 0]))).toBeNull();
    expect(jpegSize(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0, 1, 0, 0]))).toBeNull();
    expect(jpegSize(new Uint8Array([0x12, 0x34, 0, 0]))).toBeNull();
    // Height 0 (DNL): browsers cannot decode it.
    expect(jpegSize(new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 0, 0, 30, 1, 1, 0x11, 0]))).toBeNull();
  });
});

describe('headerSize', () => {
  it('reads PNG, GIF, WebP (lossy, lossless, extended) and AVIF sizes as sharp wrote them', async () => {
    expect(headerSize('png', bytes(await solid(20000, 20).png().toBuffer()))).toEqual({ width: 20000, height: 20 });
    expect(headerSize('gif', bytes(await solid(77, 33).gif().toBuffer()))).toEqual({ width: 77, height: 33 });
    expect(headerSize('webp', bytes(await solid(301, 199).webp().toBuffer()))).toEqual({ width: 301, height: 199 });
    expect(headerSize('webp', bytes(await solid(301, 199).webp({ lossless: true }).toBuffer()))).toEqual({ width: 301, height: 199 });
    const frame = await solid(50, 40).png().toBuffer();
    const animated = bytes(await sharp([frame, frame], { join: { animated: true } }).webp({ loop: 0 }).toBuffer());
    expect(headerSize('webp', animated)).toEqual({ width: 50, height: 40 });
    expect(headerSize('avif', bytes(await solid(320, 240).avif().toBuffer()))).toEqual({ width: 320, height: 240 });
  });

  it('reads BMP headers, top-down and OS/2 ones included', () => {
    const bmp = (headerSizeField: number, w: number, h: number, core = false) => {
      const b = new Uint8Array(54);
      b.set([0x42, 0x4d]);
      new DataView(b.buffer).setUint32(14, headerSizeField, true);
      if (core) {
        new DataView(b.buffer).setUint16(18, w, true);
        new DataView(b.buffer).setUint16(20, h, true);
      } else {
        new DataView(b.buffer).setInt32(18, w, true);
        new DataView(b.buffer).setInt32(22, h, true);
      }
      return b;
    };
    expect(headerSize('bmp', bmp(40, 640, 480))).toEqual({ width: 640, height: 480 });
    expect(headerSize('bmp', bmp(40, 640, -480))).toEqual({ width: 640, height: 480 });
    expect(headerSize('bmp', bmp(12, 100, 60, true))).toEqual({ width: 100, height: 60 });
  });

  it('gives null when the header does not say', () => {
    expect(headerSize('png', new Uint8Array(10))).toBeNull();
    expect(headerSize('webp', new TextEncoder().encode('RIFF\0\0\0\0WEBPJUNK________________'))).toBeNull();
    expect(headerSize('avif', new Uint8Array(100))).toBeNull();
  });
});

describe('planDecode', () => {
  it('decodes everything up to 40 MP as before', () => {
    expect(planDecode('jpeg', { width: 6000, height: 4000 }, true)).toEqual({ kind: 'full' });
    expect(planDecode('png', { width: 8000, height: 5000 }, true)).toEqual({ kind: 'full' });
    expect(planDecode('png', { width: 1, height: 1 }, false)).toEqual({ kind: 'full' });
  });

  it('decodes a bigger JPEG at the smallest k/8 whose short side reaches 896, never over the bound', () => {
    expect(planDecode('jpeg', { width: 12000, height: 12000 }, true)).toEqual({ kind: 'scaled', numerator: 1, width: 1500, height: 1500 });
    expect(planDecode('jpeg', { width: 9504, height: 6336 }, true)).toEqual({ kind: 'scaled', numerator: 2, width: 2376, height: 1584 });
    // A 41 MP panorama 20000 × 2050: the short side reaches 896 only at 4/8.
    expect(planDecode('jpeg', { width: 20000, height: 2050 }, true)).toEqual({ kind: 'scaled', numerator: 4, width: 10000, height: 1025 });
    // Where no scale reaches 896 within the bound, the largest that fits.
    const thin = planDecode('jpeg', { width: 60000, height: 800 }, true);
    expect(thin).toEqual({ kind: 'scaled', numerator: 7, width: 52500, height: 700 });
    for (const size of [{ width: 65535, height: 65535 }, { width: 50000, height: 9000 }, { width: 7000, height: 6000 }]) {
      const plan = planDecode('jpeg', size, true);
      if (plan.kind === 'scaled') expect(plan.width * plan.height).toBeLessThanOrEqual(MAX_DECODE_PIXELS);
    }
  });

  it('refuses with a reason what it cannot decode within the bound', () => {
    const png = planDecode('png', { width: 12000, height: 12000 }, true);
    expect(png).toEqual({ kind: 'refuse', reason: expect.stringMatching(/too large.*12000×12000 is 144 MP.*40 MP limit.*only JPEGs/) });
    expect(planDecode('png', { width: 30000, height: 30000 }, true)).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/900 MP/) });
    expect(planDecode('jpeg', { width: 12000, height: 12000 }, false)).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/this browser cannot decode JPEGs at a reduced size/) });
    expect(planDecode('jpeg', { width: 65535, height: 65535 }, true)).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/even at 1\/8 size/) });
    expect(planDecode('webp', null, true)).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/cannot read the image size from this WEBP file's header/) });
  });

  it('bounds the model resize of long thin strips: 20000×20 fits (150 MB), 30000×20 does not', () => {
    expect(clipResizeBytes({ width: 20000, height: 20 })).toBe(224000 * 224 * 3);
    expect(planDecode('png', { width: 20000, height: 20 }, true)).toEqual({ kind: 'full' });
    expect(planDecode('png', { width: 20, height: 20000 }, true)).toEqual({ kind: 'full' });
    expect(planDecode('png', { width: 30000, height: 20 }, true)).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/too long and thin.*1500:1.*226 MB.*160 MB/) });
  });
});

describe('planDecode, fast path', () => {
  const need = { shortSide: 448, longSide: 0 };
  it('decodes a JPEG at the smallest k/8 whose short side still reaches twice the model input', () => {
    // 6000×4000: 1/8 gives 750×500 (short side 500 ≥ 448).
    expect(planDecode('jpeg', { width: 6000, height: 4000 }, true, MAX_DECODE_PIXELS, need)).toEqual({ kind: 'scaled', numerator: 1, width: 750, height: 500 });
    // 4032×3024: 1/8 gives 378 < 448, 2/8 gives 1008×756.
    expect(planDecode('jpeg', { width: 4032, height: 3024 }, true, MAX_DECODE_PIXELS, need)).toEqual({ kind: 'scaled', numerator: 2, width: 1008, height: 756 });
  });
  it('keeps the people checks’ long side when asked', () => {
    expect(planDecode('jpeg', { width: 6000, height: 4000 }, true, MAX_DECODE_PIXELS, { shortSide: 448, longSide: 1600 })).toEqual({ kind: 'scaled', numerator: 3, width: 2250, height: 1500 });
  });
  it('decodes at full size when half size would not do, for other formats, and without ImageDecoder', () => {
    // 1600×1200 at 2/8 is 400×300 < 448; at 3/8, 600×450.
    expect(planDecode('jpeg', { width: 1600, height: 1200 }, true, MAX_DECODE_PIXELS, need)).toEqual({ kind: 'scaled', numerator: 3, width: 600, height: 450 });
    // 910×1137 would need 4/8, which does not divide 1137: the resize would see a stretched image; full size.
    expect(planDecode('jpeg', { width: 910, height: 1137 }, true, MAX_DECODE_PIXELS, need)).toEqual({ kind: 'full' });
    // 6004×4002: 1/8 and 2/8 do not divide 4002, 4/8 does: 3002×2001.
    expect(planDecode('jpeg', { width: 6004, height: 4002 }, true, MAX_DECODE_PIXELS, need)).toEqual({ kind: 'scaled', numerator: 4, width: 3002, height: 2001 });
    // 1200×800 needs 5/8 (750×500): not worth it, full size.
    expect(planDecode('jpeg', { width: 1200, height: 800 }, true, MAX_DECODE_PIXELS, need)).toEqual({ kind: 'full' });
    expect(planDecode('png', { width: 6000, height: 4000 }, true, MAX_DECODE_PIXELS, need)).toEqual({ kind: 'full' });
    expect(planDecode('jpeg', { width: 6000, height: 4000 }, false, MAX_DECODE_PIXELS, need)).toEqual({ kind: 'full' });
  });
});
