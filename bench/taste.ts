/**
 * Taste-head training benchmark: the app's taste worker (TF.js) in Chromium, on synthetic decisions
 * (src/lab/benchApi.ts trainTasteSynthetic), at the app's settings. Serves dist/ (built if stale) and
 * writes bench/taste-results.json.
 *
 *     npm run bench:taste
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../e2e/browser';
import type { BenchApi, TasteTiming } from '../src/lab/benchApi';
import { TASTE_TRAINING } from '../src/scoring/taste/trainTaste';
import { PageErrors, openLab } from './browser';
import { distStaleReason, ROOT, serve, viteBuild } from './server';

const SIZES = [20, 100, 400, 1600];

const stale = distStaleReason();
if (stale) {
  console.log(`building dist/ (${stale})`);
  await viteBuild();
}
const { server, baseUrl } = await serve();
const browser = await launchChromium();
const errors = new PageErrors();
const rows: TasteTiming[] = [];
try {
  const context = await browser.newContext();
  const page = await openLab(context, baseUrl, errors, 'lab');
  const train = (decided: number) =>
    page.evaluate((o) => (window as unknown as { loupeLab: BenchApi }).loupeLab.trainTasteSynthetic(o), { decided, steps: TASTE_TRAINING.steps, seed: 7 });
  await train(10); // loads TF.js and compiles its wasm: not part of any number
  for (const decided of SIZES) {
    const r = await train(decided);
    rows.push(r);
    console.log(
      `${String(decided).padStart(4)} decisions · ${String(r.trainPairs).padStart(6)} pairs · ${r.steps} steps · ${(r.ms / 1000).toFixed(1)} s (${r.msPerStep.toFixed(0)} ms/step) on ${r.backend} · held-out ${r.heldOutAccuracy === null ? '–' : r.heldOutAccuracy.toFixed(3)}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
if (errors.messages.length) console.log(`page errors:\n${errors.messages.join('\n')}`);
const out = join(ROOT, 'bench/taste-results.json');
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg(), settings: TASTE_TRAINING, rows }, null, 2)}\n`);
console.log(`written to ${out}`);
