/**
 * HEIC decoding (src/library/heic) on the shared phone files (../shared/images/camera, SOURCES.md): the
 * displayed sizes REFERENCE §10 gives, the pixels against Debian's libheif (heif-convert) through PIL's CLIP
 * preprocessing, the refusals, and the capture time exifr reads. Nothing derived from ../shared is
 * written into the repository: references are made at test time in a temporary folder.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP_STD, preprocessForClip } from '../src/engine/preprocess.ts';
import { decodeHeic, heicDisplaySize, MAX_HEIC_BYTES } from '../src/library/heic/index.ts';
import { loadLibheif } from '../src/library/heic/libheif.ts';
import { readImageMetadata } from '../src/library/metadata/readMetadata.ts';

const CAMERA = join(import.meta.dirname, '../../shared/images/camera');
const HEIF_CONVERT = '/usr/bin/heif-convert';
const PYTHON = '/usr/bin/python3';
const HAVE_SHARED = existsSync(CAMERA);
const run = promisify(execFile);

/** Displayed sizes (REFERENCE §10, heif-convert) and what exiftool reads as DateTimeOriginal and camera. */
const PHONES = [
  { name: 'iphone7.heic', size: [4032, 3024], taken: '2018-09-10T12:16:13', camera: 'Apple iPhone 7', why: 'EXIF 6, no irot: not rotated' },
  { name: 'samsung-s10plus-rot90.heic', size: [3024, 4032], taken: '2020-06-30T11:27:59', camera: 'samsung SM-G975F', why: 'irot 270 applied, EXIF 6 ignored' },
  { name: 'iphone8.heic', size: [4032, 3024], taken: '2018-02-05T15:11:44', camera: 'Apple iPhone 8', why: 'irot 0, EXIF 1' },
  { name: 'iphone11pro-exif-at-eof.heic', size: [3024, 4032], taken: '2020-05-04T18:39:11', camera: 'Apple iPhone 11 Pro', why: 'EXIF item at the end of the file' },
] as const;

const phone = (name: string) => new Blob([readFileSync(join(CAMERA, name))]);

function missingReferenceTools(): string | null {
  if (!existsSync(HEIF_CONVERT)) return `${HEIF_CONVERT} is missing (apt-get install libheif-examples)`;
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const probe = spawnSync(PYTHON, ['-c', 'import PIL, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${PYTHON} lacks PIL or numpy: ${probe.stderr.trim()}`;
}
const NO_REFERENCE = HAVE_SHARED ? missingReferenceTools() : 'no shared images';
if (NO_REFERENCE) console.warn(`heic.test.ts: pixel comparison with heif-convert skipped: ${NO_REFERENCE}`);
if (!HAVE_SHARED) console.warn(`heic.test.ts: ${CAMERA} is missing: the phone-file tests are skipped`);

/**
 * The project's PIL reference (scripts/make_preprocess_fixtures.py, `reference` + `normalization_table`)
 * without exif_transpose: heif-convert has applied irot/imir and copies EXIF Orientation 6 into its PNG,
 * which must not be applied again. Writes HF's float32 [3, 224, 224] tensor per PNG.
 */
const PIL_CLIP_TENSOR = `
import sys
import numpy as np
from PIL import Image
SIZE = 224
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
for png, out in zip(sys.argv[1::2], sys.argv[2::2]):
    with Image.open(png) as im:
        rgb = im.convert("RGB")
    w, h = rgb.size
    short, long = (w, h) if w <= h else (h, w)
    nl = int(SIZE * long / short)
    nw, nh = (SIZE, nl) if w <= h else (nl, SIZE)
    a = np.asarray(rgb.resize((nw, nh), Image.BICUBIC))
    top, left = (nh - SIZE) // 2, (nw - SIZE) // 2
    crop = a[top : top + SIZE, left : left + SIZE]
    x = (crop.astype(np.float64) * (1 / 255)).astype(np.float32)
    t = ((x - MEAN) / STD).transpose(2, 0, 1)
    np.ascontiguousarray(t, dtype=np.float32).tofile(out)
`;

/** heif-convert each phone file to PNG (two at a time: two cores), then one PIL run over all of them. */
async function makeReferences(dir: string): Promise<Map<string, Float32Array>> {
  const names = PHONES.map((p) => p.name);
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      await run(HEIF_CONVERT, [join(CAMERA, name), join(dir, `${name}.png`)], { timeout: 120_000 });
    }
  };
  await Promise.all([worker(), worker()]);
  await run(PYTHON, ['-c', PIL_CLIP_TENSOR, ...names.flatMap((n) => [join(dir, `${n}.png`), join(dir, `${n}.f32`)])], {
    timeout: 120_000,
  });
  const refs = new Map<string, Float32Array>();
  for (const n of names) {
    const bytes = readFileSync(join(dir, `${n}.f32`));
    refs.set(n, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  }
  return refs;
}

/** |ours − ref| in 0..255 pixel units: a normalised value is (v/255 − mean)/std, so Δv = Δ · std · 255. */
function pixelDiff(ours: Float32Array, ref: Float32Array): { max: number; mean: number } {
  const plane = 224 * 224;
  let max = 0;
  let sum = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i] - ref[i]) * CLIP_STD[Math.floor(i / plane)] * 255;
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / ours.length };
}

