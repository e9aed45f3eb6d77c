/**
 * Calibration of the quality-flag thresholds (src/library/quality/flags.ts) on real photographs.
 * Usage: npx tsx scripts/calibrate_quality.ts [--dir ../shared/images/real] [--figures]
 *
 * Each *.jpg in --dir is decoded with sharp and downsized to the working resolution (long side 512, sharp's
 * default lanczos3 kernel, never enlarged) as the decode worker does, then degraded in memory:
 * - blur: sharp .blur(σ) for σ = 1.5 and 3, applied at the working resolution (a blur applied before
 *   downsizing would mostly vanish in the downsizing);
 * - exposure +1.5 EV and −2 EV: gamma-correct scaling — each 8-bit value is decoded with the sRGB transfer
 *   function, multiplied by 2^EV in linear light, clipped to 1 and re-encoded (a 256-entry table). sharp's
 *   .linear(a, b) would scale the gamma-encoded values instead, which is not what a longer exposure does;
 * - Gaussian noise σ = 12 (0..255) added to each channel independently (seeded), rounded and clipped;
 * - contrast reduced to 30 %: every channel value v → m + 0.3 (v − m), m = the image's mean luma, rounded
 *   (so brightness stays put).
 * It prints how often each flag fires on the originals and on each kind of degraded copy at the thresholds
 * in QUALITY_THRESHOLDS, and the time technicalQuality takes on a 512×384 image. With --figures it also
 * prints every figure of every image, the raw material for choosing the thresholds.
 * It reads --dir only and writes nothing but stdout.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { flagReason, qualityFlags, type QualityFlag } from '../src/library/quality/flags';
import { technicalQuality, WORKING_LONG_SIDE, type TechnicalQuality } from '../src/scoring/technicalQuality';

interface Raw {
  data: Uint8Array;
  width: number;
  height: number;
}

const args = process.argv.slice(2);
const dirArg = args.indexOf('--dir');
const dir = resolve(dirArg >= 0 ? args[dirArg + 1] : '../shared/images/real');
const showFigures = args.includes('--figures');

async function load(path: string): Promise<Raw> {
  const { data, info } = await sharp(path)
    .resize({ width: WORKING_LONG_SIDE, height: WORKING_LONG_SIDE, fit: 'inside', withoutEnlargement: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

async function blurred(img: Raw, sigma: number): Promise<Raw> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
    .blur(sigma)
    .raw()
    .toBuffer();
  return { ...img, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const srgbToLinear = (v: number): number => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
const linearToSrgb = (v: number): number => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);

function exposed(img: Raw, ev: number): Raw {
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    lut[v] = Math.round(255 * linearToSrgb(Math.min(1, srgbToLinear(v / 255) * 2 ** ev)));
  }
  return mapRgb(img, (v) => lut[v]);
}

function noisy(img: Raw, sigma: number, seed: number): Raw {
  let s = seed >>> 0;
  const uniform = (): number => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return mapRgb(img, (v) => v + sigma * gauss());
}

function lowContrast(img: Raw, factor: number): Raw {
  const q = technicalQuality(img.data, img.width, img.height);
  const m = q.meanLuma * 255;
  return mapRgb(img, (v) => m + factor * (v - m));
}

/** Applies f to R, G, B (alpha kept), rounding and clamping to 0..255. */
function mapRgb(img: Raw, f: (v: number) => number): Raw {
  const out = new Uint8ClampedArray(img.data.length);
  for (let p = 0; p < img.data.length; p += 4) {
    out[p] = Math.round(f(img.data[p]));
    out[p + 1] = Math.round(f(img.data[p + 1]));
    out[p + 2] = Math.round(f(img.data[p + 2]));
    out[p + 3] = img.data[p + 3];
  }
  return { ...img, data: new Uint8Array(out.buffer) };
}

