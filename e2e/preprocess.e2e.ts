import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIP_MEAN, CLIP_STD } from '../src/engine/preprocess';
import { sharedLabPage } from './browser';

const FIXTURES = new URL('../test/fixtures/preprocess/', import.meta.url);
interface Fixture {
  file: string;
  ref: string;
  exercises: string;
}
const fixtures: Fixture[] = JSON.parse(readFileSync(new URL('index.json', FIXTURES), 'utf8')).fixtures;

const lab = sharedLabPage();

/** The browser's path (decode worker: createImageBitmap → read-back → resample) against PIL's output. */
describe('preprocessing in Chromium matches PIL', () => {
  const rows: string[] = [];
  afterAll(() => console.log(`browser decode + preprocess vs PIL (0..255):\n${rows.join('\n')}`));

  it.each(fixtures.map((f) => [f.file, f] as const))('%s', async (_name, fixture) => {
    const bytes = Array.from(readFileSync(new URL(fixture.file, FIXTURES)));
    const result = await lab.page.evaluate(
      async ({ bytes, name }) => {
        const lab = (window as unknown as { loupeLab: { decodeForClip(b: Uint8Array, n: string): Promise<{ ok: boolean; pixels?: number[]; reason?: string }> } }).loupeLab;
        return lab.decodeForClip(new Uint8Array(bytes), name);
      },
      { bytes, name: fixture.file },
    );
    expect(result.reason).toBeUndefined();
    const pixels = result.pixels!;
    const ref = readFileSync(new URL(fixture.ref, FIXTURES));
    const size = 224 * 224;
    let max = 0;
    let sum = 0;
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < size; i++) {
        // Undo the normalisation to compare on PIL's 0..255 scale.
        const value = (pixels[c * size + i] * CLIP_STD[c] + CLIP_MEAN[c]) * 255;
        const d = Math.abs(value - ref[i * 3 + c]);
        max = Math.max(max, d);
        sum += d;
      }
    }
    const mean = sum / (3 * size);
    rows.push(`  ${fixture.file.padEnd(16)} max ${max.toFixed(3)}  mean ${mean.toFixed(4)}  (${fixture.exercises})`);
    expect(max).toBeLessThanOrEqual(2);
    expect(mean).toBeLessThanOrEqual(0.5);
  });
});
