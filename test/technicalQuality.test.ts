import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { flagReason, QUALITY_THRESHOLDS, qualityFlags } from '../src/library/quality/flags';
import { technicalQuality, type TechnicalQuality } from '../src/scoring/technicalQuality';

// Reference figures from scripts/make_quality_fixtures.py (an independent NumPy/scipy implementation).
const reference = JSON.parse(
  readFileSync(new URL('./fixtures/quality/reference.json', import.meta.url), 'utf8'),
) as { images: Record<string, TechnicalQuality> };
const FIELDS: (keyof TechnicalQuality)[] = [
  'width',
  'height',
  'meanLuma',
  'clippedHighlights',
  'clippedShadows',
  'contrast',
  'colorfulness',
  'noise',
  'sharpness',
  'sharpnessPeak',
];

interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

async function loadFixture(name: string): Promise<Rgba> {
  const { data, info } = await sharp(fileURLToPath(new URL(`./fixtures/quality/${name}.png`, import.meta.url)))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(4);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

const images: Record<string, Rgba> = {};
const quality: Record<string, TechnicalQuality> = {};
beforeAll(async () => {
  for (const name of Object.keys(reference.images)) {
    images[name] = await loadFixture(name);
    quality[name] = technicalQuality(images[name].data, images[name].width, images[name].height);
  }
});

describe('against NumPy', () => {
  for (const [name, ref] of Object.entries(reference.images)) {
    it(`${name}: every field`, () => {
      const q = quality[name];
      for (const field of FIELDS) {
        const want = ref[field];
        const got = q[field];
        const tolerance = Math.max(1e-9, 1e-9 * Math.abs(want));
        expect(Math.abs(got - want), `${name}.${field}: ${got} vs NumPy ${want}`).toBeLessThanOrEqual(tolerance);
      }
    });
  }
});

describe('behaviour', () => {
  it('sharpness and sharpnessPeak fall strictly with the blur', () => {
    const chain = ['scene', 'blur1', 'blur2', 'blur4'].map((n) => quality[n]);
    for (let i = 1; i < chain.length; i++) {
      expect(chain[i].sharpness).toBeLessThan(chain[i - 1].sharpness);
      expect(chain[i].sharpnessPeak).toBeLessThan(chain[i - 1].sharpnessPeak);
    }
  });

  it('added noise raises the noise estimate', () => {
    expect(quality.noisy.noise).toBeGreaterThan(2 * quality.scene.noise);
  });

  it('exposure moves mean luma and clipping the right way', () => {
    const { scene, dark, bright } = quality;
    expect(dark.meanLuma).toBeLessThan(scene.meanLuma);
    expect(dark.clippedShadows).toBeGreaterThan(scene.clippedShadows);
    expect(bright.meanLuma).toBeGreaterThan(scene.meanLuma);
    expect(bright.clippedHighlights).toBeGreaterThan(scene.clippedHighlights);
  });

  it('the low-contrast copy has lower contrast', () => {
    expect(quality.lowcontrast.contrast).toBeLessThan(0.5 * quality.scene.contrast);
  });

  it('colourful beats grey; grey has none', () => {
    expect(quality.colourful.colorfulness).toBeGreaterThan(50);
    expect(quality.grey.colorfulness).toBe(0);
  });

  it('the sharpest tile keeps a sharp subject on a soft background sharp', () => {
    const { subject, blur4, scene } = quality;
    expect(subject.sharpness).toBeLessThan(0.2 * scene.sharpness);
    expect(subject.sharpnessPeak).toBeGreaterThan(5 * subject.sharpness);
    expect(subject.sharpnessPeak).toBeGreaterThan(100 * blur4.sharpnessPeak);
  });

  it('ignores alpha', () => {
    const { data, width, height } = images.scene;
    const translucent = data.slice();
    for (let p = 3; p < translucent.length; p += 4) translucent[p] = (p * 7) & 255;
    expect(technicalQuality(translucent, width, height)).toEqual(quality.scene);
    expect(technicalQuality(new Uint8ClampedArray(data), width, height)).toEqual(quality.scene);
  });

  it('clips at exactly 250 and 5 (grey 250 counts, 249 does not)', () => {
    const grey = (values: number[]): Uint8Array => {
      const px = new Uint8Array(9 * 4);
      values.forEach((v, i) => px.set([v, v, v, 255], i * 4));
      return px;
    };
    const q = technicalQuality(grey([250, 249, 5, 6, 0, 255, 128, 128, 128]), 3, 3);
    expect(q.clippedHighlights).toBeCloseTo(2 / 9, 15);
    expect(q.clippedShadows).toBeCloseTo(2 / 9, 15);
  });

  it('rejects images smaller than 3×3 and buffers of the wrong length', () => {
    expect(() => technicalQuality(new Uint8Array(2 * 2 * 4), 2, 2)).toThrow(/at least 3×3/);
    expect(() => technicalQuality(new Uint8Array(3 * 2 * 4), 3, 2)).toThrow(/at least 3×3/);
    expect(() => technicalQuality(new Uint8Array(4 * 4 * 4 - 1), 4, 4)).toThrow(/expected 64/);
    expect(() => technicalQuality(new Uint8Array(4 * 4 * 3), 4, 4)).toThrow(/RGBA buffer has 48 bytes/);
  });
});

describe('qualityFlags', () => {
  it('flags the σ=4 blur as blurry and not the sharp original', () => {
    expect(qualityFlags(quality.blur4)).toContain('blurry');
    expect(qualityFlags(quality.scene)).not.toContain('blurry');
    expect(flagReason('blurry', quality.blur4)).toMatch(/^blurry: sharpness 1\.\d \(sharpest tile \d\.\d\) is below 100/);
  });

  it('does not flag a sharp subject on a soft background, though its whole-image sharpness is low', () => {
    const { subject } = quality;
    expect(subject.sharpness).toBeLessThan(QUALITY_THRESHOLDS.blurrySharpness);
    expect(subject.sharpnessPeak).toBeGreaterThan(QUALITY_THRESHOLDS.blurrySharpnessPeak);
    expect(qualityFlags(subject)).not.toContain('blurry');
    // The same figures without the sharp tile would be flagged.
    expect(qualityFlags({ ...subject, sharpness: 50, sharpnessPeak: 50 })).toContain('blurry');
  });

  it('flags noise, exposure and contrast on the degraded copies only', () => {
    expect(qualityFlags(quality.scene)).toEqual([]);
    expect(qualityFlags(quality.noisy)).toContain('noisy');
    expect(qualityFlags(quality.bright)).toContain('overexposed');
    expect(qualityFlags(quality.dark)).toContain('underexposed');
    expect(qualityFlags(quality.lowcontrast)).toContain('low-contrast');
  });

  it('each reason names the figure and the threshold it crossed', () => {
    const base = quality.scene;
    expect(flagReason('overexposed', { ...base, clippedHighlights: 0.2 })).toBe(
      'overexposed: 20.0 % of pixels are clipped white, more than 8.0 %',
    );
    expect(flagReason('overexposed', { ...base, meanLuma: 0.8 })).toBe('overexposed: mean brightness 0.80 is above 0.70');
    expect(flagReason('underexposed', { ...base, meanLuma: 0.2, clippedHighlights: 0 })).toMatch(
      /^underexposed: mean brightness 0\.20 is below 0\.28 and nothing is bright/,
    );
    // A dark scene with bright spots (night, fire) is not underexposed by the dark-and-flat rule.
    expect(qualityFlags({ ...base, meanLuma: 0.2, clippedHighlights: 0.02 })).not.toContain('underexposed');
    expect(flagReason('noisy', { ...base, noise: 7.94 })).toBe('noisy: noise σ 7.9 is above 5.5');
    expect(flagReason('low-contrast', { ...base, contrast: 0.05 })).toBe('low contrast: RMS contrast 0.050 is below 0.090');
    expect(flagReason('noisy', base)).toBe('noisy: not flagged');
  });

  it('takes other thresholds', () => {
    expect(qualityFlags(quality.scene, { ...QUALITY_THRESHOLDS, noisyNoise: 1 })).toEqual(['noisy']);
  });
});
