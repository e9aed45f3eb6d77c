/**
 * Encoder throughput on onnxruntime-node (native CPU), through the same `embedImageBatch` the browser
 * worker uses, so the browser/native ratio compares runtimes and not two pieces of glue code.
 */
import * as ort from 'onnxruntime-node';
import { embedImageBatch, PIXELS_PER_IMAGE, type TensorCtor } from '../src/engine/encoders';
import { seededPixels } from '../src/lab/seededPixels';

const Tensor = ort.Tensor as unknown as TensorCtor;

export interface NativeResult {
  batch: number;
  batches: number;
  images: number;
  wallMs: number;
  warmupMs: number;
  imagesPerSecond: number;
  /** Per-batch run times, for spread. */
  runMs: number[];
}

export interface NativeSession {
  session: ort.InferenceSession;
  sessionMs: number;
  threads: number;
}

export async function openNativeSession(modelPath: string, threads: number): Promise<NativeSession> {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return { session, sessionMs: performance.now() - t0, threads };
}

/** Warm-up batch, then batches until at least `minMs` passed and `minBatches` ran. */
export async function timeNative(s: NativeSession, batch: number, minMs: number, minBatches: number): Promise<NativeResult> {
  const pixels = seededPixels(1000 + batch, batch * PIXELS_PER_IMAGE);
  const w0 = performance.now();
  await embedImageBatch(s.session, Tensor, pixels, batch);
  const warmupMs = performance.now() - w0;
  const runMs: number[] = [];
  const t0 = performance.now();
  for (;;) {
    const r0 = performance.now();
    await embedImageBatch(s.session, Tensor, pixels, batch);
    runMs.push(performance.now() - r0);
    const wallMs = performance.now() - t0;
    if (wallMs >= minMs && runMs.length >= minBatches) {
      const images = runMs.length * batch;
      return { batch, batches: runMs.length, images, wallMs, warmupMs, imagesPerSecond: images / (wallMs / 1000), runMs };
    }
  }
}

/** Reference embeddings of the seeded input, to check the browser backends' numbers against. */
export async function nativeSeeded(s: NativeSession, seed: number, count: number): Promise<Float32Array> {
  return embedImageBatch(s.session, Tensor, seededPixels(seed, count * PIXELS_PER_IMAGE), count);
}
