/**
 * Finds what runs in the app's main-thread long tasks: the 500-image run again, on an unminified build
 * (so functions keep their names), under the V8 sampling profiler. Samples are mapped onto the long tasks
 * the page itself observed, using a marker function run just before the drop to align the profiler's
 * clock with `performance.now()`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { runApp, type PageErrors } from './browser';
import { serve, viteBuild } from './server';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  fn: string;
  /** Time with this function on the stack, summed over the long tasks (each sample counted once). */
  inclusiveMs: number;
  selfMs: number;
}

export interface LongTaskDiagnosis {
  build: string;
  run: { imagesPerSecond: number; longTasks: number; over50: number; maxMs: number };
  /** Profiler time inside tasks over 50 ms, and how much of it the profile attributes. */
  sampledMsInLongTasks: number;
  /** The whole profiled run on the main thread (not idle), heaviest functions first. */
  wholeRun: { busyMs: number; selfBySource: { source: string; selfMs: number }[]; topInclusive: FunctionCost[] };
  /** Where the CPU time inside long tasks went, by source file or npm package (self time). */
  selfBySource: { source: string; selfMs: number }[];
  topInclusive: FunctionCost[];
  topSelf: FunctionCost[];
  /** The five longest tasks with their heaviest app/React frames. */
  longest: { startMs: number; durationMs: number; frames: FunctionCost[] }[];
  markerAligned: boolean;
}

const MARKER = 'loupeBenchClockMarker';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Source-map VLQ segment → numbers. */
function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** For each generated line of a bundle, the source file its first mapping points into. */
function lineSources(mapPath: string): string[] {
  const map = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources: string[]; mappings: string };
  const out: string[] = [];
  let src = 0;
  let last = '';
  map.mappings.split(';').forEach((line, i) => {
    let first: string | null = null;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      if (v.length >= 4) {
        src += v[1];
        first ??= map.sources[src];
      }
    }
    if (first !== null) last = first;
    out[i] = last;
  });
  return out;
}

/** `src/ui/Grid.tsx`, or the npm package (`react-dom`), or the bundle name when there is no map. */
function shortSource(source: string): string {
  const nm = source.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const s = source.indexOf('src/');
  return s >= 0 ? source.slice(s) : source.replace(/^(\.\.\/)+/, '');
}

function makeFrameNamer(assetsDir: string): { name(n: ProfileNode): string; source(n: ProfileNode): string } {
  const maps = new Map<string, string[] | null>();
  const source = (n: ProfileNode): string => {
    const { url, lineNumber } = n.callFrame;
    if (!url) return 'native';
    const file = basename(new URL(url).pathname);
    if (!maps.has(file)) {
      const mapPath = join(assetsDir, `${file}.map`);
      maps.set(file, existsSync(mapPath) ? lineSources(mapPath) : null);
    }
    const lines = maps.get(file);
    return lines?.[lineNumber] ? shortSource(lines[lineNumber]) : file;
  };
  return { source, name: (n) => `${n.callFrame.functionName || '(anonymous)'} (${source(n)})` };
}

