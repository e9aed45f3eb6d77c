import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLIP_IMAGE_SIZE,
  centerCrop,
  preprocessForClip,
  preprocessReducedForClip,
  resizeBicubic,
  resizeOutputSize,
  resizeShortestSide,
  toClipTensor,
  type PixelSource,
  type RgbImage,
} from '../src/engine/preprocess.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/preprocess/', import.meta.url));

interface FixtureEntry {
  file: string;
  ref: string;
  mode: string;
  orientation: number;
  oriented: [number, number];
  resized: [number, number];
  crop: { left: number; top: number };
  exercises: string;
}

interface FixtureIndex {
  normalization: { bytes: number[]; values: Record<'r' | 'g' | 'b', number[]> };
  fixtures: FixtureEntry[];
}

const index = JSON.parse(readFileSync(FIXTURES + 'index.json', 'utf8')) as FixtureIndex;

/** Decode like the app's model path should: EXIF applied, no colour management, alpha kept as stored. */
async function decode(file: string): Promise<PixelSource> {
  const { data, info } = await sharp(FIXTURES + file).rotate().raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (channels === 3 || channels === 4) return { data: bytes, width, height, channels };
  // Grey (+alpha) sources: replicate like PIL's L -> RGB so the resampler sees what PIL's does.
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.fill(bytes[i * channels], i * 3, i * 3 + 3);
  return { data: rgb, width, height, channels: 3 };
}

function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

const table: Record<string, { max: number; mean: number; lossless: boolean }> = {};

describe('preprocessing matches PIL on the generated fixtures', () => {
  afterAll(() => {
    console.log('max/mean |diff| against PIL (0..255), sharp decode + resizeShortestSide + centerCrop:');
    console.table(table);
  });

  for (const fx of index.fixtures) {
    const lossless = fx.file.endsWith('.png');
    it(`${fx.file}: ${fx.exercises}`, async () => {
      const src = await decode(fx.file);
      expect([src.width, src.height]).toEqual(fx.oriented);
      const resized = resizeShortestSide(src, CLIP_IMAGE_SIZE);
      expect([resized.width, resized.height]).toEqual(fx.resized);
      const crop = centerCrop(resized, CLIP_IMAGE_SIZE);
      const ref = new Uint8Array(readFileSync(FIXTURES + fx.ref));
      expect(crop.data.length).toBe(ref.length);
      const d = diff(crop.data, ref);
      table[fx.file] = { max: d.max, mean: Number(d.mean.toFixed(4)), lossless };
      expect(d.max).toBeLessThanOrEqual(2);
      expect(d.mean).toBeLessThanOrEqual(0.5);
      // PNG decoding is lossless, so any difference there would be the resampler's own.
      if (lossless) expect(d.max).toBe(0);
    });
  }
});

describe('output size rule (HF get_resize_output_image_size, default_to_square=False)', () => {
  const cases: Array<[number, number, number, number]> = [
    [225, 1000, 224, 995],
    [1000, 225, 995, 224],
    [223, 223, 224, 224],
    [224, 224, 224, 224],
    [4000, 3000, 298, 224],
    [50, 37, 302, 224],
    [1, 300, 224, 67200],
  ];
  it.each(cases)('%i x %i -> %i x %i', (w, h, ow, oh) => {
    expect(resizeOutputSize(w, h, 224)).toEqual({ width: ow, height: oh });
  });

  it('agrees with the sizes PIL produced for every fixture', () => {
    for (const fx of index.fixtures) {
      const [w, h] = fx.oriented;
      const size = resizeOutputSize(w, h, CLIP_IMAGE_SIZE);
      expect([size.width, size.height], fx.file).toEqual(fx.resized);
    }
  });

  it('resizes odd sizes to exactly those dimensions', () => {
    for (const [w, h, ow, oh] of cases.slice(0, 3)) {
      const src: PixelSource = { data: new Uint8Array(w * h * 3).fill(77), width: w, height: h, channels: 3 };
      const out = resizeShortestSide(src, 224);
      expect([out.width, out.height]).toEqual([ow, oh]);
      // Normalised weights sum to one, so a flat image must stay flat.
      expect(out.data.every((v) => v === 77)).toBe(true);
    }
  });
});

describe('resizeShortestSide', () => {
  it('drops alpha without compositing, even where alpha is 0', () => {
    const w = 300;
    const h = 250;
    const data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([200, 100, 50, i % 3 === 0 ? 0 : 128], i * 4);
    const out = resizeShortestSide({ data, width: w, height: h, channels: 4 }, 224);
    expect(out.data.every((v, i) => v === [200, 100, 50][i % 3])).toBe(true);
  });

  it('rejects a buffer shorter than width x height x channels', () => {
    expect(() => resizeShortestSide({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }, 2)).toThrow(
      RangeError,
    );
  });
});

describe('centerCrop', () => {
  const ramp = (width: number, height: number): RgbImage => {
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data.fill(i, i * 3, i * 3 + 3);
    return { data, width, height };
  };

  it('floors odd margins like HF: top = (h - size) // 2', () => {
    // 5x4 -> 2x2: left = 3 // 2 = 1, top = 2 // 2 = 1.
    const out = centerCrop(ramp(5, 4), 2);
    expect(Array.from(out.data.filter((_, i) => i % 3 === 0))).toEqual([6, 7, 11, 12]);
  });

  it('zero-pads images smaller than the crop, ceil of the margin first', () => {
    const out = centerCrop({ data: new Uint8Array([9, 9, 9]), width: 1, height: 1 }, 2);
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9]);
  });
});

