/**
 * Browser-side measurements: the lab page (`window.loupeLab`, src/lab/benchApi.ts) for encoder and decode
 * numbers, and the real app page for end-to-end runs, long tasks and heap.
 */
import { basename } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, CDPSession, Page } from 'playwright-core';
import type { BenchApi, DecodeTiming, EncoderTiming, EngineInitOptions, EngineInitResult } from '../src/lab/benchApi';
import type { ImageSet } from './images';

type LabWindow = { loupeLab: BenchApi };

export class PageErrors {
  readonly messages: string[] = [];
  watch(page: Page, label: string): void {
    page.on('pageerror', (e) => this.messages.push(`${label}: ${e.message}`));
    page.on('console', (m) => {
      // Failed loads are reported with their URL below; the console line has none. ORT logs its warnings
      // (e.g. shape ops placed on the CPU by the WebGPU EP) through console.error: they are not failures.
      const text = m.text();
      if (m.type() === 'error' && !text.startsWith('Failed to load resource') && !/\[W:onnxruntime/.test(text)) {
        this.messages.push(`${label} console: ${text}`);
      }
    });
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) this.messages.push(`${label}: HTTP ${r.status()} ${r.url()}`);
    });
  }
}

export async function openLab(context: BrowserContext, baseUrl: string, errors: PageErrors, label: string): Promise<Page> {
  const page = await context.newPage();
  errors.watch(page, label);
  await page.goto(new URL('lab.html', baseUrl).href);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  return page;
}

export function labInit(page: Page, o: EngineInitOptions): Promise<EngineInitResult> {
  return page.evaluate((opts) => (window as unknown as LabWindow).loupeLab.engineInit(opts), o);
}

export function labTime(page: Page, o: { batch: number; minMs: number; minBatches: number }): Promise<EncoderTiming> {
  return page.evaluate((opts) => (window as unknown as LabWindow).loupeLab.timeEncoder(opts), o);
}

export function labEmbedSeeded(page: Page, seed: number, count: number): Promise<{ embeddings: number[]; runMs: number }> {
  return page.evaluate(([s, c]) => (window as unknown as LabWindow).loupeLab.embedSeeded(s, c), [seed, count] as const);
}

export function labClose(page: Page): Promise<void> {
  return page.evaluate(() => (window as unknown as LabWindow).loupeLab.engineClose());
}

export function imageUrls(set: ImageSet, count = set.files.length): string[] {
  return set.files.slice(0, count).map((f) => `/bench-images/${set.id}/${basename(f)}`);
}

export function labDecodeSequential(page: Page, urls: string[], thumbSize: number, exact = false, faceLongSide = 0): Promise<DecodeTiming[]> {
  return page.evaluate(([u, t, e, f]) => (window as unknown as LabWindow).loupeLab.decodeSequential(u, t, e, f), [urls, thumbSize, exact, faceLongSide] as const);
}

export function labPreprocessSplit(page: Page, urls: string[]) {
  return page.evaluate((u) => (window as unknown as LabWindow).loupeLab.preprocessSplit(u), urls);
}

export function labDecodeThroughput(page: Page, urls: string[], thumbSize: number, poolSize: number, exact = false) {
  return page.evaluate(
    ([u, t, p, e]) => (window as unknown as LabWindow).loupeLab.decodeThroughput(u, t, p, e),
    [urls, thumbSize, poolSize, exact] as const,
  );
}

/** Rejects after `ms`; the caller closes the page, which ends the worker still computing. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------------
// The real app page

interface StageStats {
  count: number;
  decodeMs: number;
  preprocessMs: number;
}

interface BenchProbe {
  longTasks: { start: number; duration: number }[];
  dropAt: number;
  /** Images whose embeddings came back from the inference worker. */
  embedded: number;
  encoderRunMs: number;
  batches: number;
  firstEmbeddedAt: number | null;
  lastEmbeddedAt: number;
  /** Decode-worker answers: decoded images (with their stage times), failures, content hashes. */
  decoded: StageStats;
  failed: number;
  lastFailedAt: number;
  hashed: number;
  /** performance.now() of the first and last answer of each kind, for the run's timeline. */
  firstHashedAt: number | null;
  lastHashedAt: number;
  firstDecodedAt: number | null;
  lastDecodedAt: number;
  /** Every URL.createObjectURL call: it is a synchronous IPC to the browser process in Chromium. */
  objectUrls: { at: number; ms: number }[];
  /** Text-encoder requests and answers (tags and auto-tag vocabulary, embedded when the engine is ready), for settling before a drop. */
  textRequests: number;
  textBatches: number;
  lastTextAt: number;
  files: File[] | null;
}
type ProbeWindow = { __bench: BenchProbe };

