/**
 * The labelled set of the technical flags: real photographs and copies of each degraded in memory in known
 * ways, so each copy carries the flag it should raise (its label). scripts/calibrate_quality.ts chose the
 * thresholds on it; scripts/flagAccuracy.ts and test/flagAccuracy.test.ts count how often each flag is right.
 *
 * Each *.jpg is decoded with sharp and downsized to the working resolution (long side 512, sharp's default
 * lanczos3 kernel, never enlarged) as the decode worker does, then degraded:
 * - blur: sharp .blur(σ) for σ = 1.5 and 3, applied at the working resolution (a blur applied before
 *   downsizing would mostly vanish in the downsizing);
 * - exposure +1.5 EV and −2 EV: gamma-correct scaling — each 8-bit value is decoded with the sRGB transfer
 *   function, multiplied by 2^EV in linear light, clipped to 1 and re-encoded (a 256-entry table). sharp's
 *   .linear(a, b) would scale the gamma-encoded values instead, which is not what a longer exposure does;
 * - Gaussian noise σ = 12 (0..255) added to each channel independently (seeded), rounded and clipped;
 * - contrast reduced to 30 %: every channel value v → m + 0.3 (v − m), m = the image's mean luma, rounded
 *   (so brightness stays put).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { qualityFlags, type QualityFlag } from '../src/library/quality/flags';
import type { TechnicalAccuracy } from '../src/library/quality/flagAccuracy';
import { technicalQuality, WORKING_LONG_SIDE, type TechnicalQuality } from '../src/scoring/technicalQuality';

export const REAL_PHOTOS = '../shared/images/real';

export interface Raw {
  data: Uint8Array;
  width: number;
  height: number;
}

export async function load(path: string): Promise<Raw> {
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
export const VARIANTS: { name: string; expects: QualityFlag | null; make: (img: Raw, i: number) => Promise<Raw> | Raw }[] = [
  { name: 'original', expects: null, make: (img) => img },
  { name: 'blur σ=1.5', expects: 'blurry', make: (img) => blurred(img, 1.5) },
  { name: 'blur σ=3', expects: 'blurry', make: (img) => blurred(img, 3) },
  { name: '+1.5 EV', expects: 'overexposed', make: (img) => exposed(img, 1.5) },
  { name: '−2 EV', expects: 'underexposed', make: (img) => exposed(img, -2) },
  { name: 'noise σ=12', expects: 'noisy', make: (img, i) => noisy(img, 12, 1000 + i) },
  { name: 'contrast 30 %', expects: 'low-contrast', make: (img) => lowContrast(img, 0.3) },
];
export const FLAGS: QualityFlag[] = ['blurry', 'overexposed', 'underexposed', 'noisy', 'low-contrast'];

export interface Measured {
  file: string;
  variant: string;
  q: TechnicalQuality;
  flags: QualityFlag[];
}

/** Every photo of `dir` and every degraded copy, measured and flagged at the thresholds in force. */
export async function measureQualitySet(dir: string): Promise<{ files: string[]; figures: Measured[] }> {
  const files = readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.jpg'))
    .sort();
  if (files.length === 0) throw new Error(`no .jpg in ${dir}`);
  const figures: Measured[] = [];
  for (const [i, file] of files.entries()) {
    const img = await load(join(dir, file));
    for (const variant of VARIANTS) {
      const d = await variant.make(img, i);
      const q = technicalQuality(d.data, d.width, d.height);
      figures.push({ file, variant: variant.name, q, flags: qualityFlags(q) });
    }
  }
  return { files, figures };
}

/**
 * How often each flag is right on the set: caught = the copies degraded its way that it flags, false alarms =
 * the photos as shot that it flags.
 */
export function technicalAccuracy(figures: readonly Measured[], photos: number): Record<QualityFlag, TechnicalAccuracy> {
  const out = {} as Record<QualityFlag, TechnicalAccuracy>;
  for (const flag of FLAGS) {
    const kinds = VARIANTS.filter((v) => v.expects === flag).map((v) => v.name);
    const copies = figures.filter((f) => kinds.includes(f.variant));
    out[flag] = {
      caught: copies.filter((f) => f.flags.includes(flag)).length,
      of: copies.length,
      copies: kinds.join(', '),
      falseAlarms: figures.filter((f) => f.variant === VARIANTS[0].name && f.flags.includes(flag)).length,
      photos,
    };
  }
  return out;
}
