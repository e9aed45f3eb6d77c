/**
 * The app end to end on camera-like 24-MP JPEGs (6000×4000, EXIF with an IFD1 thumbnail, every 4th one
 * Orientation 6; bench/images.ts ensureCameraImages), run by `npx tsx bench/run.ts --e2e-24mp`; with `--mpf`, the
 * same files with a 1616×1080 MPF preview appended (generated, Sony-style), which the fast path analyses instead
 * of the photo (src/library/jpegPreview.ts), written to results.json's `endToEnd24mpMpf`:
 *
 * - encoder-only img/s on the app's backend (WASM, the app's thread count, batch 8) in one lab page that keeps
 *   the encoder loaded, measured before the first app run and after every one; each run's ratio is to the
 *   better of the two measurements around it (on a shared host the load changes within minutes, and noise only
 *   slows a run down);
 * - the decode worker alone on the same files: decode + preprocess per image, fast and exact path, people
 *   checks off and on (their face image changes the fast path's decode size);
 * - the real app, a fresh context per run, with `people=off|on` × `exact=off|on` (the fast path is the
 *   default; `exact=on` is the full-size decode every JPEG had before it), in alternation; with people on, each
 *   run also waits for the people checks to finish.
 *
 * The app embeds its tag vocabulary (≈ 100 phrases) on the text encoder once the model is ready, on the same
 * worker as the images; the embeddings are cached in IndexedDB per model, so only a first start pays it (over
 * three minutes on this host under load). One warm-up page pays it here, and every run's fresh context starts
 * from that page's IndexedDB (Playwright storageState), as a returning user's browser does: the runs measure
 * the images, not the vocabulary. Each run still waits until no text request is outstanding before the drop.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DecodeTiming, EncoderTiming, EngineInitResult } from '../src/lab/benchApi';
import { imageUrls, labClose, labDecodeSequential, labInit, labTime, openLab, PROBE_SCRIPT, runApp, type AppRunResult, type PageErrors } from './browser';
import { PEOPLE_OBSERVER, SETTLE_QUIET_MS, type PeopleProbe, type PeopleWindow, type TextProbeWindow } from './faces';
import { ensureCameraImages } from './images';

export type DecodePath = 'fast' | 'exact';
export type People = 'off' | 'on';

/** The targets of the issue's speed section: img/s to scores ÷ encoder-only img/s. */
export const TARGETS: Record<People, number> = { off: 0.8, on: 0.6 };
/** The people checks' working long side (src/scoring/faces/measure.ts FACE_WORKING_LONG_SIDE). */
const FACE_LONG_SIDE = 1600;
const PEOPLE_LIMIT_MS = 600_000;
/** The warm-up page's wait for the vocabulary (it took over 180 s at a load average of 7–12 on two cores). */
const WARMUP_LIMIT_MS = 600_000;
/** A run's wait for text requests still outstanding before its drop (a warm cache leaves next to none). */
const RUN_SETTLE_LIMIT_MS = 120_000;

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;
const THUMB_SIZE = 320;

export interface E2eRun {
  path: DecodePath;
  people: People;
  run: number;
  query: string;
  images: number;
  scored: number;
  failed: number;
  /** Drop → last CLIP score. */
  elapsedMs: number;
  imagesPerSecond: number;
  /** Images after the first batch ÷ (last score − first score): the rate once the pipeline is full. */
  steadyImagesPerSecond: number | null;
  /** Drop → people checks done (people on), null otherwise or when they did not finish. */
  peopleDoneMs: number | null;
  peopleProblem: string | null;
  tileFaces: number;
  timeline: AppRunResult['timeline'];
  stages: AppRunResult['stages'];
  heapPeakBytes: number;
  heapPeakWithBuffersBytes: number;
  longTasks: { over50: number; maxMs: number };
  settle: { waitedMs: number; textRequestsBefore: number; textBatchesBefore: number; textBatchesAfterDrop: number };
  backendReason: string;
  load1: number;
  /** Encoder-only img/s measured right before and right after this run, and this run's img/s ÷ the better one. */
  encoderOnlyAdjacent?: { before: number; after: number };
  ratioAdjacent?: number;
}

