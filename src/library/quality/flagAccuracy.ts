/**
 * How often each flag is right on the project's own labelled sets (issue 16, item 4), in words for the explain
 * panel and the docs. The figures are generated (flagAccuracyFigures.ts, by scripts/flagAccuracy.ts); tests
 * recompute them from the sets and fail when the code no longer gives the committed figures
 * (test/flagAccuracy.test.ts for the technical flags, e2e/faces.e2e.ts for closed eyes).
 */
import type { EyeAccuracy } from '../../scoring/faces/eyeAccuracy';
import { FLAG_FIGURES } from './flagAccuracyFigures';

export interface TechnicalAccuracy {
  /** Copies degraded this flag's way that it flags… */
  caught: number;
  /** …of this many. */
  of: number;
  /** The degradations, e.g. "blur σ=1.5, blur σ=3". */
  copies: string;
  /** Photos as shot that it flags… */
  falseAlarms: number;
  /** …of this many. */
  photos: number;
}

export interface FlagFigures {
  /** When and on what the figures were computed. */
  measured: string;
  technical: Record<'blurry' | 'overexposed' | 'underexposed' | 'noisy' | 'low-contrast', TechnicalAccuracy>;
  eyes: EyeAccuracy;
}

const alarms = (n: number) => `${n} false alarm${n === 1 ? '' : 's'}`;

/** "blurry: caught 41 of 48 copies blurred (σ=1.5, σ=3), 1 false alarm on 24 photos as shot", or null. */
export function accuracyLine(flag: string, figures: FlagFigures = FLAG_FIGURES): string | null {
  if (flag === 'eyes-closed') {
    const e = figures.eyes;
    return `eyes closed: caught ${e.caught} of ${e.of} closed or winking eyes, ${alarms(e.falseAlarms)} on ${e.open} open ones (labelled faces)`;
  }
  const t = figures.technical[flag as keyof FlagFigures['technical']];
  if (!t) return null;
  return `${flag}: caught ${t.caught} of ${t.of} copies made that way (${t.copies}), ${alarms(t.falseAlarms)} on ${t.photos} photos as shot`;
}