/**
 * Installed before the app's scripts: a long-task observer, and a Worker subclass that listens (beside the
 * app) to every worker's answers. Progress is read there, not from the DOM: the grid is virtualized, so
 * most tiles are not in the document, and the worker answers carry the per-stage times (decodeMs,
 * preprocessMs, runMs) measured while decode and inference compete for the cores.
 * Plain JS source: a serialized TS function would carry tsx's `__name` helper calls, absent in the page.
 */
export const PROBE_SCRIPT = `(() => {
  const probe = {
    longTasks: [], dropAt: 0, embedded: 0, encoderRunMs: 0, batches: 0, firstEmbeddedAt: null, lastEmbeddedAt: 0,
    decoded: { count: 0, decodeMs: 0, preprocessMs: 0 }, failed: 0, lastFailedAt: 0, hashed: 0, objectUrls: [], files: null,
    firstHashedAt: null, lastHashedAt: 0, firstDecodedAt: null, lastDecodedAt: 0, textRequests: 0, textBatches: 0, lastTextAt: 0,
  };
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function (obj) {
    const t = performance.now();
    try {
      return createObjectURL.call(URL, obj);
    } finally {
      probe.objectUrls.push({ at: t, ms: performance.now() - t });
    }
  };
  window.__bench = probe;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  // The app's workers speak src/engine/rpc/wire.ts: calls { rpc: 'call', method, args }, answers
  // { rpc: 'result', method, value }.
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    postMessage(m, ...rest) {
      if (m && m.rpc === 'call' && m.method === 'embedTexts') {
        probe.textRequests++;
        probe.lastTextAt = performance.now();
      }
      return super.postMessage(m, ...rest);
    }
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => {
        const m = e.data;
        if (!m || typeof m !== 'object') return;
        const now = performance.now();
        // A decode or hash that threw (rather than answering 'failed') is a failure too.
        // 'identify' is the hash with a first-look thumbnail (src/library/decodeApi.ts); older builds call 'hash'.
        if (m.rpc === 'error' && (m.method === 'decode' || m.method === 'hash' || m.method === 'identify')) {
          probe.failed++;
          probe.lastFailedAt = now;
          return;
        }
        if (m.rpc !== 'result') return;
        const v = m.value;
        if (m.method === 'embedImages') {
          probe.embedded += v.count;
          probe.batches++;
          probe.encoderRunMs += v.runMs;
          if (probe.firstEmbeddedAt === null) probe.firstEmbeddedAt = now;
          probe.lastEmbeddedAt = now;
        } else if (m.method === 'embedTexts') {
          probe.textBatches++;
          probe.lastTextAt = now;
        } else if ((m.method === 'decode' || m.method === 'hash' || m.method === 'identify') && v.type === 'failed') {
          probe.failed++;
          probe.lastFailedAt = now;
        } else if (m.method === 'decode') {
          if (probe.firstDecodedAt === null) probe.firstDecodedAt = now;
          probe.lastDecodedAt = now;
          probe.decoded.count++;
          probe.decoded.decodeMs += v.decodeMs;
          probe.decoded.preprocessMs += v.preprocessMs;
        } else if (m.method === 'hash' || m.method === 'identify') {
          probe.hashed++;
          if (probe.firstHashedAt === null) probe.firstHashedAt = now;
          probe.lastHashedAt = now;
        }
      });
    }
  };
})();`;

export interface HeapPeaks {
  /** Performance.getMetrics JSHeapUsedSize: the page's main-thread V8 heap. */
  peakBytes: number;
  /** Runtime.getHeapUsage usedSize + backingStorageSize: the heap plus ArrayBuffer contents (pixels, blobs read into memory). */
  peakWithBuffersBytes: number;
  lastBytes: number;
  samples: number;
}

