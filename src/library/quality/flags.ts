/**
 * Quality flags: the technical figures of scoring/technicalQuality.ts turned into a few plain-language warnings.
 *
 * The rules (figures measured at WORKING_LONG_SIDE; see scoring/technicalQuality.ts for their definitions):
 * - blurry: sharpness < 100 AND sharpnessPeak < 200. Both must be soft, so a sharp subject on a defocused
 *   background (a soft image overall with one sharp tile) is not flagged.
 * - overexposed: clippedHighlights > 8 % OR meanLuma > 0.7.
 * - underexposed: clippedShadows > 40 % OR meanLuma < 0.1 OR (meanLuma < 0.28 AND clippedHighlights < 0.1 %).
 *   The last term is what catches most underexposure: a dark picture in which nothing reaches near-white was
 *   exposed too short, while a night scene or a fire is dark with bright spots and is left alone. The plain
 *   mean-luma test has to sit far lower, because normal photographs (indoor, dusk) overlap a −2 EV copy of
 *   a bright one.
 * - noisy: noise > 5.5 (Immerkær σ on luma 0..255).
 * - low-contrast: contrast < 0.09 (standard deviation of luma, 0..1).
 *
 * Calibration (scripts/calibrate_quality.ts, results in docs/quality.md): 24 real photographs (CLIVE, 500×500,
 * MOS from 3 to 92) and copies of each degraded at the working resolution — Gaussian blur σ 1.5 and 3,
 * +1.5 EV and −2 EV (gamma-correct), Gaussian noise σ 12, contrast × 0.3. Each threshold was placed to flag
 * at most one original while catching as many copies of its degradation as possible, then moved away from
 * the nearest unflagged original by roughly 10–20 % where that cost few catches, so that photos unlike these
 * 24 are not flagged on a hair's breadth. The originals flagged are authentically bad (a blown-out, soft snapshot;
 * a fireworks night shot) except a sky of soft clouds, which is blurry by nature.
 *
 * Known limits: Laplacian variance scales with contrast², so dark and flat images also read as blurry (most
 * contrast-reduced and nearly half of the −2 EV copies are flagged blurry too); textures raise the noise
 * estimate, and brightening raises it with the noise it amplifies.
 */
import type { TechnicalQuality } from '../../scoring/technicalQuality';

export type QualityFlag = 'blurry' | 'overexposed' | 'underexposed' | 'noisy' | 'low-contrast';

export const QUALITY_THRESHOLDS = {
  /** Blurry when the whole image's Laplacian variance is below this… */
  blurrySharpness: 100,
  /** …and its sharpest tile's is below this too. */
  blurrySharpnessPeak: 200,
  /** Overexposed above this fraction of pixels clipped white (luma ≥ 250). */
  overexposedClipped: 0.08,
  /** Overexposed above this mean luma (0..1) whatever the clipping. */
  overexposedMeanLuma: 0.7,
  /** Underexposed above this fraction of pixels clipped black (luma ≤ 5). */
  underexposedClipped: 0.4,
  /** Underexposed below this mean luma whatever the highlights. */
  underexposedMeanLuma: 0.1,
  /** Underexposed below this mean luma when (almost) nothing is clipped white… */
  darkMeanLuma: 0.28,
  /** …i.e. when the fraction of clipped-white pixels is below this. */
  darkHighlights: 0.001,
  /** Noisy above this Immerkær σ (luma 0..255). */
  noisyNoise: 5.5,
  /** Low contrast below this RMS contrast (0..1). */
  lowContrast: 0.09,
} as const;

export type QualityThresholds = { readonly [K in keyof typeof QUALITY_THRESHOLDS]: number };

export const QUALITY_FLAGS: readonly QualityFlag[] = ['blurry', 'overexposed', 'underexposed', 'noisy', 'low-contrast'];

/** The reason each flag fires, or null when it does not: the rule and its wording kept in one place. */
function check(flag: QualityFlag, q: TechnicalQuality, t: QualityThresholds): string | null {
  switch (flag) {
    case 'blurry':
      return q.sharpness < t.blurrySharpness && q.sharpnessPeak < t.blurrySharpnessPeak
        ? `blurry: sharpness ${num(q.sharpness)} (sharpest tile ${num(q.sharpnessPeak)}) ` +
            `is below ${num(t.blurrySharpness)} (sharpest tile ${num(t.blurrySharpnessPeak)})`
        : null;
    case 'overexposed':
      if (q.clippedHighlights > t.overexposedClipped) {
        const limit = pct(t.overexposedClipped);
        return `overexposed: ${pct(q.clippedHighlights)} of pixels are clipped white, more than ${limit}`;
      }
      return q.meanLuma > t.overexposedMeanLuma
        ? `overexposed: mean brightness ${q.meanLuma.toFixed(2)} is above ${t.overexposedMeanLuma.toFixed(2)}`
        : null;
    case 'underexposed':
      if (q.clippedShadows > t.underexposedClipped) {
        const limit = pct(t.underexposedClipped);
        return `underexposed: ${pct(q.clippedShadows)} of pixels are clipped black, more than ${limit}`;
      }
      if (q.meanLuma < t.underexposedMeanLuma) {
        return `underexposed: mean brightness ${q.meanLuma.toFixed(2)} is below ${t.underexposedMeanLuma.toFixed(2)}`;
      }
      return q.meanLuma < t.darkMeanLuma && q.clippedHighlights < t.darkHighlights
        ? `underexposed: mean brightness ${q.meanLuma.toFixed(2)} is below ${t.darkMeanLuma.toFixed(2)} ` +
            `and nothing is bright (${pct(q.clippedHighlights)} near-white, under ${pct(t.darkHighlights)})`
        : null;
    case 'noisy':
      return q.noise > t.noisyNoise ? `noisy: noise σ ${q.noise.toFixed(1)} is above ${t.noisyNoise.toFixed(1)}` : null;
    case 'low-contrast':
      return q.contrast < t.lowContrast
        ? `low contrast: RMS contrast ${q.contrast.toFixed(3)} is below ${t.lowContrast.toFixed(3)}`
        : null;
  }
}

export function qualityFlags(q: TechnicalQuality, thresholds: QualityThresholds = QUALITY_THRESHOLDS): QualityFlag[] {
  return QUALITY_FLAGS.filter((flag) => check(flag, q, thresholds) !== null);
}

/**
 * One line saying why `flag` applies to `q`, e.g. "blurry: sharpness 12 (sharpest tile 30) is below 100
 * (sharpest tile 200)". For a flag that does not apply it says so rather than inventing a reason.
 */
export function flagReason(
  flag: QualityFlag,
  q: TechnicalQuality,
  thresholds: QualityThresholds = QUALITY_THRESHOLDS,
): string {
  return check(flag, q, thresholds) ?? `${flag}: not flagged`;
}

function num(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(2);
}

function pct(x: number): string {
  return `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`;
}
