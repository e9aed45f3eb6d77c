/**
 * `npm run bench`: CLIP ViT-B/32 (random weights, full size) encoder throughput on onnxruntime-node and
 * in Chromium (onnxruntime-web WASM 1/2 threads, WebGPU on the software adapter), then the real app
 * end to end on 12-MP JPEGs, and main-thread responsiveness on 500 small JPEGs. Writes
 * bench/results.json and prints a table. Options: --quick (batch 1 and 8, shorter runs, no WebGPU),
 * --skip-webgpu, --no-diagnose (no profiling pass when main-thread tasks exceed 50 ms), --profile (that
 * pass even without such tasks), --table (reprint the table of the last bench/results.json), --only-faces
 * (only the face pass, bench/faces.ts, written into the `faces` key of the existing results.json; with
 * --no-app, only its per-image part), --e2e-24mp (only the app end to end on camera-like 24-MP JPEGs, fast and
 * exact path, people checks off and on, with the encoder-only reference before and after: bench/e2e24.ts,
 * written into the `endToEnd24mp` key of the existing results.json; with --quick, 16 files instead of 24;
 * --repeats N runs each configuration N times, alternated; --fresh-warmup redoes the app's phrase-embedding
 * warm-up instead of reusing the one an earlier invocation left in the temp folder; --mpf runs it on the same
 * files with a 1616×1080 MPF preview appended, which the fast path analyses instead of the photo, written into
 * the `endToEnd24mpMpf` key and leaving `endToEnd24mp` as it was; --fast-only skips the exact path's app runs).
 *
 * Native and browser runs take turns, never overlap: the machine this was written for has two cores, and
 * every number is only comparable to one measured in the same run (hence the ratios). Native is measured
 * before and after the browser encoder runs, so drift on a noisy host shows up as their spread.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../e2e/browser';
import type { DecodeTiming, EncoderTiming, EngineInitResult, PreprocessSplit } from '../src/lab/benchApi';
import {
  imageUrls,
  labClose,
  labDecodeSequential,
  labDecodeThroughput,
  labPreprocessSplit,
  labEmbedSeeded,
  labInit,
  labTime,
  openLab,
  PageErrors,
  runApp,
  withTimeout,
  type AppRunResult,
} from './browser';
import { ensureImages } from './images';
import { nativeSeeded, openNativeSession, timeNative, type NativeResult } from './node';
import { minRowCosine } from './pixels';
import { diagnoseLongTasks, type LongTaskDiagnosis } from './diagnose';
import { benchFaces, type FacesBench } from './faces';
import { benchE2e24, MPF_PREVIEW_24MP, type E2e24Results } from './e2e24';
import { distStaleReason, ROOT, serve, viteBuild } from './server';
import { formatE2e24Table, formatFacesTable, formatTable } from './table';

const args = new Set(process.argv.slice(2));
/** The value after `name` on the command line (`--repeats 2`), or null. */
function argValue(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : null;
}
const QUICK = args.has('--quick');
/** With --e2e-24mp: the camera files with an MPF preview (bench/e2e24.ts). */
const MPF = args.has('--mpf');
const SKIP_WEBGPU = QUICK || args.has('--skip-webgpu');
const BATCHES = QUICK ? [1, 8] : [1, 8, 32];
const MIN_MS = QUICK ? 2000 : 5000;
const MIN_BATCHES = 2;
/** Browser encoder points and the end-to-end run are measured this many times; the best counts. */
const REPEATS = QUICK ? 1 : 2;
const NATIVE_THREADS = 2;
const WASM_THREADS = [1, 2];
const MODEL = 'clip-b32-random';
const MODEL_PATH = join(ROOT, 'bench/models', MODEL, 'onnx/vision_model.onnx');
const E2E_IMAGES = QUICK ? 16 : 32;
const SMALL_IMAGES = 500;
const WEBGPU_INIT_LIMIT_MS = 240_000;
const WEBGPU_RUN_LIMIT_MS = 90_000;
const THUMB_SIZE = 320; // the app's thumbnail size (src/state/controller.ts)
const SEED = 7;