function analyse(
  profile: Profile,
  windows: { start: number; end: number }[],
  markerPageTime: number,
  assetsDir: string,
): Omit<LongTaskDiagnosis, 'build' | 'run'> {
  const namer = makeFrameNamer(assetsDir);
  const frameName = (n: ProfileNode) => namer.name(n);
  const bySource = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Sample timestamps in the profiler's clock (µs).
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const markerIdx = profile.samples.findIndex((id) => byId.get(id)?.callFrame.functionName === MARKER);
  const markerAligned = markerIdx >= 0;
  // profiler µs → page ms
  const offset = markerAligned ? markerPageTime - times[markerIdx] / 1000 : 0;

  const whole = new Map<string, number>();
  const wholeBySource = new Map<string, number>();
  let wholeSampled = 0;
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  const perTask = windows.map(() => new Map<string, number>());
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const pageMs = times[i] / 1000 + offset;
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
    if (i > markerIdx) {
      const leafName = frameName(byId.get(profile.samples[i])!);
      if (!/^\((idle|program|root)\)/.test(leafName)) {
        wholeSampled += dt;
        const leafSource = namer.source(byId.get(profile.samples[i])!);
        wholeBySource.set(leafSource, (wholeBySource.get(leafSource) ?? 0) + dt);
        const seenAll = new Set<string>();
        for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
          const name = frameName(byId.get(id)!);
          if (seenAll.has(name)) continue;
          seenAll.add(name);
          whole.set(name, (whole.get(name) ?? 0) + dt);
        }
      }
    }
    const w = windows.findIndex((x) => pageMs >= x.start && pageMs <= x.end);
    if (w < 0) continue;
    sampled += dt;
    const leaf = byId.get(profile.samples[i])!;
    self.set(frameName(leaf), (self.get(frameName(leaf)) ?? 0) + dt);
    bySource.set(namer.source(leaf), (bySource.get(namer.source(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = frameName(byId.get(id)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
      perTask[w].set(name, (perTask[w].get(name) ?? 0) + dt);
    }
  }
  const boring = /^\((root|program|idle)\)|^\(anonymous\) \(native\)/;
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .filter(([k]) => !boring.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  const order = windows.map((w, i) => ({ w, i })).sort((a, b) => b.w.end - b.w.start - (a.w.end - a.w.start));
  return {
    sampledMsInLongTasks: sampled,
    wholeRun: {
      busyMs: wholeSampled,
      selfBySource: [...wholeBySource.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([source, ms]) => ({ source, selfMs: ms })),
      topInclusive: top(whole, 30).map(([fn, ms]) => ({ fn, inclusiveMs: ms, selfMs: 0 })),
    },
    selfBySource: [...bySource.entries()].sort((a, b) => b[1] - a[1]).map(([source, ms]) => ({ source, selfMs: ms })),
    topInclusive: top(inclusive, 25).map(([fn, ms]) => ({ fn, inclusiveMs: ms, selfMs: self.get(fn) ?? 0 })),
    topSelf: top(self, 15).map(([fn, ms]) => ({ fn, inclusiveMs: inclusive.get(fn) ?? 0, selfMs: ms })),
    longest: order.slice(0, 5).map(({ w, i }) => ({
      startMs: w.start,
      durationMs: w.end - w.start,
      frames: top(perTask[i], 12).map(([fn, ms]) => ({ fn, inclusiveMs: ms, selfMs: 0 })),
    })),
    markerAligned,
  };
}

export async function diagnoseLongTasks(browser: Browser, urls: string[], errors: PageErrors, log: (l: string) => void): Promise<LongTaskDiagnosis> {
  const outDir = join(tmpdir(), 'loupe-bench-dist-unminified');
  // Source maps let the profile's bundle lines be named by source file (src/ui/Grid.tsx, react-dom…).
  viteBuild(['--minify', 'false', '--sourcemap', '--outDir', outDir, '--emptyOutDir']);
  const { server, baseUrl } = await serve(outDir);
  let markerPageTime = 0;
  let profile: Profile | null = null;
  try {
    const r = await runApp(browser, baseUrl, 'model=clip-tiny&backend=wasm', urls, errors, 'app 500 profiled', {
      async beforeDrop(page: Page, cdp: CDPSession) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
        markerPageTime = await page.evaluate((name) => {
          // A named busy loop the profiler will sample: its first sample ties the two clocks together.
          const fn = new Function(`return function ${name}() { const t = performance.now(); while (performance.now() - t < 30) {} return t; }`)() as () => number;
          return fn();
        }, MARKER);
      },
      async afterRun(_page: Page, cdp: CDPSession) {
        profile = (await cdp.send('Profiler.stop')).profile as unknown as Profile;
      },
    });
    if (!profile) throw new Error('no profile');
    const windows = r.allLongTasks.filter((t) => t.duration > 50).map((t) => ({ start: t.start, end: t.start + t.duration }));
    const d = analyse(profile, windows, markerPageTime, join(outDir, 'assets'));
    log(`profiled run: ${r.longTasks.over50} tasks over 50 ms (longest ${r.longTasks.maxMs.toFixed(0)} ms); ${d.sampledMsInLongTasks.toFixed(0)} ms sampled inside them${d.markerAligned ? '' : ' (clock marker not found: attribution is unreliable)'}`);
    log(`  whole run: main thread busy ${d.wholeRun.busyMs.toFixed(0)} ms; heaviest: ${d.wholeRun.topInclusive.filter((f) => !/react-dom|native\)$/.test(f.fn) || /createObjectURL/.test(f.fn)).slice(0, 6).map((f) => `${f.fn} ${f.inclusiveMs.toFixed(0)} ms`).join(', ')}`);
    log(`  whole run, self time by source: ${d.wholeRun.selfBySource.slice(0, 6).map((b) => `${b.source} ${b.selfMs.toFixed(0)} ms`).join(', ')}`);
    for (const b of d.selfBySource.slice(0, 6)) log(`  ${b.selfMs.toFixed(0).padStart(6)} ms self in ${b.source}`);
    for (const f of d.topInclusive.slice(0, 12)) log(`  ${f.inclusiveMs.toFixed(0).padStart(6)} ms incl, ${f.selfMs.toFixed(0).padStart(5)} ms self  ${f.fn}`);
    return {
      build: `vite build --minify false --sourcemap (${outDir})`,
      run: { imagesPerSecond: r.imagesPerSecond, longTasks: r.longTasks.count, over50: r.longTasks.over50, maxMs: r.longTasks.maxMs },
      ...d,
    };
  } finally {
    await server.close();
  }
}
