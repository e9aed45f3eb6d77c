/**
 * Benchmark entry points for the lab page (`window.loupeLab`), driven by `npm run bench` (bench/run.ts).
 * They run the app's own inference worker and decode pool, so the numbers are those of the code users run.
 */
import type { BackendPreference } from '../engine/backend';
import { PIXELS_PER_IMAGE } from '../engine/encoders';
import { InferenceClient } from '../engine/inferenceClient';
import type { EngineReady } from '../engine/protocol';
import { readBitmapRgba } from '../engine/bitmapPixels';
import { centerCrop, CLIP_IMAGE_SIZE, CLIP_MEAN, CLIP_STD, preprocessForClip, resizeBicubic, resizeOutputSize, toClipTensor } from '../engine/preprocess';
import type { PixelOrigin } from '../library/decodeApi';
import { FAST_SHORT_SIDE, fastJpegScale } from '../library/decodePlan';
import { DecodePool } from '../library/decodePool';
import { readSize } from '../library/openImage';
import { seededPixels } from './seededPixels';
import { trainInWorker } from '../engine/tasteClient';
import { mulberry32 } from '../scoring/mulberry32';
import { cosine } from '../scoring/similarity';
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
  /** What the pixels were decoded at (results written before the fast path have none). */
  origin?: PixelOrigin;
}

/**
 * Decodes each file alone through a one-worker DecodePool (the app's decode worker), one after another: the fast
 * path unless `exact`, with a face image of `faceLongSide` (people checks on) when it is not 0.
 */
async function decodeSequential(urls: string[], thumbSize: number, exact = false, faceLongSide = 0): Promise<DecodeTiming[]> {
  const files = await Promise.all(urls.map(fetchBlob));
  const pool = new DecodePool(1);
  const out: DecodeTiming[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      const name = urls[i].split('/').pop() ?? urls[i];
      const t0 = performance.now();
      const r = await pool.decode({ file: files[i], name, thumbSize, exact, faceLongSide });
      const wallMs = performance.now() - t0;
      if (r.type === 'failed') throw new Error(`${name}: ${r.reason}`);
      r.faceImage?.close();
      out.push({ name, width: r.width, height: r.height, decodeMs: r.decodeMs, preprocessMs: r.preprocessMs, wallMs, origin: r.origin });
    }
  } finally {
    pool.terminate();
  }
  return out;
}

