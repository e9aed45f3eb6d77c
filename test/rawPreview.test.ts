/**
 * The RAW preview parser against ExifTool as an independent reader: generated containers of every required
 * format, the real DNG, and ExifTool's own stripped samples (real container structures without image data).
 */
import { existsSync, mkdtempSync, openAsBlob, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectRaw, readRawPreview, type RawFormat } from '../src/library/raw';
import { listRawPreviewCandidates } from '../src/library/raw/rawPreview';
import { EXIFTOOL_MISSING, HAS_EXIFTOOL, exiftoolCapturedAt, exiftoolFacts, exiftoolImages } from './helpers/exiftool';
import { REQUIRED_FORMATS, writeRawContainer, type Generated } from './helpers/rawContainers';

const CAMERA = join(import.meta.dirname, '../../shared/images/camera');
const REAL_DNG = join(CAMERA, 'canon-eos-6d.dng');
const STRIPPED = join(CAMERA, 'stripped');

const head = (path: string) => readFileSync(path).subarray(0, 64);

/** The largest image ExifTool extracts, by pixel area as sharp reads it (not by our SOF reader). */
async function exiftoolLargest(path: string): Promise<{ key: string; bytes: Buffer; width: number; height: number }> {
  let best: { key: string; bytes: Buffer; width: number; height: number } | null = null;
  for (const [key, bytes] of exiftoolImages(path)) {
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    if (!best || width * height > best.width * best.height) best = { key, bytes, width, height };
  }
  if (!best) throw new Error(`ExifTool found no image in ${path}`);
  return best;
}

/** readRawPreview's choice must be ExifTool's largest image byte for byte, with its orientation and time. */
async function expectAgreesWithExiftool(path: string, format: RawFormat) {
  const result = await readRawPreview(await openAsBlob(path), format);
  if (!result.ok) throw new Error(result.reason);
  const { preview, capture } = result;
  const expected = await exiftoolLargest(path);
  const extracted = readFileSync(path).subarray(preview.offset, preview.offset + preview.length);
  expect(Buffer.compare(extracted, expected.bytes), `${format}: bytes differ from ExifTool's ${expected.key}`).toBe(0);
  expect([preview.width, preview.height]).toEqual([expected.width, expected.height]);
  const facts = exiftoolFacts(path);
  expect(facts.FileType).toBe(format);
  expect(preview.orientation).toBe(facts.Orientation ?? 1);
  expect(capture?.capturedAt).toBe(exiftoolCapturedAt(facts));
  expect(capture?.exposure.iso).toBe(facts.ISO);
  return { result, expected };
}

describe('generated containers, checked by ExifTool', () => {
  let dir = '';
  const generated = new Map<RawFormat, Generated>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loupe-raw-'));
    for (const format of REQUIRED_FORMATS) generated.set(format, await writeRawContainer(dir, format));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  if (!HAS_EXIFTOOL) {
    it.skip(EXIFTOOL_MISSING, () => {});
  }

  for (const format of REQUIRED_FORMATS) {
    it.skipIf(!HAS_EXIFTOOL)(`${format}: the largest preview, its orientation and capture time agree with ExifTool`, async () => {
      const g = generated.get(format)!;
      expect(detectRaw(head(g.path), g.path)).toBe(format);
      const { result } = await expectAgreesWithExiftool(g.path, format);
      if (!result.ok) return;
      // The generator's own intent, as a second check: the largest JPEG it embedded, its orientation and camera.
      expect([result.preview.width, result.preview.height]).toEqual([g.largest.width, g.largest.height]);
      expect(result.preview.orientation).toBe(g.capture.orientation);
      expect(result.capture?.camera).toContain(g.capture.model);
    });
  }

  it('reads each generated file in a few hundred KB at most, whatever the preview size', async () => {
    for (const g of generated.values()) {
      const blob = await openAsBlob(g.path);
      let read = 0;
      const counting = {
        size: blob.size,
        slice: (a?: number, b?: number) => {
          const part = blob.slice(a, b);
          return { size: part.size, arrayBuffer: async () => { const ab = await part.arrayBuffer(); read += ab.byteLength; return ab; } };
        },
      } as unknown as Blob;
      const result = await readRawPreview(counting, g.format);
      expect(result.ok, g.format).toBe(true);
      expect(read, g.format).toBeLessThan(400 * 1024);
    }
  });
});