export interface EncoderPoint {
  label: string;
  imagesPerSecond: number;
  timing: EncoderTiming;
  load1: number;
}

export interface E2eSummary {
  path: DecodePath;
  people: People;
  /** The best run (highest img/s to scores); all runs in allRuns. */
  imagesPerSecond: number;
  steadyImagesPerSecond: number | null;
  /** The better of the encoder-only measurements right before and right after this run. */
  encoderOnlyImagesPerSecond: number;
  ratioToEncoderOnly: number;
  /** Against the best encoder-only measurement of the whole invocation (the most pessimistic ratio). */
  ratioToBestEncoderOnly: number;
  steadyRatioToEncoderOnly: number | null;
  run: number;
  target: number;
  allRuns: number[];
  peopleDoneMs: number | null;
  decodeMs: number;
  preprocessMs: number;
}

export interface DecodeStage {
  path: DecodePath;
  people: People;
  /** The first file is decoded once before these, to start the worker. */
  timings: DecodeTiming[];
  /** What the timed decodes came from, counted by originKey (`reduced 1500×1000`, `jpeg-preview 1616×1080`, `file`…). */
  origins?: Record<string, number>;
  mean: { decodeMs: number; preprocessMs: number; wallMs: number };
}

export interface E2e24Results {
  date: string;
  quick: boolean;
  images: number;
  width: number;
  height: number;
  fileMB: number;
  /** The image set (bench/images.ts id) and the MPF preview its files carry (null: none); absent before `--mpf` existed. */
  set?: { id: string; mpfPreview: { width: number; height: number } | null };
  /**
   * The decode worker's origins over every decode stage, per path (the app runs do not report theirs): proof of
   * which path ran, e.g. `{ fast: { 'jpeg-preview 1616×1080': 12 }, exact: { file: 12 } }`.
   */
  decodeOrigins?: Record<DecodePath, Record<string, number>>;
  note: string;
  machine: { cpuModel: string; cpuCount: number };
  loadAverage: { start: number[]; end: number[] };
  threads: number | null;
  /** The warm-up page that filled the phrase-embedding cache the runs start from. */
  warmup: { ms: number; textRequests: number; textBatches: number; settled: boolean; indexedDbOrigins: number; stateBytes: number; reused?: string };
  /** Encoder-only img/s (lab page, the app's backend and threads, batch 8), measured before the first app run and after each. */
  encoderOnly: { init: EngineInitResult; points: EncoderPoint[]; best: number };
  decode: DecodeStage[];
  runs: E2eRun[];
  summary: E2eSummary[];
  totalSeconds: number;
}

export interface E2e24Options {
  quick: boolean;
  model: string;
  errors: PageErrors;
  log: (line: string) => void;
  /** Files dropped per run. */
  images: number;
  /** Runs per configuration (alternated). */
  repeats: number;
  minMs: number;
  /** Start from the phrase-embedding cache an earlier invocation left in the temp folder, when there is one. */
  reuseWarmup: boolean;
  /** Only the fast path's app runs (`--fast-only`: the exact path's take most of the time and rarely change). */
  fastOnly?: boolean;
  /** The camera files with this MPF preview appended (`--mpf`: 1616×1080); absent: the plain camera set. */
  mpfPreview?: { width: number; height: number };
}

/** The MPF preview of `--mpf`: the size a Sony-style camera JPEG carries (bench/images.ts ensureCameraImages). */
export const MPF_PREVIEW_24MP = { width: 1616, height: 1080 };

/** A decode's origin as counted in the results: its kind, with the size for a reduced decode or a preview. */
export function originKey(o: DecodeTiming['origin']): string {
  if (!o) return '?';
  return o.kind === 'reduced' || o.kind === 'jpeg-preview' || o.kind === 'raw-preview' ? `${o.kind} ${o.width}×${o.height}` : o.kind;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);