describe.skipIf(!HAVE_SHARED)('HEIC phone files', () => {
  const tensors = new Map<string, Float32Array>();
  const timing: Record<string, { decodeMs: number; size: string }> = {};
  const pixels: Record<string, { max: number; mean: number }> = {};
  let loadMs = 0;
  let dir = '';
  let references: Promise<Map<string, Float32Array>> | null = null;

  beforeAll(async () => {
    if (!NO_REFERENCE) {
      dir = mkdtempSync(join(tmpdir(), 'loupe-heic-'));
      references = makeReferences(dir);
      references.catch(() => undefined); // awaited (and reported) by the pixel tests
    }
    const t = performance.now();
    await loadLibheif();
    loadMs = performance.now() - t;
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`libheif load (import + wasm compile): ${loadMs.toFixed(0)} ms; decode per image (Node, ms):`);
    console.table(timing);
    if (Object.keys(pixels).length) {
      console.log('CLIP tensor vs heif-convert + PIL, |diff| in 0..255 pixel units:');
      console.table(pixels);
    }
  });

  for (const p of PHONES) {
    it(`${p.name} decodes to ${p.size.join('×')} (${p.why})`, async () => {
      expect(await heicDisplaySize(phone(p.name))).toEqual({ width: p.size[0], height: p.size[1] });
      const t = performance.now();
      const result = await decodeHeic(phone(p.name));
      const ms = performance.now() - t;
      if (!result.ok) throw new Error(result.reason);
      const { width, height, rgba } = result.image;
      expect([width, height]).toEqual(p.size);
      expect(rgba).toBeInstanceOf(Uint8ClampedArray);
      expect(rgba.length).toBe(width * height * 4);
      timing[p.name] = { decodeMs: Math.round(ms), size: `${width}×${height}` };
      tensors.set(p.name, preprocessForClip({ data: rgba, width, height, channels: 4 }));
    });
  }

  it('frees every image and handle: decoding again does not grow the heap', async () => {
    const file = phone('iphone11pro-exif-at-eof.heic');
    expect((await decodeHeic(file)).ok).toBe(true); // the heap has grown to what one such photo needs
    const libheif = await loadLibheif();
    const before = libheif.HEAPU8.length;
    for (let i = 0; i < 20; i++) await heicDisplaySize(file);
    expect((await decodeHeic(file)).ok).toBe(true);
    expect((await decodeHeic(file)).ok).toBe(true);
    expect(libheif.HEAPU8.length).toBe(before);
    expect(await loadLibheif()).toBe(libheif); // and the instance was kept
  });

  for (const p of PHONES) {
    it.skipIf(NO_REFERENCE !== null)(`${p.name}: CLIP tensor within 2/255 of heif-convert through PIL`, async () => {
      const ours = tensors.get(p.name);
      if (!ours) throw new Error(`${p.name} did not decode`);
      const ref = (await references!).get(p.name)!;
      expect(ref.length).toBe(ours.length);
      const d = pixelDiff(ours, ref);
      pixels[p.name] = { max: Number(d.max.toFixed(3)), mean: Number(d.mean.toFixed(4)) };
      expect(d.max).toBeLessThanOrEqual(2 + 1e-3);
      expect(d.mean).toBeLessThanOrEqual(0.25); // measured 0.03–0.08: Debian's libheif 1.15 converts YCbCr a little differently
    }, 240_000);
  }

  it.each(PHONES)('readImageMetadata reads the capture time and camera of $name', async (p) => {
    const { capture } = await readImageMetadata(phone(p.name), 'heic');
    expect(capture?.camera).toBe(p.camera);
    // exif.ts applies OffsetTimeOriginal where the phone wrote one: the instant is within a day of the wall time.
    const wall = Date.parse(`${p.taken}Z`);
    expect(capture?.capturedAt).toBeTypeOf('number');
    expect(Math.abs(capture!.capturedAt! - wall)).toBeLessThan(24 * 3600e3);
  });
});