describe.skipIf(!existsSync(REAL_DNG))('the real DNG (Canon EOS 6D converted by Adobe)', () => {
  it('is detected as DNG', () => {
    expect(detectRaw(head(REAL_DNG), 'canon-eos-6d.dng')).toBe('DNG');
  });

  it.skipIf(!HAS_EXIFTOOL)('gives ExifTool\'s largest preview (SubIFD1, 1024×683) with its orientation and capture time', async () => {
    const { result, expected } = await expectAgreesWithExiftool(REAL_DNG, 'DNG');
    expect(expected.key).toBe('SubIFD1:PreviewImage');
    expect(result.ok && [result.preview.width, result.preview.height]).toEqual([1024, 683]);
    expect(result.ok && result.capture?.camera).toBe('Canon EOS 6D');
  });
});

/** ExifTool's stripped samples keep their structures and replace the image data with marked text. */
const STRIPPED_CASES: Array<{ file: string; format: RawFormat; markers: string[]; reason: RegExp }> = [
  { file: 'CanonRaw.cr2', format: 'CR2', markers: ['<Dummy preview image data>', '<Dummy thumbnail image data>'], reason: /^CR2: no embedded JPEG preview found$/ },
  { file: 'CanonRaw.cr3', format: 'CR3', markers: ['<Dummy preview image data>', '<Dummy thumbnail image data>', '<Dummy JpgFromRaw image data>'], reason: /^CR3: no embedded JPEG preview found$/ },
  { file: 'CanonRaw.crw', format: 'CRW', markers: ['<Dummy JpgFromRaw image data>'], reason: /^CRW: no embedded JPEG preview found$/ },
  { file: 'DNG.dng', format: 'DNG', markers: ['<Dummy preview image data>', '<Dummy JpgFromRaw image data>'], reason: /^DNG: no embedded JPEG preview found$/ },
  { file: 'FujiFilm.raf', format: 'RAF', markers: [], reason: /^RAF: no embedded preview large enough \(largest 8×8; needs 224 px on the short side\)$/ },
  { file: 'Minolta.mrw', format: 'MRW', markers: ['<Dummy preview image data>'], reason: /^MRW: no embedded JPEG preview found$/ },
  { file: 'Nikon.nef', format: 'NEF', markers: ['<Dummy JpgFromRaw image data>', '<Dummy preview image data>'], reason: /^NEF: no embedded JPEG preview found$/ },
  { file: 'Panasonic.rw2', format: 'RW2', markers: [], reason: /^RW2: no embedded preview large enough \(largest 8×8; needs 224 px on the short side\)$/ },
  { file: 'PhaseOne.iiq', format: 'IIQ', markers: [], reason: /^IIQ: no embedded JPEG preview found$/ },
];

describe.skipIf(!existsSync(STRIPPED))("ExifTool's stripped RAW samples (no image data)", () => {
  it('covers every file of the folder', () => {
    expect(readdirSync(STRIPPED).sort()).toEqual(STRIPPED_CASES.map((c) => c.file).sort());
  });

  for (const { file, format, markers, reason } of STRIPPED_CASES) {
    it(`${file}: detected as ${format}, its preview locations found, a clear reason, quickly`, async () => {
      const path = join(STRIPPED, file);
      const bytes = readFileSync(path);
      expect(detectRaw(bytes.subarray(0, 64), file)).toBe(format);
      const blob = await openAsBlob(path);
      const started = performance.now();
      const result = await readRawPreview(blob, format);
      expect(performance.now() - started).toBeLessThan(500);
      expect(result.ok ? 'ok' : result.reason).toMatch(reason);
      // Where ExifTool's stripping left a marker in place of a JPEG, the parser found that exact range.
      const candidates = (await listRawPreviewCandidates(blob, format)) ?? [];
      for (const marker of markers) {
        const at = bytes.indexOf(marker);
        expect(at, marker).toBeGreaterThan(0);
        expect(candidates, `${file} ${marker}`).toContainEqual(expect.objectContaining({ offset: at, length: marker.length }));
      }
    });
  }

  it.skipIf(!HAS_EXIFTOOL)("RAF and RW2: the 8×8 JPEG found is the one ExifTool extracts", async () => {
    for (const [file, format] of [['FujiFilm.raf', 'RAF'], ['Panasonic.rw2', 'RW2']] as const) {
      const path = join(STRIPPED, file);
      const candidates = (await listRawPreviewCandidates(await openAsBlob(path), format))!;
      const [image] = [...exiftoolImages(path).entries()].filter(([key]) => /PreviewImage|JpgFromRaw/.test(key)).map(([, b]) => b);
      const found = candidates.map((c) => readFileSync(path).subarray(c.offset, c.offset + c.length));
      expect(found.some((b) => Buffer.compare(b, image) === 0), file).toBe(true);
    }
  });
});