/** Opens the app once with no drop and waits for its start-up text work: the IndexedDB the runs start from. */
async function warmTextCache(browser: Browser, baseUrl: string, o: E2e24Options): Promise<{ state: StorageState; info: E2e24Results['warmup'] }> {
  const t0 = Date.now();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    o.errors.watch(page, 'app 24 MP warm-up');
    await page.addInitScript({ content: PROBE_SCRIPT });
    await page.goto(new URL(`?model=${o.model}&backend=wasm&batch=8&people=off`, baseUrl).href);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend]:not([data-backend=""])', { timeout: 600_000 });
    const settled = await page
      .waitForFunction(
        (quiet) => {
          const p = (window as unknown as TextProbeWindow).__bench;
          return p.textBatches > 0 && p.textBatches >= p.textRequests && performance.now() - p.lastTextAt > quiet;
        },
        5000,
        { timeout: WARMUP_LIMIT_MS, polling: 500 },
      )
      .then(() => true, () => false);
    const counts = await page.evaluate(() => {
      const p = (window as unknown as TextProbeWindow).__bench;
      return { textRequests: p.textRequests, textBatches: p.textBatches };
    });
    const state = await context.storageState({ indexedDB: true });
    return { state, info: { ms: Date.now() - t0, ...counts, settled, indexedDbOrigins: state.origins.filter((x) => ((x as { indexedDB?: unknown[] }).indexedDB?.length ?? 0) > 0).length, stateBytes: JSON.stringify(state).length } };
  } finally {
    await context.close();
  }
}

async function appRun(browser: Browser, baseUrl: string, o: E2e24Options, urls: string[], path: DecodePath, people: People, run: number, storageState: StorageState): Promise<E2eRun> {
  const query = `model=${o.model}&backend=wasm&batch=8&people=${people}&exact=${path === 'exact' ? 'on' : 'off'}`;
  const settle = { waitedMs: 0, textRequestsBefore: 0, textBatchesBefore: 0, textBatchesAfterDrop: 0 };
  const textBatches = (page: Page) => page.evaluate(() => (window as unknown as TextProbeWindow).__bench.textBatches);
  let probe: PeopleProbe | null = null;
  let peopleProblem: string | null = null;
  let tileFaces = 0;
  const r = await runApp(browser, baseUrl, query, urls, o.errors, `app 24 MP ${path} people=${people} ${run}`, {
    storageState,
    beforeDrop: async (page) => {
      const t0 = Date.now();
      // With the cache warm there may be no text request at all: quiet since this hook started counts too.
      await page
        .waitForFunction(
          ([quiet, since]) => {
            const p = (window as unknown as TextProbeWindow).__bench;
            return p.textBatches >= p.textRequests && performance.now() - Math.max(p.lastTextAt, since) > quiet;
          },
          [SETTLE_QUIET_MS, await page.evaluate(() => performance.now())] as const,
          { timeout: RUN_SETTLE_LIMIT_MS, polling: 250 },
        )
        .catch(() => o.log(`24 MP: text requests still outstanding after ${RUN_SETTLE_LIMIT_MS / 1000} s; dropping anyway`));
      settle.waitedMs = Date.now() - t0;
      settle.textBatchesBefore = await textBatches(page);
      settle.textRequestsBefore = await page.evaluate(() => (window as unknown as TextProbeWindow).__bench.textRequests);
      await page.evaluate(PEOPLE_OBSERVER);
    },
    afterRun: async (page) => {
      settle.textBatchesAfterDrop = (await textBatches(page)) - settle.textBatchesBefore;
      if (people === 'on') {
        const seen = await page.waitForFunction(() => (window as unknown as PeopleWindow).__peopleBench.seenAt !== null, undefined, { timeout: 15_000 }).then(() => true, () => false);
        if (!seen) peopleProblem = 'no people-progress shown';
        else {
          await page
            .waitForFunction(() => ['done', 'failed'].includes((window as unknown as PeopleWindow).__peopleBench.state ?? ''), undefined, { timeout: PEOPLE_LIMIT_MS, polling: 250 })
            .catch(() => void (peopleProblem = `people checks still running after ${PEOPLE_LIMIT_MS / 1000} s`));
        }
      }
      probe = await page.evaluate(() => (window as unknown as PeopleWindow).__peopleBench);
      tileFaces = await page.evaluate(() =>
        [...document.querySelectorAll('[data-testid="tile"][data-people]')].reduce((s, t) => s + (Number(t.getAttribute('data-people')) || 0), 0),
      );
    },
  });
  const p: PeopleProbe = probe ?? { seenAt: null, lastDoneAt: null, state: null, done: null, total: null, cycles: 0 };
  if (people === 'on' && !peopleProblem && p.state !== 'done') peopleProblem = `people-progress ended ${p.state ?? 'absent'}`;
  if (people === 'off' && p.seenAt !== null) peopleProblem = 'people-progress showed with people=off';
  const tl = r.timeline;
  const firstBatch = r.stages.encoderBatches > 0 ? r.scored / r.stages.encoderBatches : 0;
  const steady = tl.firstScored !== null && tl.lastScored > tl.firstScored && r.stages.encoderBatches > 1 ? (r.scored - firstBatch) / ((tl.lastScored - tl.firstScored) / 1000) : null;
  return {
    path,
    people,
    run,
    query,
    images: r.images,
    scored: r.scored,
    failed: r.failed,
    elapsedMs: r.elapsedMs,
    imagesPerSecond: r.imagesPerSecond,
    steadyImagesPerSecond: steady,
    peopleDoneMs: people === 'on' && !peopleProblem && p.lastDoneAt !== null ? p.lastDoneAt - r.dropAt : null,
    peopleProblem,
    tileFaces,
    timeline: r.timeline,
    stages: r.stages,
    heapPeakBytes: r.heap.peakBytes,
    heapPeakWithBuffersBytes: r.heap.peakWithBuffersBytes,
    longTasks: { over50: r.longTasks.over50, maxMs: r.longTasks.maxMs },
    settle,
    backendReason: r.backendReason,
    load1: loadavg()[0],
  };
}