export interface HeapSampler {
  stop(): Promise<HeapPeaks>;
}

/**
 * Samples the page's main-thread memory every `ms`. JSHeapUsedSize leaves out ArrayBuffer contents, where
 * this app keeps its pixel tensors, so the heap + backing stores figure is taken too. Workers (the
 * inference worker holds the model) are separate isolates and counted in neither.
 */
export async function sampleHeap(cdp: CDPSession, ms = 250): Promise<HeapSampler> {
  await cdp.send('Performance.enable');
  let peak = 0;
  let peakWithBuffers = 0;
  let last = 0;
  let samples = 0;
  let busy = false;
  const read = async () => {
    if (busy) return;
    busy = true;
    try {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      // backingStorageSize is missing from older protocol typings; absent means 0.
      const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
      last = used;
      peak = Math.max(peak, used);
      peakWithBuffers = Math.max(peakWithBuffers, usage.usedSize + (usage.backingStorageSize ?? 0));
      samples++;
    } catch {
      // The page may be closing; the samples so far stand.
    } finally {
      busy = false;
    }
  };
  await read();
  const timer = setInterval(() => void read(), ms);
  return {
    async stop() {
      clearInterval(timer);
      await read();
      return { peakBytes: peak, peakWithBuffersBytes: peakWithBuffers, lastBytes: last, samples };
    },
  };
}

export interface AppRunResult {
  query: string;
  images: number;
  /** Drop event to the inference worker's answer for the last image. */
  elapsedMs: number;
  imagesPerSecond: number;
  firstScoredMs: number | null;
  scored: number;
  failed: number;
  /** Averages over this run's images, as the workers reported them (under load, so larger than alone). */
  stages: { decodeMs: number; preprocessMs: number; encoderBatches: number; encoderMsPerImage: number; encoderBusyFraction: number; hashed: number };
  /** Milliseconds after the drop: where the run's time goes (files are content-hashed before analysis). */
  timeline: { firstHashed: number | null; lastHashed: number | null; firstDecoded: number | null; lastDecoded: number | null; firstScored: number | null; lastScored: number };
  backendReason: string;
  backendTitle: string;
  appProgressText: string | null;
  heap: { beforeDropBytes: number; peakBytes: number; peakWithBuffersBytes: number; afterBytes: number; samples: number };
  longTasks: { count: number; over50: number; maxMs: number; totalMs: number; top: { start: number; duration: number; createObjectURLMs: number }[] };
  /** Every main-thread task from a Chromium trace ('toplevel'), so tasks under 50 ms are seen too. */
  mainThreadTasks: MainThreadTasks | null;
  /** URL.createObjectURL calls after the drop (thumbnails): count, time, and how much of the long tasks they fill. */
  objectUrls: { count: number; totalMs: number; maxMs: number; over16: number; msInsideLongTasks: number };
  crossOriginIsolated: boolean;
}

export interface MainThreadTasks {
  count: number;
  maxMs: number;
  over50: number;
  over16: number;
  busyMs: number;
  traceMs: number;
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/** Top-level task durations on the page's renderer main thread (nested run loops counted once). */
export function mainThreadTasks(trace: Buffer): MainThreadTasks {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const tasksOf = (m: TraceEvent) =>
    events
      .filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.pid === m.pid && e.tid === m.tid)
      .sort((a, b) => a.ts - b.ts);
  // Other renderers (closed pages) may appear in a browser-wide trace: the busiest main thread is the page's.
  const tasks = mains.map(tasksOf).sort((a, b) => b.length - a.length)[0] ?? [];
  const top: number[] = [];
  let end = -Infinity;
  for (const t of tasks) {
    if (t.ts < end) continue;
    end = t.ts + (t.dur ?? 0);
    top.push((t.dur ?? 0) / 1000);
  }
  const first = tasks[0]?.ts ?? 0;
  return {
    count: top.length,
    maxMs: top.reduce((m, d) => Math.max(m, d), 0),
    over50: top.filter((d) => d > 50).length,
    over16: top.filter((d) => d > 16.7).length,
    busyMs: top.reduce((s, d) => s + d, 0),
    traceMs: tasks.length ? (end - first) / 1000 : 0,
  };
}

