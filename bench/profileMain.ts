/**
 * Where the page's main thread spends its time during a large drop: a V8 CPU profile (CDP Profiler) of the
 * app page from the drop to the last score, summed by function (self time), plus the busy fraction.
 *
 *     npx tsx bench/profileMain.ts 5000
 *     LOUPE_BENCH_DIST=dist-before npx tsx bench/profileMain.ts 5000   # another build (vite build --minify false)
 *
 * Writes bench/profile-main-<n>[-<dist>].json (the top functions) for the issue's notes.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { launchChromium } from '../e2e/browser';
import { imageUrls, PageErrors, runApp } from './browser';
import { ensureImages } from './images';
import { distStaleReason, ROOT, serve, viteBuild } from './server';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const n = Number(process.argv[2] ?? 5000);
if (!process.env.LOUPE_BENCH_DIST && distStaleReason()) viteBuild();
const set = await ensureImages(n, 160, 120, (l) => console.log(l));
const { server, baseUrl } = await serve(process.env.LOUPE_BENCH_DIST ?? 'dist');
const browser = await launchChromium();
const errors = new PageErrors();
let profile: Profile | null = null;
try {
  const r = await runApp(browser, baseUrl, 'model=clip-tiny&backend=wasm&people=off', imageUrls(set, n), errors, `profile-${n}`, {
    beforeDrop: async (_page, cdp: CDPSession) => {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 2000 });
      await cdp.send('Profiler.start');
    },
    afterRun: async (_page, cdp: CDPSession) => {
      profile = (await cdp.send('Profiler.stop')).profile as unknown as Profile;
    },
  });
  console.log(`${n} images in ${(r.elapsedMs / 1000).toFixed(1)} s (${r.imagesPerSecond.toFixed(1)}/s), longest task ${r.longTasks.maxMs.toFixed(0)} ms`);
  console.log(`timeline ms: ${JSON.stringify(r.timeline)}`);
} finally {
  await browser.close();
  await server.close();
}
const p = profile as Profile | null;
if (!p) throw new Error('no profile');
const byId = new Map(p.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const node = byId.get(id)!;
  const f = node.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
  const dt = (p.timeDeltas[i] ?? 0) / 1000;
  total += dt;
  self.set(key, (self.get(key) ?? 0) + dt);
});
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
const idle = [...self].find(([k]) => k.startsWith('(idle)'))?.[1] ?? 0;
console.log(`profiled ${(total / 1000).toFixed(1)} s, idle ${(idle / 1000).toFixed(1)} s, busy ${((total - idle) / 1000).toFixed(1)} s`);
for (const [k, ms] of top) console.log(`${(ms / 1000).toFixed(2).padStart(8)} s  ${k}`);
// The longest busy stretches (samples between two idle ones): which functions they were spent in, counted
// inclusively (a frame anywhere on the stack), so the caller that owns a long task shows by name.
const parentOf = new Map<number, number>();
for (const node of p.nodes) for (const c of node.children ?? []) parentOf.set(c, node.id);
const frameName = (id: number) => {
  const f = byId.get(id)!.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
};
const stretches: { ms: number; from: number; to: number }[] = [];
let start = -1;
let ms = 0;
p.samples.forEach((id, i) => {
  const idleSample = byId.get(id)!.callFrame.functionName === '(idle)';
  if (!idleSample) {
    if (start < 0) [start, ms] = [i, 0];
    ms += (p.timeDeltas[i + 1] ?? 0) / 1000;
  }
  if ((idleSample || i === p.samples.length - 1) && start >= 0) {
    stretches.push({ ms, from: start, to: i });
    start = -1;
  }
});
const longest = stretches.sort((a, b) => b.ms - a.ms).slice(0, 5);
for (const st of longest) {
  const inclusive = new Map<string, number>();
  for (let i = st.from; i < st.to; i++) {
    const seen = new Set<string>();
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parentOf.get(id)) seen.add(frameName(id));
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
  }
  const named = [...inclusive].filter(([k]) => !k.startsWith('(root)') && !k.startsWith('(program)')).sort((a, b) => b[1] - a[1]);
  console.log(`busy stretch ${st.ms.toFixed(0)} ms: ${named.slice(0, 8).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(' | ')}`);
}
const label = process.env.LOUPE_BENCH_DIST ? `-${basename(process.env.LOUPE_BENCH_DIST)}` : '';
writeFileSync(join(ROOT, `bench/profile-main-${n}${label}.json`), `${JSON.stringify({ images: n, totalMs: total, idleMs: idle, top }, null, 2)}\n`);
if (errors.messages.length) console.log(errors.messages.slice(0, 10).join('\n'));
