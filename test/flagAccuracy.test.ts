import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accuracyLine } from '../src/library/quality/flagAccuracy';
import { FLAG_FIGURES } from '../src/library/quality/flagAccuracyFigures';
import { eyeAccuracy } from '../src/scoring/faces/eyeAccuracy';
import { measureQualitySet, REAL_PHOTOS, technicalAccuracy } from '../scripts/qualitySet';

describe('flag accuracy', () => {
  it('the committed figures are what the technical flags give on the labelled set today (else: npx tsx scripts/flagAccuracy.ts)', async () => {
    const { files, figures } = await measureQualitySet(resolve(REAL_PHOTOS));
    expect(technicalAccuracy(figures, files.length)).toEqual(FLAG_FIGURES.technical);
  }, 60_000);

  it('counts closed and winking eyes caught, and open ones called closed', () => {
    expect(
      eyeAccuracy([
        { label: 'closed', predicted: 'both-closed' },
        { label: 'wink', predicted: 'one-closed' },
        { label: 'closed', predicted: 'open' },
        { label: 'open', predicted: 'one-closed' },
        { label: 'open', predicted: 'open' },
        { label: 'open', predicted: 'missed' },
      ]),
    ).toEqual({ caught: 2, of: 3, falseAlarms: 1, open: 3 });
  });

  it('says it in words', () => {
    const figures = {
      measured: '',
      technical: { ...FLAG_FIGURES.technical, blurry: { caught: 41, of: 48, copies: 'blur σ=1.5, blur σ=3', falseAlarms: 1, photos: 24 } },
      eyes: { caught: 5, of: 5, falseAlarms: 0, open: 22 },
    };
    expect(accuracyLine('blurry', figures)).toBe('blurry: caught 41 of 48 copies made that way (blur σ=1.5, blur σ=3), 1 false alarm on 24 photos as shot');
    expect(accuracyLine('eyes-closed', figures)).toBe('eyes closed: caught 5 of 5 closed or winking eyes, 0 false alarms on 22 open ones (labelled faces)');
    expect(accuracyLine('face-soft', figures)).toBeNull();
  });
});