export async function benchE2e24(browser: Browser, baseUrl: string, o: E2e24Options): Promise<E2e24Results> {
  const t0 = Date.now();
  const loadStart = loadavg();
  const set = await ensureCameraImages(o.images, 6000, 4000, o.log, 4, { mpfPreview: o.mpfPreview });
  const urls = imageUrls(set);
  const fileMB = set.totalBytes / set.files.length / 1e6;
  const mpfText = o.mpfPreview ? `; a ${o.mpfPreview.width}×${o.mpfPreview.height} MPF preview` : '';
  o.log(`24 MP: ${urls.length}× 6000×4000 camera-like JPEGs of ${set.id}, ${fileMB.toFixed(1)} MB each (EXIF with a thumbnail; every 4th Orientation 6${mpfText})`);

  // The warm-up costs minutes on a loaded host; its IndexedDB is kept in the temp folder for the next invocation.
  const warmFile = join(tmpdir(), `loupe-bench-warm-${o.model}.json`);
  let warm: { state: StorageState; info: E2e24Results['warmup'] };
  if (o.reuseWarmup && existsSync(warmFile)) {
    warm = JSON.parse(readFileSync(warmFile, 'utf8')) as typeof warm;
    // The preview server listens on a new port each time: the stored origin becomes this invocation's.
    const origin = new URL(baseUrl).origin;
    warm.state = { ...warm.state, origins: warm.state.origins.map((x) => ({ ...x, origin })) };
    warm.info = { ...warm.info, reused: warmFile };
    o.log(`24 MP: reusing the warm phrase-embedding cache of ${warmFile} (--fresh-warmup to redo it)`);
  } else {
    o.log("24 MP: warm-up page, to fill the phrase-embedding cache the runs start from (the app's first start)…");
    warm = await warmTextCache(browser, baseUrl, o);
    if (warm.info.settled) writeFileSync(warmFile, JSON.stringify(warm));
    o.log(`24 MP: warm-up ${(warm.info.ms / 1000).toFixed(0)} s, ${warm.info.textRequests} text requests, IndexedDB of ${warm.info.indexedDbOrigins} origin(s) kept (${(warm.info.stateBytes / 1e6).toFixed(1)} MB as JSON)${warm.info.settled ? '' : ' (NOT settled: runs may still embed phrases)'}; load ${loadavg()[0].toFixed(1)}`);
  }

  // One lab page keeps the encoder loaded for the whole invocation: encoder-only img/s is measured before the
  // first app run and after every one, so each run has a reference taken minutes, not quarters of an hour, away.
  const context = await browser.newContext();
  const lab = await openLab(context, baseUrl, o.errors, 'lab 24 MP encoder-only');
  const init = await labInit(lab, { modelId: o.model, preference: 'wasm', wasmThreads: null, batchSize: 8 });
  const threadsMatch = /(\d+) threads?/.exec(init.engine.reason);
  const threads = threadsMatch ? Number(threadsMatch[1]) : null;
  const encoder: EncoderPoint[] = [];
  const measureEncoder = async (label: string) => {
    const t = await labTime(lab, { batch: 8, minMs: o.minMs, minBatches: 2 });
    encoder.push({ label, imagesPerSecond: t.imagesPerSecond, timing: t, load1: loadavg()[0] });
    o.log(`24 MP: encoder-only (${label}), ${init.engine.reason}, batch 8: ${t.imagesPerSecond.toFixed(2)} img/s (load ${loadavg()[0].toFixed(1)})`);
    return t.imagesPerSecond;
  };
  await measureEncoder('start');

  const decode: DecodeStage[] = [];
  {
    const page = await openLab(context, baseUrl, o.errors, 'lab 24 MP decode');
    const sample = urls.slice(0, Math.min(urls.length, o.quick ? 3 : 4));
    for (const people of ['off', 'on'] as const) {
      for (const path of ['exact', 'fast'] as const) {
        const all = await labDecodeSequential(page, [sample[0], ...sample], THUMB_SIZE, path === 'exact', people === 'on' ? FACE_LONG_SIDE : 0);
        const timings = all.slice(1);
        const m = { decodeMs: mean(timings.map((t) => t.decodeMs)), preprocessMs: mean(timings.map((t) => t.preprocessMs)), wallMs: mean(timings.map((t) => t.wallMs)) };
        const origins: Record<string, number> = {};
        for (const t of timings) origins[originKey(t.origin)] = (origins[originKey(t.origin)] ?? 0) + 1;
        decode.push({ path, people, timings, mean: m, origins });
        o.log(
          `24 MP decode worker alone, ${path}, people ${people}: decode ${m.decodeMs.toFixed(0)} + preprocess ${m.preprocessMs.toFixed(0)} ms (${m.wallMs.toFixed(0)} ms with thumbnail, figures, metadata${people === 'on' ? ', face image' : ''}); decoded from ${Object.entries(origins).map(([k, v]) => `${k} (${v})`).join(', ')}`,
        );
      }
    }
    await page.close();
  }
  let previous = await measureEncoder('after the decode stage');

  const runs: E2eRun[] = [];
  const configs: [DecodePath, People][] = (
    [
      ['fast', 'off'],
      ['exact', 'off'],
      ['fast', 'on'],
      ['exact', 'on'],
    ] as [DecodePath, People][]
  ).filter(([path]) => !o.fastOnly || path === 'fast');
  for (let i = 1; i <= o.repeats; i++) {
    for (const [path, people] of configs) {
      const r = await appRun(browser, baseUrl, o, urls, path, people, i, warm.state);
      const next = await measureEncoder(`after ${path} people=${people} run ${i}`);
      r.encoderOnlyAdjacent = { before: previous, after: next };
      r.ratioAdjacent = r.imagesPerSecond / Math.max(previous, next);
      previous = next;
      runs.push(r);
      const tl = r.timeline;
      const s = (x: number | null) => (x === null ? '?' : (x / 1000).toFixed(1));
      o.log(
        `24 MP app, ${path} path, people ${people}, run ${i}: ${r.imagesPerSecond.toFixed(2)} img/s to scores = ${r.ratioAdjacent.toFixed(2)}× encoder-only around it (${r.scored} scored, ${r.failed} failed, ${s(r.elapsedMs)} s; steady ${r.steadyImagesPerSecond?.toFixed(2) ?? '?'} img/s)` +
          `${people === 'on' ? `; people done ${r.peopleDoneMs === null ? `— (${r.peopleProblem ?? '?'})` : `${s(r.peopleDoneMs)} s`}, ${r.tileFaces} faces` : ''}; decoded ${s(tl.firstDecoded)}–${s(tl.lastDecoded)} s, scored ${s(tl.firstScored)}–${s(tl.lastScored)} s; ` +
          `in-run decode ${r.stages.decodeMs.toFixed(0)} + preprocess ${r.stages.preprocessMs.toFixed(0)} ms, encoder busy ${(100 * r.stages.encoderBusyFraction).toFixed(0)} %; ${r.settle.textRequestsBefore} text requests before the drop, ${r.settle.textBatchesAfterDrop} text answers after it; load ${r.load1.toFixed(1)}`,
      );
      if (r.settle.textRequestsBefore > 10) o.log(`24 MP: ${r.settle.textRequestsBefore} text requests before the drop: the warm cache did not hold (--fresh-warmup)`);
    }
  }
  await labClose(lab);
  await context.close();

  const best = Math.max(...encoder.map((e) => e.imagesPerSecond));
  const summary: E2eSummary[] = configs.map(([path, people]) => {
    const rs = runs.filter((r) => r.path === path && r.people === people);
    const b = rs.reduce((a, x) => ((x.ratioAdjacent ?? 0) > (a.ratioAdjacent ?? 0) ? x : a));
    const ref = Math.max(b.encoderOnlyAdjacent!.before, b.encoderOnlyAdjacent!.after);
    return {
      path,
      people,
      imagesPerSecond: b.imagesPerSecond,
      steadyImagesPerSecond: b.steadyImagesPerSecond,
      encoderOnlyImagesPerSecond: ref,
      ratioToEncoderOnly: b.ratioAdjacent!,
      ratioToBestEncoderOnly: b.imagesPerSecond / best,
      steadyRatioToEncoderOnly: b.steadyImagesPerSecond === null ? null : b.steadyImagesPerSecond / ref,
      target: TARGETS[people],
      allRuns: rs.map((x) => x.imagesPerSecond),
      peopleDoneMs: b.peopleDoneMs,
      decodeMs: b.stages.decodeMs,
      preprocessMs: b.stages.preprocessMs,
      run: b.run,
    };
  });
  const decodeOrigins: Record<DecodePath, Record<string, number>> = { fast: {}, exact: {} };
  for (const d of decode) for (const [k, v] of Object.entries(d.origins ?? {})) decodeOrigins[d.path][k] = (decodeOrigins[d.path][k] ?? 0) + v;
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    quick: o.quick,
    images: urls.length,
    width: 6000,
    height: 4000,
    fileMB,
    set: { id: set.id, mpfPreview: o.mpfPreview ?? null },
    decodeOrigins,
    note: `one invocation on a shared ${cpu.length}-core host (other engineers' tests ran beside it): compare ratios, not absolute img/s`,
    machine: { cpuModel: cpu[0]?.model ?? 'unknown', cpuCount: cpu.length },
    loadAverage: { start: loadStart, end: loadavg() },
    threads,
    warmup: warm.info,
    encoderOnly: { init, points: encoder, best },
    decode,
    runs,
    summary,
    totalSeconds: (Date.now() - t0) / 1000,
  };
}
