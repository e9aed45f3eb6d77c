/**
 * Benchmark entry points for the lab page (`window.loupeLab`), driven by `npm run bench` (bench/run.ts).
 * They run the app's own inference worker and decode pool, so the numbers are those of the code users run.
 */
import type { BackendPreference } from '../engine/backend';
import { PIXELS_PER_IMAGE } from '../engine/encoders';
import { InferenceClient } from '../engine/inferenceClient';
import type { EngineReady } from '../engine/protocol';
import { readBitmapRgba } from '../engine/bitmapPixels';
import { preprocessForClip } from '../engine/preprocess';
import { DecodePool } from '../library/decodePool';
import { seededPixels } from './seededPixels';
import { trainInWorker } from '../engine/tasteClient';
import { mulberry32 } from '../scoring/mulberry32';
import { buildTastePairs } from '../scoring/taste/tastePairs';
import { DEFAULT_TAG_HEAD } from '../scoring/taste/tagHeadSpec';
import { TASTE_TRAINING } from '../scoring/taste/trainTaste';

let client: InferenceClient | null = null;

export interface EngineInitOptions {
  modelId: string;
  preference: BackendPreference;
  wasmThreads: number | null;
  batchSize: number;
}

export interface EngineInitResult {
  engine: EngineReady;
  /** Whole init: model bytes (cache or same-origin), session creation, warm-up batch. */
  initMs: number;
  /** Where the encoder bytes came from; 'same-origin' includes download + sha256 + cache write. */
  source: string | null;
}

/** Starts a fresh inference worker (the previous one is terminated) exactly as the app does. */
async function engineInit(o: EngineInitOptions): Promise<EngineInitResult> {
  client?.terminate();
  client = new InferenceClient();
  let source: string | null = null;
  const t0 = performance.now();
  const engine = await client.init(
    {
      modelId: o.modelId,
      baseUrl: new URL(import.meta.env.BASE_URL, location.href).href,
      preference: o.preference,
      pickedFiles: null,
      allowRemote: false,
      batchSize: o.batchSize,
      wasmThreads: o.wasmThreads,
    },
    { onProgress: (p) => void (source = p.source) },
  );
  return { engine, initMs: performance.now() - t0, source };
}

function engineClose(): void {
  client?.terminate();
  client = null;
}

export interface EncoderTiming {
  batch: number;
  batches: number;
  images: number;
  /** Main-thread wall time from the first request to the last answer, postMessage and copies included. */
  wallMs: number;
  /** Worker-side `session.run` + head time per batch. */
  runMs: number[];
  imagesPerSecond: number;
}

/**
 * Times the encoder until at least `minMs` have passed and at least `minBatches` batches ran. Each call
 * gets a fresh Float32Array (it is transferred to the worker), copied from a template while the worker
 * computes the previous batch, so input preparation stays off the measured critical path.
 */
async function timeEncoder(o: { batch: number; minMs: number; minBatches: number }): Promise<EncoderTiming> {
  const c = client;
  if (!c) throw new Error('call engineInit first');
  const template = seededPixels(1000 + o.batch, o.batch * PIXELS_PER_IMAGE);
  let next = template.slice();
  const runMs: number[] = [];
  const t0 = performance.now();
  for (;;) {
    const pending = c.embedImages(next, o.batch);
    next = template.slice();
    const r = await pending;
    runMs.push(r.runMs);
    const wallMs = performance.now() - t0;
    if (wallMs >= o.minMs && runMs.length >= o.minBatches) {
      const images = runMs.length * o.batch;
      return { batch: o.batch, batches: runMs.length, images, wallMs, runMs, imagesPerSecond: images / (wallMs / 1000) };
    }
  }
}

/** Embeddings of the seeded input, for comparing this backend with onnxruntime-node on identical tensors. */
async function embedSeeded(seed: number, count: number): Promise<{ embeddings: number[]; runMs: number }> {
  if (!client) throw new Error('call engineInit first');
  const r = await client.embedImages(seededPixels(seed, count * PIXELS_PER_IMAGE), count);
  return { embeddings: Array.from(r.embeddings), runMs: r.runMs };
}

const blobs = new Map<string, Blob>();
async function fetchBlob(url: string): Promise<Blob> {
  let b = blobs.get(url);
  if (!b) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    b = await res.blob();
    blobs.set(url, b);
  }
  return b;
}

export interface DecodeTiming {
  name: string;
  width: number;
  height: number;
  /** createImageBitmap (full JPEG decode), as the decode worker reports it. */
  decodeMs: number;
  /** RGBA read-back + faithful bicubic resample + normalization, as the decode worker reports it. */
  preprocessMs: number;
  /** Request to answer on the main thread: the above plus the thumbnail and messaging. */
  wallMs: number;
}