describe('toClipTensor', () => {
  it('matches hand-computed (v / 255 - mean) / std', () => {
    const px: RgbImage = { data: new Uint8Array([0, 128, 255, 255, 0, 128]), width: 2, height: 1 };
    const t = toClipTensor(px);
    // CHW: R plane [0, 255], G plane [128, 0], B plane [255, 128].
    const expected = [
      -1.79226253374815, 1.930336254158794, 0.16889723903118556, -1.7520971281645974, 2.1458969890575763,
      0.33994864299551714,
    ];
    expected.forEach((v, i) => expect(t[i]).toBeCloseTo(v, 6));
  });

  it('reproduces the float32 values numpy computes in HF rescale + normalize exactly', () => {
    const { bytes, values } = index.normalization;
    const px: RgbImage = { data: new Uint8Array(bytes.flatMap((b) => [b, b, b])), width: bytes.length, height: 1 };
    const t = toClipTensor(px);
    const n = bytes.length;
    expect(Array.from(t.subarray(0, n))).toEqual(values.r);
    expect(Array.from(t.subarray(n, 2 * n))).toEqual(values.g);
    expect(Array.from(t.subarray(2 * n))).toEqual(values.b);
  });

  it('fills one slot of a batch buffer and leaves the others alone', () => {
    const px: RgbImage = { data: new Uint8Array(4 * 3).fill(255), width: 2, height: 2 };
    const batch = new Float32Array(3 * 12).fill(-7);
    expect(toClipTensor(px, batch, 12)).toBe(batch);
    expect(batch.subarray(0, 12).every((v) => v === -7)).toBe(true);
    expect(batch.subarray(24).every((v) => v === -7)).toBe(true);
    expect(batch[12]).toBeCloseTo(1.930336254158794, 6);
    expect(() => toClipTensor(px, batch, 25)).toThrow(RangeError);
  });
});

describe('preprocessForClip', () => {
  it('composes resize, crop and normalisation into one [3, 224, 224] tensor', async () => {
    const fx = index.fixtures[0];
    const src = await decode(fx.file);
    const direct = toClipTensor(centerCrop(resizeShortestSide(src, 224), 224));
    const batch = new Float32Array(2 * 3 * 224 * 224);
    preprocessForClip(src, batch, 3 * 224 * 224);
    const same = (a: Float32Array): boolean => a.length === direct.length && a.every((v, i) => v === direct[i]);
    expect(same(batch.subarray(3 * 224 * 224))).toBe(true);
    expect(same(preprocessForClip(src))).toBe(true);
  });
});

describe('resizeBicubic with a box (Pillow’s Image.resize(size, BICUBIC, box))', () => {
  const python = '/usr/bin/python3';
  it.skipIf(!existsSync(python))('matches PIL exactly for fractional boxes, down and up (skipped without /usr/bin/python3 and PIL)', () => {
    const width = 37;
    const height = 29;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 7919 + (i >> 3) * 31) % 256;
    const cases = [
      { box: { width: 36.5, height: 28.25 }, size: { width: 20, height: 15 } },
      { box: { width: 37, height: 29 }, size: { width: 11, height: 9 } },
      { box: { width: 30.75, height: 29 }, size: { width: 41, height: 29 } },
    ];
    const script = `
import sys, json
from PIL import Image
w, h = ${width}, ${height}
img = Image.frombytes('RGB', (w, h), sys.stdin.buffer.read())
out = []
for c in json.loads(sys.argv[1]):
    r = img.resize((c['size']['width'], c['size']['height']), Image.BICUBIC, box=(0, 0, c['box']['width'], c['box']['height']))
    out.append(list(r.tobytes()))
print(json.dumps(out))`;
    const r = spawnSync(python, ['-c', script, JSON.stringify(cases)], { input: Buffer.from(rgb), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const reference: number[][] = JSON.parse(r.stdout);
    cases.forEach((c, i) => {
      const ours = resizeBicubic({ data: rgb, width, height, channels: 3 }, c.size, c.box);
      expect(Array.from(ours.data), JSON.stringify(c)).toEqual(reference[i]);
    });
  });
});

describe('preprocessReducedForClip (pixels standing for a larger photo)', () => {
  /** A smooth pattern over the unit square, sampled at pixel centres: the same picture at any size. */
  function pattern(width: number, height: number): PixelSource {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = (x + 0.5) / width;
        const v = (y + 0.5) / height;
        const i = (y * width + x) * 3;
        data[i] = Math.round(127.5 + 127 * Math.sin(9 * u + 2 * v));
        data[i + 1] = Math.round(127.5 + 127 * Math.cos(7 * v - 3 * u));
        data[i + 2] = Math.round(255 * u * v);
      }
    }
    return { data, width, height, channels: 3 };
  }
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

  it('is preprocessForClip when the pixels have the photo’s shape exactly (a full-size decode, an exact k/8)', () => {
    const half = pattern(810, 540);
    expect(preprocessReducedForClip(half, { width: 1620, height: 1080 })).toEqual(preprocessForClip(half));
  });

  it('stretches a preview a fraction of a pixel off the photo’s shape back to it, instead of moving the crop', () => {
    // A camera's 1616×1080 preview of a 6000×4000 photo: resized on its own shape it is one output column
    // narrower (335 against 336), so the centre crop starts half a column further left.
    const truth = preprocessForClip(pattern(1620, 1080)); // the same picture at exactly 3:2
    const preview = pattern(1616, 1080);
    const onItsOwnShape = maxDiff(preprocessForClip(preview), truth);
    const onThePhotos = maxDiff(preprocessReducedForClip(preview, { width: 6000, height: 4000 }), truth);
    // Measured: about 1 level against 3 (the rest is the pattern sampled at two sizes, not the method).
    expect(onThePhotos).toBeLessThan(onItsOwnShape / 2);
  });
});
