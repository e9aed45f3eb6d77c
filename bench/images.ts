/**
 * Photo-like JPEGs for the end-to-end runs, generated once into the OS temp folder (never into the repo).
 * Content is a sky-like gradient, soft-edged shapes, a textured "ground" and mild noise at quality 90, so
 * the entropy decoder has about as much to do as with a real photo of the same size: flat synthetic
 * images decode much faster than photos and would flatter the pipeline.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { MPF_LARGE_THUMBNAIL_FULL_HD } from '../src/library/metadata/mpf';
import { withMpfPreviews } from '../test/helpers/mpfJpeg';

export const IMAGES_ROOT = join(tmpdir(), 'loupe-bench-images');

export interface ImageSet {
  /** Folder name under IMAGES_ROOT; also the URL segment the bench server uses. */
  id: string;
  dir: string;
  files: string[];
  width: number;
  height: number;
  totalBytes: number;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Shape {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  rgb: [number, number, number];
}

export function photoPixels(width: number, height: number, seed: number, noiseScale = 1): Buffer {
  const rnd = lcg(seed * 7919 + 17);
  const px = Buffer.alloc(width * height * 3);
  const skyTop = [40 + rnd() * 60, 90 + rnd() * 60, 170 + rnd() * 70];
  const skyBottom = [190 + rnd() * 50, 170 + rnd() * 60, 150 + rnd() * 80];
  const ground = [60 + rnd() * 80, 70 + rnd() * 70, 30 + rnd() * 50];
  const horizon = height * (0.45 + rnd() * 0.2);
  const shapes: Shape[] = Array.from({ length: 6 + Math.floor(rnd() * 6) }, () => ({
    cx: rnd() * width,
    cy: rnd() * height,
    rx: (0.03 + rnd() * 0.15) * width,
    ry: (0.03 + rnd() * 0.15) * height,
    rgb: [rnd() * 255, rnd() * 255, rnd() * 255],
  }));
  // Texture frequencies scale with the image so small and large images look alike at thumbnail size.
  const f1 = (2 * Math.PI * (20 + rnd() * 30)) / width;
  const f2 = (2 * Math.PI * (15 + rnd() * 25)) / height;
  const noise = lcg(seed * 31 + 5);
  for (let y = 0; y < height; y++) {
    const t = Math.min(1, y / horizon);
    const inSky = y < horizon;
    for (let x = 0; x < width; x++) {
      let r: number;
      let g: number;
      let b: number;
      if (inSky) {
        r = skyTop[0] + (skyBottom[0] - skyTop[0]) * t;
        g = skyTop[1] + (skyBottom[1] - skyTop[1]) * t;
        b = skyTop[2] + (skyBottom[2] - skyTop[2]) * t;
      } else {
        // Grass-like texture below the horizon: the detail real photos have, at several scales.
        const tex = 18 * Math.sin(x * f1 * 7 + Math.sin(y * f2 * 3) * 4) * Math.sin(y * f2 * 11 + x * f1);
        r = ground[0] + tex;
        g = ground[1] + tex * 1.2;
        b = ground[2] + tex * 0.6;
      }
      for (const s of shapes) {
        const dx = (x - s.cx) / s.rx;
        const dy = (y - s.cy) / s.ry;
        const d = dx * dx + dy * dy;
        if (d < 1.2) {
          // Soft edge over the outer ~10 %, like an out-of-focus subject.
          const a = d < 1 ? 0.85 : 0.85 * (1.2 - d) * 5;
          const shade = 1 - 0.35 * dy;
          r += (s.rgb[0] * shade - r) * a;
          g += (s.rgb[1] * shade - g) * a;
          b += (s.rgb[2] * shade - b) * a;
        }
      }
      // Mild sensor-like noise (about ±8 levels), shared in part across channels as in real sensors; tuned so
      // a 12-MP file is ≈ 3–4 MB at quality 90, like a phone photo.
      const common = (noise() - 0.5) * 12 * noiseScale;
      const i = (y * width + x) * 3;
      px[i] = Math.max(0, Math.min(255, r + common + (noise() - 0.5) * 6 * noiseScale));
      px[i + 1] = Math.max(0, Math.min(255, g + common + (noise() - 0.5) * 6 * noiseScale));
      px[i + 2] = Math.max(0, Math.min(255, b + common + (noise() - 0.5) * 6 * noiseScale));
    }
  }
  return px;
}

/** Makes (or reuses) `count` JPEGs of `width`×`height`. */
export async function ensureImages(
  count: number,
  width: number,
  height: number,
  log: (line: string) => void,
): Promise<ImageSet> {
  return cachedSet(`photo-${width}x${height}-q90-v1`, count, width, height, log, `${width}×${height} JPEGs`, width * height > 4e6 ? 4 : 50, {
    name: (i) => `photo-${String(i).padStart(4, '0')}.jpg`,
    make: async (i, path) => {
      // Write to a temp name first so an interrupted run never leaves a truncated "cached" JPEG.
      await sharp(photoPixels(width, height, i + 1), { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 90 })
        .toFile(`${path}.part`);
      renameSync(`${path}.part`, path);
    },
  });
}

/**
 * A set of generated files cached under IMAGES_ROOT/id: each is made (by `make`, which must write it whole or
 * not at all) only when missing or empty, with a progress line every `every` files.
 */