// ISO BMFF boxes, to build HEIF files with no image in them.
function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = 8 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(new TextEncoder().encode(type), 4);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const fullBox = (type: string, ...parts: Uint8Array[]) => box(type, new Uint8Array(4), ...parts); // version 0, flags 0
const u16 = (n: number) => new Uint8Array([n >> 8, n & 255]);
const ascii = (s: string) => new TextEncoder().encode(s);
const FTYP = box('ftyp', ascii('heic'), new Uint8Array(4), ascii('mif1heic'));
const HDLR = fullBox('hdlr', new Uint8Array(4), ascii('pict'), new Uint8Array(12), new Uint8Array(1));
/** A meta box whose item lists are empty; with `pitm` it names item 1 as primary, which does not exist. */
const emptyMeta = (pitm: boolean) =>
  fullBox(
    'meta',
    HDLR,
    ...(pitm ? [fullBox('pitm', u16(1))] : []),
    fullBox('iinf', u16(0)),
    fullBox('iloc', new Uint8Array([0x44, 0x00]), u16(0)),
    box('iprp', box('ipco'), fullBox('ipma', new Uint8Array(4))),
  );
const blob = (...parts: Uint8Array[]) => new Blob(parts as BlobPart[]);

describe('HEIC refusals', () => {
  it('zero bytes', async () => {
    expect(await decodeHeic(new Blob([]))).toEqual({ ok: false, reason: 'HEIC: the file is empty' });
    expect(await heicDisplaySize(new Blob([]))).toBeNull();
  });

  it('an ftyp box alone: no image in the file', async () => {
    expect(await decodeHeic(blob(FTYP))).toEqual({ ok: false, reason: 'HEIC: no image in the file' });
  });

  it.each([true, false])('a meta box with no image item (pitm: %s): no image in the file', async (pitm) => {
    expect(await decodeHeic(blob(FTYP, emptyMeta(pitm)))).toEqual({ ok: false, reason: 'HEIC: no image in the file' });
  });

  it('random bytes after an ftyp heic header: a reason, no throw', async () => {
    // A fixed LCG, so the bytes are the same on every run.
    const noise = new Uint8Array(64 * 1024);
    for (let i = 0, x = 12345; i < noise.length; i++) noise[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const result = await decodeHeic(blob(FTYP, noise));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^HEIC: /);
  });

  it('over the byte bound: refused before reading', async () => {
    const huge = new Blob([new Uint8Array(MAX_HEIC_BYTES + 1)]);
    const result = await decodeHeic(huge);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^HEIC: the file is 64 MB, over the 64 MB limit/) });
  });

  it('an aborted signal rejects with its reason', async () => {
    const controller = new AbortController();
    controller.abort(new DOMException('stop', 'AbortError'));
    await expect(decodeHeic(blob(FTYP), { signal: controller.signal })).rejects.toThrow('stop');
  });

  describe.skipIf(!HAVE_SHARED)('damaged real files', () => {
    const real = HAVE_SHARED ? readFileSync(join(CAMERA, 'iphone8.heic')) : new Uint8Array(0);

    it('cut short (half the file): refused, where libheif alone would leave the missing tiles black', async () => {
      const result = await decodeHeic(blob(real.subarray(0, real.length >> 1)));
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^HEIC: the file is cut short \(it ends inside its 'mdat' box/) });
    });

    it('cut inside the meta box', async () => {
      const result = await decodeHeic(blob(real.subarray(0, 2000)));
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^HEIC: the file is cut short \(it ends inside its 'meta' box/) });
    });

    it('corrupt tile data: refused with the number of parts libheif could not decode', async () => {
      const damaged = new Uint8Array(real);
      damaged.fill(0, 400_000, 700_000);
      const result = await decodeHeic(blob(damaged));
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^HEIC: damaged file: \d+ parts? of the image could not be decoded$/) });
    });

    it('over the pixel bound: refused from the header, before decoding', async () => {
      const result = await decodeHeic(blob(real), { maxPixels: 10_000_000 });
      expect(result).toEqual({ ok: false, reason: 'HEIC: too large to open safely: 4032×3024 is 12 MP, over the 10 MP limit' });
    });
  });
});