export interface RunHooks {
  /** Record a 'toplevel' Chromium trace during the run (all main-thread task lengths; adds browser-process work). */
  trace?: boolean;
  /** Storage (IndexedDB included) the fresh context starts with, e.g. a warm phrase-embedding cache. */
  storageState?: BrowserContextOptions['storageState'];
  /** Called right before the drop, in its own task (the profiler starts here). */
  beforeDrop?(page: Page, cdp: CDPSession): Promise<void>;
  afterRun?(page: Page, cdp: CDPSession): Promise<void>;
}

/**
 * Opens the app, waits for the engine, then drops the files as a user's drop does (a DataTransfer on a
 * `drop` event at the drop zone, like e2e's `dropFiles`). Unlike `dropFiles`, the files are fetched into
 * the page first and dropped in a separate task: `dropFiles` builds them from base64 in the same task as
 * the drop, which would count the harness's hundreds of MB of string work as the app's heap and long tasks.
 */
export async function runApp(
  browser: Browser,
  baseUrl: string,
  query: string,
  urls: string[],
  errors: PageErrors,
  label: string,
  hooks: RunHooks = {},
): Promise<AppRunResult & { dropAt: number; allLongTasks: { start: number; duration: number }[] }> {
  // A fresh context per run: the app keeps the session and embeddings in IndexedDB, so a shared one would
  // restore the previous run's tiles and scores. It also means the model is fetched and verified again.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, storageState: hooks.storageState });
  const page = await context.newPage();
  errors.watch(page, label);
  try {
    await page.addInitScript({ content: PROBE_SCRIPT });
    await page.goto(new URL(`?${query}`, baseUrl).href);
    const badge = '[data-testid="backend-badge"][data-backend]:not([data-backend=""])';
    await page.waitForSelector(badge, { timeout: 600_000 });
    const backendReason = (await page.textContent('[data-testid="backend-reason"]').catch(() => null)) ?? '';
    const backendTitle = (await page.getAttribute(badge, 'title')) ?? '';
    const crossOriginIsolated = await page.evaluate(() => self.crossOriginIsolated);

    await page.evaluate(async (list) => {
      const files: File[] = [];
      // 200 at a time: thousands of fetches at once fail with ERR_INSUFFICIENT_RESOURCES.
      for (let start = 0; start < list.length; start += 200) {
        const chunk = await Promise.all(
          list.slice(start, start + 200).map(async (u) => {
            const res = await fetch(u);
            if (!res.ok) throw new Error(`${u}: HTTP ${res.status}`);
            return new File([await res.blob()], u.split('/').pop() ?? u, { type: 'image/jpeg' });
          }),
        );
        files.push(...chunk);
      }
      (window as unknown as ProbeWindow).__bench.files = files;
    }, urls);

    const cdp = await context.newCDPSession(page);
    // Start from a collected heap so the peak is the app's, not leftovers of page load and staging.
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await sampleHeap(cdp);
    const beforeDrop = await cdp.send('Performance.getMetrics');
    const beforeDropBytes = beforeDrop.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    // The DataTransfer is filled in a task of its own, before the drop: adding 20,000 files to it is the
    // bench's work (2.2 s at 20,000), not the app's, and must not count as the app's longest task.
    await page.evaluate(() => {
      const probe = (window as unknown as ProbeWindow).__bench;
      const dt = new DataTransfer();
      for (const f of probe.files ?? []) dt.items.add(f);
      probe.files = null;
      (window as unknown as { __benchDrop: DataTransfer }).__benchDrop = dt;
    });
    await hooks.beforeDrop?.(page, cdp);
    const tracing = hooks.trace === true;
    if (tracing) await browser.startTracing(page, { categories: ['toplevel'] });

    await page.evaluate(() => {
      const probe = (window as unknown as ProbeWindow).__bench;
      const w = window as unknown as { __benchDrop: DataTransfer | null };
      const dt = w.__benchDrop!;
      w.__benchDrop = null;
      const zone = document.querySelector('[data-testid="drop-zone"]');
      if (!zone) throw new Error('no drop zone');
      probe.dropAt = performance.now();
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(
      (n) => {
        const p = (window as unknown as ProbeWindow).__bench;
        return p.embedded + p.failed >= n;
      },
      urls.length,
      { timeout: 1_800_000, polling: 250 },
    );
    const h = await heap.stop();
    const trace = tracing ? mainThreadTasks(await browser.stopTracing()) : null;
    await hooks.afterRun?.(page, cdp);
    const probe = await page.evaluate(() => {
      const { files: _files, ...rest } = (window as unknown as ProbeWindow).__bench;
      return rest;
    });
    const appProgressText = await page.textContent('[data-testid="progress-text"]', { timeout: 1000 }).catch(() => null);
    const end = Math.max(probe.lastEmbeddedAt, probe.failed > 0 ? probe.lastFailedAt : 0);
    const elapsedMs = end - probe.dropAt;
    // Tasks that end before the drop belong to page load and staging, not to the analysis.
    const during = probe.longTasks.filter((t) => t.start + t.duration >= probe.dropAt);
    const d = probe.decoded;
    const urlsAfterDrop = probe.objectUrls.filter((u) => u.at >= probe.dropAt);
    const urlMsIn = (t: { start: number; duration: number }) =>
      urlsAfterDrop.filter((u) => u.at >= t.start && u.at <= t.start + t.duration).reduce((sum, u) => sum + u.ms, 0);
    return {
      query,
      images: urls.length,
      elapsedMs,
      imagesPerSecond: probe.embedded / (elapsedMs / 1000),
      firstScoredMs: probe.firstEmbeddedAt === null ? null : probe.firstEmbeddedAt - probe.dropAt,
      scored: probe.embedded,
      failed: probe.failed,
      stages: {
        decodeMs: d.count ? d.decodeMs / d.count : 0,
        preprocessMs: d.count ? d.preprocessMs / d.count : 0,
        encoderBatches: probe.batches,
        encoderMsPerImage: probe.embedded ? probe.encoderRunMs / probe.embedded : 0,
        encoderBusyFraction: probe.encoderRunMs / elapsedMs,
        hashed: probe.hashed,
      },
      timeline: {
        firstHashed: probe.firstHashedAt === null ? null : probe.firstHashedAt - probe.dropAt,
        lastHashed: probe.firstHashedAt === null ? null : probe.lastHashedAt - probe.dropAt,
        firstDecoded: probe.firstDecodedAt === null ? null : probe.firstDecodedAt - probe.dropAt,
        lastDecoded: probe.firstDecodedAt === null ? null : probe.lastDecodedAt - probe.dropAt,
        firstScored: probe.firstEmbeddedAt === null ? null : probe.firstEmbeddedAt - probe.dropAt,
        lastScored: probe.lastEmbeddedAt - probe.dropAt,
      },
      backendReason,
      backendTitle,
      appProgressText,
      heap: { beforeDropBytes, peakBytes: h.peakBytes, peakWithBuffersBytes: h.peakWithBuffersBytes, afterBytes: h.lastBytes, samples: h.samples },
      longTasks: {
        count: during.length,
        over50: during.filter((t) => t.duration > 50).length,
        maxMs: during.reduce((m, t) => Math.max(m, t.duration), 0),
        totalMs: during.reduce((s, t) => s + t.duration, 0),
        top: [...during]
          .sort((a, b) => b.duration - a.duration)
          .slice(0, 10)
          .map((t) => ({ start: Math.round(t.start - probe.dropAt), duration: Math.round(t.duration), createObjectURLMs: Math.round(urlMsIn(t)) })),
      },
      objectUrls: {
        count: urlsAfterDrop.length,
        totalMs: urlsAfterDrop.reduce((sum, u) => sum + u.ms, 0),
        maxMs: urlsAfterDrop.reduce((m, u) => Math.max(m, u.ms), 0),
        over16: urlsAfterDrop.filter((u) => u.ms > 16.7).length,
        msInsideLongTasks: during.reduce((sum, t) => sum + urlMsIn(t), 0),
      },
      mainThreadTasks: trace,
      crossOriginIsolated,
      dropAt: probe.dropAt,
      allLongTasks: during,
    };
  } finally {
    await context.close();
  }
}