/** Decode-only throughput with `poolSize` workers, all files queued at once (no encoder running). */
async function decodeThroughput(urls: string[], thumbSize: number, poolSize: number, exact = false): Promise<{ images: number; wallMs: number; imagesPerSecond: number }> {
  const files = await Promise.all(urls.map(fetchBlob));
  const pool = new DecodePool(poolSize);
  try {
    const t0 = performance.now();
    const results = await Promise.all(files.map((f, i) => pool.decode({ file: f, name: `f${i}.jpg`, thumbSize, exact, faceLongSide: 0 })));
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

export interface FastPathDecode {
  exact: boolean;
  faceLongSide: number;
  origin: PixelOrigin;
  /** The photo's displayed size, as the decode worker reports it. */
  width: number;
  height: number;
  /** As the decode worker reports them: opening (sniff, header, decode) and read-back + resample + normalize. */
  decodeMs: number;
  preprocessMs: number;
  /** Request to answer: the above plus thumbnail, figures, metadata, face image and messaging. */
  wallMs: number;
}

export interface FastPathDiff {
  faceLongSide: number;
  /** Fast and exact tensors equal element for element (the fast path decoded at full size too). */
  identical: boolean;
  /** Over the 3×224×224 crop, in 0–255 pixel units (the tensors mapped back to the bytes they normalize). */
  maxAbs: number;
  meanAbs: number;
  /** Share of the 150,528 values that differ at all. */
  changedFraction: number;
}

export interface FastPathImage {
  url: string;
  decodes: FastPathDecode[];
  diffs: FastPathDiff[];
  /**
   * An experiment, not the app's code: the same k/8 decode (on the lab page), resampled to the full-size photo's
   * output size over exactly size·k/8 of the reduced image (the k/8 size is rounded up, so its last column/row
   * is a partial one). Only for upright photos (EXIF orientation 1) whose size k/8 does not divide.
   */
  boxed: (FastPathDiff & { boxWidth: number; boxHeight: number })[];
  /** The exact tensor does not depend on the people checks' face size: false would be a bug. */
  exactStable: boolean;
}

/** Tensors kept in the page between fastPathDecode and fastPathEmbed, so they never cross to Node. */
const fastPathTensors = new Map<string, Float32Array>();
const tensorKey = (url: string, exact: boolean, faceLongSide: number) => `${exact ? 'exact' : 'fast'}|${faceLongSide}|${url}`;

/** The bytes a CLIP tensor normalizes, back from the tensor: (x·std + mean)·255, rounded (exact for 0..255). */
function tensorBytes(t: Float32Array): Uint8Array {
  const plane = t.length / 3;
  const out = new Uint8Array(t.length);
  for (let c = 0; c < 3; c++) {
    for (let i = c * plane; i < (c + 1) * plane; i++) out[i] = Math.round((t[i] * CLIP_STD[c] + CLIP_MEAN[c]) * 255);
  }
  return out;
}

function tensorDiff(exact: Float32Array, other: Float32Array): Omit<FastPathDiff, 'faceLongSide'> {
  const a = tensorBytes(exact);
  const b = tensorBytes(other);
  let max = 0;
  let sum = 0;
  let changed = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    sum += d;
    if (d) changed++;
  }
  return { identical: changed === 0, maxAbs: max, meanAbs: sum / a.length, changedFraction: changed / a.length };
}

/**
 * The boxed variant of FastPathImage: the decode worker's scaled decode repeated on this page, then resampled
 * to the full-size photo's output size over exactly size·k/8 of it (resizeBicubic with a box). Null when the photo is not a
 * JPEG the fast path reduces, k/8 divides its size (nothing to correct), or it is not upright as stored.
 */
async function boxedFast(file: Blob, faceLongSide: number): Promise<{ tensor: Float32Array; boxWidth: number; boxHeight: number } | null> {
  const size = await readSize(file, 'jpeg');
  if (!size || typeof ImageDecoder !== 'function') return null;
  const plan = fastJpegScale(size, { shortSide: FAST_SHORT_SIDE, longSide: faceLongSide });
  if (!plan) return null;
  const boxWidth = (size.width * plan.numerator) / 8;
  const boxHeight = (size.height * plan.numerator) / 8;
  if (boxWidth === plan.width && boxHeight === plan.height) return null;
  const decoder = new ImageDecoder({ data: file.stream(), type: 'image/jpeg', desiredWidth: plan.width, desiredHeight: plan.height, colorSpaceConversion: 'none', preferAnimation: false });
  try {
    const { image } = await decoder.decode({ frameIndex: 0 });
    try {
      const frame = image as VideoFrame & { rotation?: number; flip?: boolean };
      if ((frame.rotation ?? 0) !== 0 || frame.flip) return null;
      const bitmap = await createImageBitmap(image, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
      try {
        if (bitmap.width !== plan.width || bitmap.height !== plan.height) throw new Error(`decoded ${bitmap.width}×${bitmap.height}, planned ${plan.width}×${plan.height}`);
        const { pixels } = await readBitmapRgba(bitmap, false);
        const out = resizeOutputSize(size.width, size.height, CLIP_IMAGE_SIZE);
        const resized = resizeBicubic({ data: pixels.data, width: plan.width, height: plan.height, channels: 4 }, out, { width: boxWidth, height: boxHeight });
        return { tensor: toClipTensor(centerCrop(resized, CLIP_IMAGE_SIZE)), boxWidth, boxHeight };
      } finally {
        bitmap.close();
      }
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

/**
 * The fast path's cost (bench/fastPath.ts): each file through a one-worker DecodePool (the app's decode worker)
 * on the exact path and on the fast path, once per people-check face size, one decode at a time; per file and
 * face size, how far the fast tensor is from the exact one. The tensors stay in the page for fastPathEmbed.
 */
async function fastPathDecode(o: { urls: string[]; faceLongSides: number[]; thumbSize: number }): Promise<FastPathImage[]> {
  fastPathTensors.clear();
  const pool = new DecodePool(1);
  const out: FastPathImage[] = [];
  try {
    // One throw-away decode starts the worker and compiles its code before anything is timed.
    if (o.urls.length > 0) await pool.decode({ file: await fetchBlob(o.urls[0]), name: 'warm-up.jpg', thumbSize: o.thumbSize, exact: false, faceLongSide: 0 });
    for (const url of o.urls) {
      const file = await fetchBlob(url);
      const name = url.split('/').pop() ?? url;
      const decodes: FastPathDecode[] = [];
      for (const faceLongSide of o.faceLongSides) {
        for (const exact of [true, false]) {
          const t0 = performance.now();
          const r = await pool.decode({ file, name, thumbSize: o.thumbSize, exact, faceLongSide });
          const wallMs = performance.now() - t0;
          if (r.type === 'failed') throw new Error(`${name} (${exact ? 'exact' : 'fast'}, face ${faceLongSide}): ${r.reason}`);
          r.faceImage?.close();
          fastPathTensors.set(tensorKey(url, exact, faceLongSide), r.pixels);
          decodes.push({ exact, faceLongSide, origin: r.origin, width: r.width, height: r.height, decodeMs: r.decodeMs, preprocessMs: r.preprocessMs, wallMs });
        }
      }
      const exactOf = (faceLongSide: number) => fastPathTensors.get(tensorKey(url, true, faceLongSide))!;
      const diffs = o.faceLongSides.map((faceLongSide) => ({ faceLongSide, ...tensorDiff(exactOf(faceLongSide), fastPathTensors.get(tensorKey(url, false, faceLongSide))!) }));
      const boxed: FastPathImage['boxed'] = [];
      for (const faceLongSide of o.faceLongSides) {
        const t = await boxedFast(file, faceLongSide);
        if (!t) continue;
        fastPathTensors.set(`box|${faceLongSide}|${url}`, t.tensor);
        boxed.push({ faceLongSide, boxWidth: t.boxWidth, boxHeight: t.boxHeight, ...tensorDiff(exactOf(faceLongSide), t.tensor) });
      }
      const exacts = o.faceLongSides.map(exactOf);
      const exactStable = exacts.every((t) => t.every((v, i) => v === exacts[0][i]));
      out.push({ url, decodes, diffs, boxed, exactStable });
    }
  } finally {
    pool.terminate();
  }
  return out;
}

/**
 * Embeds the tensors fastPathDecode kept, one at a time (batch 1, so no batch composition enters the numbers),
 * on the engine engineInit started; per file and face size, the cosine between the fast and exact embeddings.
 */
async function fastPathEmbed(o: { urls: string[]; faceLongSides: number[] }): Promise<{ url: string; faceLongSide: number; cosine: number; boxedCosine: number | null }[]> {
  const c = client;
  if (!c) throw new Error('call engineInit first');
  const embed = async (t: Float32Array) => (await c.embedImages(t.slice(), 1)).embeddings;
  const out: { url: string; faceLongSide: number; cosine: number; boxedCosine: number | null }[] = [];
  for (const url of o.urls) {
    const exact = await embed(fastPathTensors.get(tensorKey(url, true, o.faceLongSides[0]))!);
    for (const faceLongSide of o.faceLongSides) {
      const fast = await embed(fastPathTensors.get(tensorKey(url, false, faceLongSide))!);
      const box = fastPathTensors.get(`box|${faceLongSide}|${url}`);
      out.push({ url, faceLongSide, cosine: cosine(fast, exact), boxedCosine: box ? cosine(await embed(box), exact) : null });
    }
  }
  return out;
}

function fastPathClear(): void {
  fastPathTensors.clear();
  blobs.clear();
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
  preprocessSplit, engineInit, engineClose, timeEncoder, embedSeeded, decodeSequential, decodeThroughput, trainTasteSynthetic,
  fastPathDecode, fastPathEmbed, fastPathClear };
export type BenchApi = typeof benchApi;