async function cachedSet(
  id: string,
  count: number,
  width: number,
  height: number,
  log: (line: string) => void,
  what: string,
  every: number,
  files: { name: (i: number) => string; make: (i: number, path: string) => Promise<void> },
): Promise<ImageSet> {
  const dir = join(IMAGES_ROOT, id);
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  const have = new Set(readdirSync(dir));
  let made = 0;
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const name = files.name(i);
    const path = join(dir, name);
    if (!have.has(name) || statSync(path).size === 0) {
      await files.make(i, path);
      if (++made % every === 0) log(`  generated ${made} ${what}…`);
    }
    paths.push(path);
  }
  if (made > 0) log(`  generated ${made} ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s into ${dir}`);
  const totalBytes = paths.reduce((n, f) => n + statSync(f).size, 0);
  return { id, dir, files: paths, width, height, totalBytes };
}

/** What a camera JPEG carries besides the photo (ensureCameraImages). */
export interface CameraImageOptions {
  /**
   * Also an MPF preview (CIPA DC-007 Multi-Picture Format) of this stored size, as cameras append after the
   * main image: the same raw pixels resized by sharp (`fit: 'fill'`), quality 85, stored unrotated like the
   * primary, listed as a full-HD large thumbnail (MP type 0x010002) in an APP2 "MPF" segment after the EXIF.
   */
  mpfPreview?: { width: number; height: number };
}

/**
 * Camera-like JPEGs: `width`×`height` photo pixels at quality 92 (4:2:0), then an APP1 written by exiftool the
 * way a camera writes it: IFD0 (make, model, orientation), the EXIF IFD (exposure, date) and IFD1 with a
 * 160×120 JPEG thumbnail of the same picture, stored unrotated as cameras do. Every `portraitEvery`-th file
 * (1-based; 0 for none) has Orientation 6, a camera held upright.
 *
 * With `options.mpfPreview`, each file is the same JPEG (same pixels, same EXIF) with a large preview appended
 * in the MPF layout (test/helpers/mpfJpeg.ts withMpfPreviews), cached as a set of its own. The size the bench
 * uses, 1616×1080, follows a Sony-style camera JPEG: an ExifTool forum report lists Sony JPEGs whose MPF
 * images are 1616×1080. These files are generated, not real camera files: the preview's encoder, quality and
 * placement are this function's, not a camera's. The first file made is read back with exiftool
 * (`-b -MPImage2:PreviewImage` must return the preview's bytes), the independent check of the layout.
 */
export async function ensureCameraImages(
  count: number,
  width: number,
  height: number,
  log: (line: string) => void,
  portraitEvery = 4,
  options: CameraImageOptions = {},
): Promise<ImageSet> {
  const mpf = options.mpfPreview;
  const id = `camera-${width}x${height}-q92-exif${mpf ? `-mpf${mpf.width}x${mpf.height}` : ''}-v1`;
  let checked = false;
  return cachedSet(id, count, width, height, log, `${width}×${height} camera JPEGs${mpf ? ` with ${mpf.width}×${mpf.height} MPF previews` : ''}`, 4, {
    name: (i) => `IMG_${String(1000 + i)}.JPG`,
    make: async (i, path) => {
      // More sensor noise and quality 92: ≈ 7 MB for 24 MP, a camera's "fine" JPEG (6–12 MB), since the entropy
      // decoder, which no scaled decode skips, works in proportion to the bytes.
      const raw = photoPixels(width, height, 5000 + i, 1.5);
      const part = `${path}.part.jpg`;
      const thumb = `${path}.thumb.jpg`;
      await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toFile(part);
      await sharp(raw, { raw: { width, height, channels: 3 } }).resize(160, 120, { fit: 'fill' }).jpeg({ quality: 80 }).toFile(thumb);
      const orientation = portraitEvery > 0 && (i + 1) % portraitEvery === 0 ? 6 : 1;
      writeCameraExif(part, thumb, orientation, i);
      rmSync(thumb);
      if (mpf) {
        const preview = await sharp(raw, { raw: { width, height, channels: 3 } }).resize(mpf.width, mpf.height, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer();
        writeFileSync(part, withMpfPreviews(readFileSync(part), [{ jpeg: preview, type: MPF_LARGE_THUMBNAIL_FULL_HD }]));
        if (!checked) {
          checkMpfPreview(part, preview);
          checked = true;
        }
      }
      renameSync(part, path);
    },
  });
}

/** Throws unless exiftool reads `preview`'s exact bytes back as the second MP image of `path`. */
export function checkMpfPreview(path: string, preview: Uint8Array): void {
  const r = spawnSync(EXIFTOOL, ['-b', '-MPImage2:PreviewImage', path], { maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`exiftool failed on ${path}: ${r.stderr.toString()}`);
  if (!Buffer.from(preview).equals(r.stdout)) throw new Error(`exiftool reads ${r.stdout.length} bytes as MPImage2 of ${path}, not the ${preview.length}-byte preview written`);
}

const EXIFTOOL = '/usr/bin/exiftool';

/** Camera EXIF with an IFD1 thumbnail, written in place by exiftool (throws when it fails). */
export function writeCameraExif(path: string, thumbnail: string | null, orientation: number, index = 0): void {
  const minute = String(index % 60).padStart(2, '0');
  const args = [
    '-q', '-overwrite_original', '-n',
    '-Make=Canon', '-Model=Canon EOS 90D', `-Orientation=${orientation}`,
    '-XResolution=72', '-YResolution=72', '-ResolutionUnit=2',
    `-DateTimeOriginal=2024:06:01 10:${minute}:00`, `-CreateDate=2024:06:01 10:${minute}:00`,
    '-ExposureTime=0.004', '-FNumber=5.6', '-ISO=200', '-FocalLength=50', '-LensModel=EF50mm f/1.8 STM',
    ...(thumbnail ? [`-ThumbnailImage<=${thumbnail}`] : []),
    path,
  ];
  const r = spawnSync(EXIFTOOL, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`exiftool failed on ${path}: ${r.stderr || r.stdout}`);
}