/** Decodes each file alone through a one-worker DecodePool (the app's decode worker), one after another. */
async function decodeSequential(urls: string[], thumbSize: number): Promise<DecodeTiming[]> {
  const files = await Promise.all(urls.map(fetchBlob));
  const pool = new DecodePool(1);
  const out: DecodeTiming[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      const name = urls[i].split('/').pop() ?? urls[i];
      const t0 = performance.now();
      const r = await pool.decode(files[i], name, thumbSize);
      const wallMs = performance.now() - t0;
      if (r.type === 'failed') throw new Error(`${name}: ${r.reason}`);
      out.push({ name, width: r.width, height: r.height, decodeMs: r.decodeMs, preprocessMs: r.preprocessMs, wallMs });
    }
  } finally {
    pool.terminate();
  }
  return out;
}

/** Decode-only throughput with `poolSize` workers, all files queued at once (no encoder running). */
async function decodeThroughput(urls: string[], thumbSize: number, poolSize: number): Promise<{ images: number; wallMs: number; imagesPerSecond: number }> {
  const files = await Promise.all(urls.map(fetchBlob));
  const pool = new DecodePool(poolSize);
  try {
    const t0 = performance.now();
    const results = await Promise.all(files.map((f, i) => pool.decode(f, `f${i}.jpg`, thumbSize)));
    const wallMs = performance.now() - t0;
    const failed = results.find((r) => r.type === 'failed');
    if (failed && failed.type === 'failed') throw new Error(failed.reason);
    return { images: files.length, wallMs, imagesPerSecond: files.length / (wallMs / 1000) };
  } finally {
    pool.terminate();
  }
}

export interface PreprocessSplit {
  name: string;
  decodeMs: number;
  /** ImageBitmap → RGBA bytes (canvas 2D for JPEG, as the decode worker does). */
  readMs: number;
  /** PIL-exact bicubic resample + crop + normalize (preprocessForClip). */
  resampleMs: number;
}

/**
 * The decode worker reports read-back and resample together as `preprocessMs`; this splits them, with the
 * same calls on the lab page's main thread (the page has nothing else to do, so the numbers transfer).
 */
async function preprocessSplit(urls: string[]): Promise<PreprocessSplit[]> {
  const out: PreprocessSplit[] = [];
  for (const url of urls) {
    const blob = await fetchBlob(url);
    const t0 = performance.now();
    const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
    const t1 = performance.now();
    try {
      const { pixels } = await readBitmapRgba(bitmap, false);
      const t2 = performance.now();
      preprocessForClip(pixels);
      const t3 = performance.now();
      out.push({ name: url.split('/').pop() ?? url, decodeMs: t1 - t0, readMs: t2 - t1, resampleMs: t3 - t2 });
    } finally {
      bitmap.close();
    }
  }
  return out;
}

export interface TasteTiming {
  decided: number;
  trainPairs: number;
  steps: number;
  backend: string;
  ms: number;
  msPerStep: number;
  heldOutAccuracy: number | null;
}

/**
 * Trains a taste head in the app's taste worker on `decided` synthetic decisions: unit-norm embeddings where
 * picks share a planted direction, half picked and half rejected, the app's training settings.
 */
async function trainTasteSynthetic(o: { decided: number; steps: number; seed: number }): Promise<TasteTiming> {
  const random = mulberry32(o.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const dim = DEFAULT_TAG_HEAD.embedDim;
  const planted = Float32Array.from({ length: dim }, gauss);
  const kinds = Array.from({ length: o.decided }, (_, i) => i % 2 === 0);
  const pairs = buildTastePairs(kinds.map((pick, i) => ({ id: `img-${i}`, decision: pick ? 'pick' : 'reject', stars: 0 })));
  const images = new Float32Array(pairs.ids.length * dim);
  pairs.ids.forEach((id, r) => {
    const pick = kinds[Number(id.slice(4))];
    for (let d = 0; d < dim; d++) images[r * dim + d] = gauss() + (pick ? 0.6 * planted[d] : 0);
  });
  const trainPairs = pairs.train.length / 2;
  const result = await trainInWorker(
    {
      images, count: pairs.ids.length, tag: Float32Array.from({ length: dim }, gauss), train: pairs.train, heldOut: pairs.heldOut,
      priors: Float32Array.from(pairs.ids, () => 4 + 2 * random()), hparams: DEFAULT_TAG_HEAD, ...TASTE_TRAINING, steps: o.steps,
    },
    { producer: 'loupe-bench', metadata: {} },
    () => {},
  );
  return { decided: o.decided, trainPairs, steps: o.steps, backend: result.backend, ms: result.ms, msPerStep: result.ms / o.steps, heldOutAccuracy: result.heldOutAccuracy };
}

export const benchApi = {
  preprocessSplit, engineInit, engineClose, timeEncoder, embedSeeded, decodeSequential, decodeThroughput, trainTasteSynthetic };
export type BenchApi = typeof benchApi;