const started = Date.now();
function log(line: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[${s} s] ${line}`);
}

export interface WasmRun {
  threads: number;
  batch: number;
  init: EngineInitResult;
  /** The best of `repeats` timings on one session: noise on a shared host only slows a run down. */
  timing: EncoderTiming;
  repeats: EncoderTiming[];
  imagesPerSecond: number;
  ratioToNative: number;
  /** 1-minute load average when this point finished. */
  load1: number;
}

export interface Results {
  date: string;
  options: { quick: boolean; skipWebgpu: boolean; batches: number[]; minMs: number; minBatches: number };
  machine: { cpuModel: string; cpuCount: number; os: string; memoryGiB: number; node: string };
  /** 1/5/15-minute load averages at start and end: other work on the host shows up here. */
  loadAverage: { start: number[]; end: number[] };
  chromium: { version: string; hardwareConcurrency: number | null };
  crossOriginIsolated: boolean | null;
  model: { id: string; note: string };
  native: {
    threads: number;
    sessionMs: number;
    rounds: (NativeResult & { load1: number })[][];
    /** imagesPerSecond is the best of the rounds (the reference for the ratios). */
    byBatch: Record<string, { imagesPerSecond: number; rounds: number[] }>;
  };
  wasm: WasmRun[];
  correctness: { seed: number; backend: string; minCosineToNative: number }[];
  webgpu:
    | { status: 'skipped'; reason: string }
    | { status: 'gave-up'; reason: string; init?: EngineInitResult }
    | { status: 'ok'; init: EngineInitResult; runMs: number; wallMs: number; imagesPerSecond: number; minCosineToNative: number };
  decode: {
    file: string;
    sequential: DecodeTiming[];
    mean: { decodeMs: number; preprocessMs: number; wallMs: number };
    /** Same steps on the lab page's main thread, read-back and resample timed apart. */
    split: PreprocessSplit[];
    splitMean: { decodeMs: number; readMs: number; resampleMs: number };
    throughput: { poolSize: number; images: number; wallMs: number; imagesPerSecond: number };
  } | null;
  endToEnd: (AppRunResult & {
    /** Encoder-only img/s at batch 8 with the app's thread count: from the grid above and re-measured right after the end-to-end runs; the ratio uses the better. */
    encoderOnlyMeasurements: { earlier: number | null; adjacent: number | null };
    /** img/s of every run; the fields above are the best run's. */
    allRuns: number[];
    load1: number; threads: number | null; encoderOnlyImagesPerSecond: number | null; ratioToEncoderOnly: number | null; fileMB: number }) | null;
  responsiveness:
    | (AppRunResult & {
        model: string;
        fileKB: number;
        load1: number;
        /** The same run repeated under a trace; mainThreadTasks above comes from it. */
        tracedRun: Pick<AppRunResult, 'longTasks' | 'objectUrls' | 'imagesPerSecond'>;
      })
    | null;
  longTaskDiagnosis: LongTaskDiagnosis | null;
  /** Face pass timings and its cost to the CLIP pass; absent in results written before it existed. */
  faces?: FacesBench | null;
  /** The app on camera-like 24-MP JPEGs, fast vs exact path, people off and on (`--e2e-24mp`); absent until run. */
  endToEnd24mp?: E2e24Results | null;
  /** The same on the camera files with a 1616×1080 MPF preview (`--e2e-24mp --mpf`); absent until run. */
  endToEnd24mpMpf?: E2e24Results | null;
  pageErrors: string[];
  totalSeconds: number;
}

async function measureNative(session: Awaited<ReturnType<typeof openNativeSession>>, round: number): Promise<(NativeResult & { load1: number })[]> {
  const out: (NativeResult & { load1: number })[] = [];
  for (const batch of BATCHES) {
    const r = await timeNative(session, batch, MIN_MS, MIN_BATCHES);
    log(`native round ${round}, batch ${batch}: ${r.imagesPerSecond.toFixed(1)} img/s (${r.batches} batches in ${(r.wallMs / 1000).toFixed(1)} s; load ${loadavg()[0].toFixed(1)})`);
    out.push({ ...r, load1: loadavg()[0] });
  }
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(MODEL_PATH)) throw new Error(`${MODEL_PATH} is missing: generate the clip-b32-random model first (see README)`);
  if (!existsSync(join(ROOT, 'public/models/clip-tiny/manifest.json'))) {
    throw new Error('public/models/clip-tiny is missing: run `npm run models:test` first');
  }
  log(`Loupe bench${QUICK ? ' (--quick)' : ''}${SKIP_WEBGPU && !QUICK ? ' (--skip-webgpu)' : ''}: batches ${BATCHES.join(', ')}, ≥ ${MIN_MS / 1000} s and ≥ ${MIN_BATCHES} batches per point`);

  // Generating JPEGs is CPU work: finish it before anything is timed.
  log('preparing JPEGs…');
  const big = await ensureImages(E2E_IMAGES, 4000, 3000, log);
  const small = await ensureImages(SMALL_IMAGES, 640, 480, log);
  log(`${big.files.length}× 4000×3000 (${(big.totalBytes / big.files.length / 1e6).toFixed(2)} MB each), ${small.files.length}× 640×480 (${(small.totalBytes / small.files.length / 1e3).toFixed(0)} KB each)`);

  const stale = distStaleReason();
  if (stale) {
    log(`building the app (${stale})…`);
    viteBuild();
  } else log('dist/ is current');

  const cpu = cpus();
  const results: Results = {
    date: new Date().toISOString(),
    options: { quick: QUICK, skipWebgpu: SKIP_WEBGPU, batches: BATCHES, minMs: MIN_MS, minBatches: MIN_BATCHES },
    machine: { cpuModel: cpu[0]?.model ?? 'unknown', cpuCount: cpu.length, os: `${platform()} ${release()}`, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    loadAverage: { start: loadavg(), end: [] },
    chromium: { version: '', hardwareConcurrency: null },
    crossOriginIsolated: null,
    model: { id: MODEL, note: 'random weights, full CLIP ViT-B/32 vision architecture (same FLOPs), fp32' },
    native: { threads: NATIVE_THREADS, sessionMs: 0, rounds: [], byBatch: {} },
    wasm: [],
    correctness: [],
    webgpu: { status: 'skipped', reason: QUICK ? '--quick' : '--skip-webgpu' },
    decode: null,
    endToEnd: null,
    responsiveness: null,
    longTaskDiagnosis: null,
    faces: null,
    pageErrors: [],
    totalSeconds: 0,
  };

  log(`native: onnxruntime-node CPU, ${NATIVE_THREADS} intra-op threads`);
  const native = await openNativeSession(MODEL_PATH, NATIVE_THREADS);
  results.native.sessionMs = native.sessionMs;
  results.native.rounds.push(await measureNative(native, 1));
  const reference = await nativeSeeded(native, SEED, 1);

  const { server, baseUrl } = await serve();
  let browser: Browser | null = null;
  const errors = new PageErrors();
  try {
    browser = await launchChromium();
    results.chromium.version = browser.version();
    log(`serving dist/ at ${baseUrl}; Chromium ${results.chromium.version}`);
    // One context for every page: the model is downloaded and verified once, then read from Cache Storage.
    const context: BrowserContext = await browser.newContext();

    for (const threads of WASM_THREADS) {
      const page = await openLab(context, baseUrl, errors, `lab wasm ${threads}t`);
      const env = await page.evaluate(() => ({ coi: self.crossOriginIsolated, hc: navigator.hardwareConcurrency }));
      results.crossOriginIsolated = env.coi;
      results.chromium.hardwareConcurrency = env.hc;
      if (!env.coi) log('WARNING: the lab page is not cross-origin isolated: WASM runs single-threaded');
      for (const batch of BATCHES) {
        const init = await labInit(page, { modelId: MODEL, preference: 'wasm', wasmThreads: threads, batchSize: batch });
        const repeats: EncoderTiming[] = [];
        for (let i = 0; i < REPEATS; i++) repeats.push(await labTime(page, { batch, minMs: MIN_MS, minBatches: MIN_BATCHES }));
        const timing = repeats.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
        log(
          `wasm ${threads} thread(s), batch ${batch}: ${timing.imagesPerSecond.toFixed(2)} img/s (best of ${repeats.map((r) => r.imagesPerSecond.toFixed(2)).join(' / ')}; ${timing.batches} batches in ${(timing.wallMs / 1000).toFixed(1)} s; load ${loadavg()[0].toFixed(1)}; init ${(init.initMs / 1000).toFixed(1)} s from ${init.source}, warm-up ${(init.engine.warmupMs / 1000).toFixed(1)} s)`,
        );
        results.wasm.push({ threads, batch, init, timing, repeats, imagesPerSecond: timing.imagesPerSecond, ratioToNative: 0, load1: loadavg()[0] });
        if (batch === BATCHES[0]) {
          const e = await labEmbedSeeded(page, SEED, 1);
          const cos = minRowCosine(e.embeddings, reference, 512);
          results.correctness.push({ seed: SEED, backend: `wasm ${threads} thread(s)`, minCosineToNative: cos });
          log(`wasm ${threads} thread(s): cosine to native on the same input ${cos.toFixed(6)}`);
        }
      }
      await labClose(page);
      await page.close();
    }

    log('native, second round (drift check)');
    results.native.rounds.push(await measureNative(native, 2));
    for (const batch of BATCHES) {
      const rounds = results.native.rounds.map((r) => r.find((x) => x.batch === batch)!.imagesPerSecond);
      // The best round is the least disturbed one: other work on a shared host only ever slows a run down.
      results.native.byBatch[batch] = { imagesPerSecond: Math.max(...rounds), rounds };
      if (Math.min(...rounds) < 0.8 * Math.max(...rounds)) log(`note: native batch ${batch} rounds differ by more than 20 % (${rounds.map((r) => r.toFixed(1)).join(' / ')}): the host is busy`);
    }
    for (const w of results.wasm) w.ratioToNative = w.imagesPerSecond / results.native.byBatch[w.batch].imagesPerSecond;

    if (!SKIP_WEBGPU) {
      log('WebGPU (software adapter, batch 1): expect ≈ 1 minute');
      const page = await openLab(context, baseUrl, errors, 'lab webgpu');
      let init: EngineInitResult | undefined;
      try {
        init = await withTimeout(labInit(page, { modelId: MODEL, preference: 'webgpu', wasmThreads: null, batchSize: 1 }), WEBGPU_INIT_LIMIT_MS, 'WebGPU init');
        log(`webgpu: ${init.engine.backend}, ${init.engine.reason}; session ${(init.engine.sessionMs / 1000).toFixed(1)} s, warm-up ${(init.engine.warmupMs / 1000).toFixed(1)} s`);
        if (init.engine.backend !== 'webgpu') throw new Error(`the worker chose ${init.engine.backend}: ${init.engine.reason}`);
        const t0 = Date.now();
        const e = await withTimeout(labEmbedSeeded(page, SEED, 1), WEBGPU_RUN_LIMIT_MS, 'one WebGPU batch');
        const wallMs = Date.now() - t0;
        const cos = minRowCosine(e.embeddings, reference, 512);
        results.webgpu = { status: 'ok', init, runMs: e.runMs, wallMs, imagesPerSecond: 1000 / wallMs, minCosineToNative: cos };
        results.correctness.push({ seed: SEED, backend: 'webgpu (software adapter)', minCosineToNative: cos });
        log(`webgpu batch 1: ${(wallMs / 1000).toFixed(1)} s per image, cosine to native ${cos.toFixed(6)}`);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        results.webgpu = { status: 'gave-up', reason, init };
        log(`webgpu: gave up (${reason})`);
      } finally {
        await page.close();
      }
    }

    const hc = results.chromium.hardwareConcurrency ?? 2;
    // Same formula as src/state/decoders.ts: one core left for the encoder, but never fewer than two workers.
    const poolSize = Math.max(2, Math.min(4, hc - 1));
    {
      log(`decode stages: ${Math.min(4, big.files.length)} × 12 MP one at a time, then ${big.files.length} through ${poolSize} worker(s)`);
      const page = await openLab(context, baseUrl, errors, 'lab decode');
      const urls = imageUrls(big);
      const sequential = await labDecodeSequential(page, urls.slice(0, 4), THUMB_SIZE);
      // The first decode also starts the worker and compiles code: report the warm ones.
      const warm = sequential.length > 1 ? sequential.slice(1) : sequential;
      const mean = (f: (d: DecodeTiming) => number) => warm.reduce((s, d) => s + f(d), 0) / warm.length;
      const split = await labPreprocessSplit(page, urls.slice(0, 4));
      const warmSplit = split.slice(1);
      const smean = (f: (d: PreprocessSplit) => number) => warmSplit.reduce((s, d) => s + f(d), 0) / warmSplit.length;
      const throughput = await labDecodeThroughput(page, urls, THUMB_SIZE, poolSize);
      results.decode = {
        file: '4000×3000 JPEG q90',
        sequential,
        mean: { decodeMs: mean((d) => d.decodeMs), preprocessMs: mean((d) => d.preprocessMs), wallMs: mean((d) => d.wallMs) },
        split,
        splitMean: { decodeMs: smean((d) => d.decodeMs), readMs: smean((d) => d.readMs), resampleMs: smean((d) => d.resampleMs) },
        throughput: { poolSize, ...throughput },
      };
      log(
        `split on the main thread: decode ${results.decode.splitMean.decodeMs.toFixed(0)} ms, RGBA read-back ${results.decode.splitMean.readMs.toFixed(0)} ms, bicubic resample + normalize ${results.decode.splitMean.resampleMs.toFixed(0)} ms`,
      );
      log(
        `decode 12 MP: decode ${results.decode.mean.decodeMs.toFixed(0)} ms + preprocess ${results.decode.mean.preprocessMs.toFixed(0)} ms, ${results.decode.mean.wallMs.toFixed(0)} ms with thumbnail; ${throughput.imagesPerSecond.toFixed(2)} img/s decode-only with ${poolSize} worker(s)`,
      );
      await page.close();
    }

    {
      const query = `model=${MODEL}&backend=wasm&batch=8`;
      log(`end to end: ${big.files.length}× 12 MP into /?${query}`);
      const runs: AppRunResult[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const one = await runApp(browser, baseUrl, query, imageUrls(big), errors, `app e2e ${i + 1}`);
        log(`end to end, run ${i + 1}: ${one.imagesPerSecond.toFixed(2)} img/s (load ${loadavg()[0].toFixed(1)})`);
        runs.push(one);
      }
      const r = runs.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
      const m = /(\d+) threads?/.exec(r.backendReason);
      const threads = m ? Number(m[1]) : null;
      const fromGrid = results.wasm.find((w) => w.threads === threads && w.batch === 8)?.imagesPerSecond ?? null;
      let adjacent: number | null = null;
      if (threads !== null) {
        // Encoder-only again, right after the end-to-end runs: the host's load changes over minutes, and a
        // ratio of two numbers taken in different load windows says more about the host than the app.
        const page = await openLab(context, baseUrl, errors, `lab wasm ${threads}t (adjacent)`);
        await labInit(page, { modelId: MODEL, preference: 'wasm', wasmThreads: threads, batchSize: 8 });
        for (let i = 0; i < REPEATS; i++) {
          const t = await labTime(page, { batch: 8, minMs: MIN_MS, minBatches: MIN_BATCHES });
          adjacent = Math.max(adjacent ?? 0, t.imagesPerSecond);
        }
        await labClose(page);
        await page.close();
        log(`encoder-only, ${threads} threads, batch 8, right after: ${adjacent?.toFixed(2)} img/s (earlier: ${fromGrid?.toFixed(2) ?? '—'})`);
      }
      const candidates = [fromGrid, adjacent].filter((x): x is number => x !== null);
      const encoderOnly = candidates.length > 0 ? Math.max(...candidates) : null;
      results.endToEnd = {
        ...r,
        allRuns: runs.map((x) => x.imagesPerSecond),
        load1: loadavg()[0],
        threads,
        encoderOnlyImagesPerSecond: encoderOnly,
        encoderOnlyMeasurements: { earlier: fromGrid, adjacent },
        ratioToEncoderOnly: encoderOnly ? r.imagesPerSecond / encoderOnly : null,
        fileMB: big.totalBytes / big.files.length / 1e6,
      };
      const tl = r.timeline;
      const sec = (x: number | null) => (x === null ? '?' : (x / 1000).toFixed(1));
      log(`end to end, timeline after the drop: hashed ${sec(tl.firstHashed)}–${sec(tl.lastHashed)} s, decoded ${sec(tl.firstDecoded)}–${sec(tl.lastDecoded)} s, scored ${sec(tl.firstScored)}–${sec(tl.lastScored)} s`);
      log(
        `end to end, stages under load: decode ${r.stages.decodeMs.toFixed(0)} ms + preprocess ${r.stages.preprocessMs.toFixed(0)} ms per image; encoder ${r.stages.encoderMsPerImage.toFixed(0)} ms per image in ${r.stages.encoderBatches} batches, busy ${(100 * r.stages.encoderBusyFraction).toFixed(0)} % of the run`,
      );
      log(
        `end to end: ${r.imagesPerSecond.toFixed(2)} img/s (${r.scored} scored, ${r.failed} failed in ${(r.elapsedMs / 1000).toFixed(1)} s), ${results.endToEnd.ratioToEncoderOnly?.toFixed(2) ?? '?'}× encoder-only; peak heap ${(r.heap.peakBytes / 2 ** 20).toFixed(0)} MiB; longest task ${r.longTasks.maxMs.toFixed(0)} ms`,
      );
    }

    {
      const query = 'model=clip-tiny&backend=wasm';
      log(`responsiveness: ${small.files.length}× 640×480 into /?${query}`);
      const r = await runApp(browser, baseUrl, query, imageUrls(small), errors, 'app 500');
      log(
        `responsiveness: ${r.imagesPerSecond.toFixed(1)} img/s; ${r.longTasks.over50} long tasks over 50 ms, longest ${r.longTasks.maxMs.toFixed(0)} ms; createObjectURL ${r.objectUrls.count}× ${r.objectUrls.totalMs.toFixed(0)} ms (max ${r.objectUrls.maxMs.toFixed(0)} ms, ${r.objectUrls.msInsideLongTasks.toFixed(0)} ms inside long tasks); peak heap ${(r.heap.peakBytes / 2 ** 20).toFixed(0)} MiB; load ${loadavg()[0].toFixed(1)}`,
      );
      // Again under a 'toplevel' trace, which sees tasks under 50 ms too. Separate, because tracing adds
      // browser-process work that the first run's numbers should not carry.
      const traced = await runApp(browser, baseUrl, query, imageUrls(small), errors, 'app 500 traced', { trace: true });
      const t = traced.mainThreadTasks;
      if (t) log(`responsiveness (traced run): longest main-thread task ${t.maxMs.toFixed(0)} ms; ${t.over50} over 50 ms, ${t.over16} over 16.7 ms of ${t.count} tasks`);
      results.responsiveness = {
        ...r,
        mainThreadTasks: t,
        tracedRun: { longTasks: traced.longTasks, objectUrls: traced.objectUrls, imagesPerSecond: traced.imagesPerSecond },
        model: 'clip-tiny',
        fileKB: small.totalBytes / small.files.length / 1e3,
        load1: loadavg()[0],
      };
    }
    await context.close();

    log('faces: per image on WASM, then the face pass beside the CLIP pass in the app');
    results.faces = await benchFaces(browser, baseUrl, { quick: QUICK, errors, log, model: MODEL });

    const rr = results.responsiveness;
    const slow = rr && (rr.longTasks.over50 > 0 || rr.tracedRun.longTasks.over50 > 0 || (rr.mainThreadTasks?.over50 ?? 0) > 0);
    if ((slow && !args.has('--no-diagnose')) || args.has('--profile')) {
      log(`${slow ? 'main-thread tasks over 50 ms' : '--profile'}: profiling an unminified build to see what the main thread does…`);
      results.longTaskDiagnosis = await diagnoseLongTasks(browser, imageUrls(small), errors, log);
    }
  } finally {
    await browser?.close();
    await server.close();
    await native.session.release();
  }

  results.loadAverage.end = loadavg();
  results.pageErrors = errors.messages;
  results.totalSeconds = (Date.now() - started) / 1000;
  const out = join(ROOT, 'bench/results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log();
  console.log(formatTable(results));
  console.log();
  if (errors.messages.length > 0) console.log(`page errors:\n  ${errors.messages.join('\n  ')}`);
  log(`wrote ${out}`);
}

/**
 * The face pass alone, to re-measure it without the whole bench. LOUPE_DIST builds and serves another
 * folder than dist/, as in e2e, so this can run beside tests that use dist/.
 */
async function onlyFaces(): Promise<void> {
  const outDir = process.env.LOUPE_DIST ?? 'dist';
  const stale = distStaleReason(resolve(ROOT, outDir));
  if (stale) {
    log(`building the app into ${outDir} (${stale})…`);
    viteBuild(outDir === 'dist' ? [] : ['--outDir', outDir, '--emptyOutDir']);
  }
  const { server, baseUrl } = await serve(outDir);
  const browser = await launchChromium();
  const errors = new PageErrors();
  let faces: FacesBench;
  try {
    faces = await benchFaces(browser, baseUrl, { quick: QUICK, errors, log, model: MODEL, skipApp: args.has('--no-app') });
  } finally {
    await browser.close();
    await server.close();
  }
  const out = join(ROOT, 'bench/results.json');
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Results) : null;
  if (previous) writeFileSync(out, `${JSON.stringify({ ...previous, faces }, null, 2)}\n`);
  console.log();
  console.log(formatFacesTable(faces));
  console.log();
  if (errors.messages.length > 0) console.log(`page errors:\n  ${errors.messages.join('\n  ')}`);
  // A results.json holds a full run's fields; without one, the faces go to a file of their own.
  const alone = join(tmpdir(), 'loupe-faces-results.json');
  if (!previous) writeFileSync(alone, `${JSON.stringify(faces, null, 2)}\n`);
  log(`wrote ${previous ? out : alone}`);
}

/**
 * The 24-MP end-to-end section alone (it takes ≈ 10 minutes), merged into results.json like --only-faces: into
 * `endToEnd24mp`, or with --mpf (the files with an MPF preview) into `endToEnd24mpMpf`.
 */
async function onlyE2e24(): Promise<void> {
  const outDir = process.env.LOUPE_DIST ?? 'dist';
  const stale = distStaleReason(resolve(ROOT, outDir));
  if (stale) {
    log(`building the app into ${outDir} (${stale})…`);
    viteBuild(outDir === 'dist' ? [] : ['--outDir', outDir, '--emptyOutDir']);
  }
  if (!existsSync(MODEL_PATH)) throw new Error(`${MODEL_PATH} is missing: generate the clip-b32-random model first (see README)`);
  const { server, baseUrl } = await serve(outDir);
  const browser = await launchChromium();
  const errors = new PageErrors();
  let e2e: E2e24Results;
  try {
    log(`24 MP end to end on Chromium ${browser.version()}${QUICK ? ' (--quick)' : ''}${MPF ? `, files with a ${MPF_PREVIEW_24MP.width}×${MPF_PREVIEW_24MP.height} MPF preview (--mpf)` : ''}`);
    e2e = await benchE2e24(browser, baseUrl, {
      quick: QUICK,
      model: MODEL,
      errors,
      log,
      images: QUICK ? 16 : 24,
      repeats: Number(argValue('--repeats') ?? 1),
      minMs: MIN_MS,
      reuseWarmup: !args.has('--fresh-warmup'),
      mpfPreview: MPF ? MPF_PREVIEW_24MP : undefined,
      fastOnly: args.has('--fast-only'),
    });
  } finally {
    await browser.close();
    await server.close();
  }
  const out = join(ROOT, 'bench/results.json');
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Results) : null;
  const key = MPF ? 'endToEnd24mpMpf' : 'endToEnd24mp';
  if (previous) writeFileSync(out, `${JSON.stringify({ ...previous, [key]: e2e }, null, 2)}\n`);
  const alone = join(tmpdir(), MPF ? 'loupe-e2e24-mpf-results.json' : 'loupe-e2e24-results.json');
  if (!previous) writeFileSync(alone, `${JSON.stringify(e2e, null, 2)}\n`);
  console.log();
  // formatE2e24Table describes the plain camera set: say which set this was, and what the decode worker read.
  const mpfPreview = e2e.set?.mpfPreview;
  console.log(
    `Image set: ${e2e.set?.id ?? '?'} (${mpfPreview ? `camera-like 24 MP with a ${mpfPreview.width}×${mpfPreview.height} MPF preview appended, generated: \`--e2e-24mp --mpf\`, results.json endToEnd24mpMpf` : 'camera-like 24 MP, no MPF preview: results.json endToEnd24mp'})`,
  );
  const origins = (path: 'fast' | 'exact') => Object.entries(e2e.decodeOrigins?.[path] ?? {}).map(([k, v]) => `${k} (${v})`).join(', ') || '?';
  console.log(`Decode worker alone, origins of the timed decodes: fast path ${origins('fast')}; exact path ${origins('exact')}`);
  console.log();
  console.log(formatE2e24Table(e2e));
  console.log();
  if (errors.messages.length > 0) console.log(`page errors:\n  ${errors.messages.join('\n  ')}`);
  log(`wrote ${previous ? out : alone}`);
}

if (args.has('--e2e-24mp')) {
  onlyE2e24().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (args.has('--only-faces')) {
  onlyFaces().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (args.has('--table')) {
  // Reprints the last run's table (for README) without measuring anything.
  console.log(formatTable(JSON.parse(readFileSync(join(ROOT, 'bench/results.json'), 'utf8')) as Results));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