/** Each variant with the flag it should raise (null: none). */
const VARIANTS: { name: string; expects: QualityFlag | null; make: (img: Raw, i: number) => Promise<Raw> | Raw }[] = [
  { name: 'original', expects: null, make: (img) => img },
  { name: 'blur σ=1.5', expects: 'blurry', make: (img) => blurred(img, 1.5) },
  { name: 'blur σ=3', expects: 'blurry', make: (img) => blurred(img, 3) },
  { name: '+1.5 EV', expects: 'overexposed', make: (img) => exposed(img, 1.5) },
  { name: '−2 EV', expects: 'underexposed', make: (img) => exposed(img, -2) },
  { name: 'noise σ=12', expects: 'noisy', make: (img, i) => noisy(img, 12, 1000 + i) },
  { name: 'contrast 30 %', expects: 'low-contrast', make: (img) => lowContrast(img, 0.3) },
];
const FLAGS: QualityFlag[] = ['blurry', 'overexposed', 'underexposed', 'noisy', 'low-contrast'];

const files = readdirSync(dir)
  .filter((f) => f.toLowerCase().endsWith('.jpg'))
  .sort();
if (files.length === 0) throw new Error(`no .jpg in ${dir}`);

const counts = VARIANTS.map(() => new Map<QualityFlag, number>(FLAGS.map((f) => [f, 0])));
const figures: { file: string; variant: string; q: TechnicalQuality; flags: QualityFlag[] }[] = [];
for (const [i, file] of files.entries()) {
  const img = await load(join(dir, file));
  for (const [v, variant] of VARIANTS.entries()) {
    const d = await variant.make(img, i);
    const q = technicalQuality(d.data, d.width, d.height);
    const flags = qualityFlags(q);
    for (const f of flags) counts[v].set(f, (counts[v].get(f) ?? 0) + 1);
    figures.push({ file, variant: variant.name, q, flags });
  }
}

const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
if (showFigures) {
  console.log('file\tvariant\tmeanLuma\thighlights\tshadows\tcontrast\tcolorfulness\tnoise\tsharpness\tpeak\tflags');
  for (const { file, variant, q, flags } of figures) {
    const cols = [q.meanLuma, q.clippedHighlights, q.clippedShadows, q.contrast, q.colorfulness, q.noise, q.sharpness, q.sharpnessPeak];
    console.log([file, variant, ...cols.map(fmt), flags.join(',')].join('\t'));
  }
  console.log();
}

console.log(`Quality flags at QUALITY_THRESHOLDS, ${files.length} photos from ${dir}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`Each cell: photos flagged / ${files.length}; the expected flag of each row is marked *.\n`);
console.log(`| variant | ${FLAGS.join(' | ')} |`);
console.log(`|---|${FLAGS.map(() => '---:').join('|')}|`);
for (const [v, variant] of VARIANTS.entries()) {
  const cells = FLAGS.map((f) => `${counts[v].get(f)}${variant.expects === f ? '*' : ''}`);
  console.log(`| ${variant.name} | ${cells.join(' | ')} |`);
}

console.log('\nOriginals flagged:');
for (const { file, variant, q, flags } of figures) {
  if (variant === VARIANTS[0].name) for (const f of flags) console.log(`- ${file}: ${flagReason(f, q)}`);
}

// Timing on the working resolution's typical landscape shape.
const first = await sharp(join(dir, files[0]))
  .resize({ width: 512, height: 384, fit: 'fill' })
  .ensureAlpha()
  .raw()
  .toBuffer();
const px = new Uint8Array(first.buffer, first.byteOffset, first.length);
for (let k = 0; k < 20; k++) technicalQuality(px, 512, 384);
const runs = 200;
const t0 = performance.now();
for (let k = 0; k < runs; k++) technicalQuality(px, 512, 384);
console.log(`\ntechnicalQuality on 512×384: ${((performance.now() - t0) / runs).toFixed(2)} ms per image (mean of ${runs})`);
