/**
 * The lab page exposes the app's real engine parts (decode pool, inference client) to benchmarks and
 * browser tests, so they measure and check the exact code users run, without test hooks in the app.
 */
import type { BackendPreference } from '../engine/backend';
import { PIXELS_PER_IMAGE } from '../engine/encoders';
import { InferenceClient } from '../engine/inferenceClient';
import { DecodePool } from '../library/decodePool';
import { benchApi } from './benchApi';
import { facesLab } from './facesLab';

let pool: DecodePool | null = null;

/**
 * Decodes + preprocesses like the app; returns the CHW float tensor as a plain array for the test. The exact
 * path (PIL parity) unless `exact` is false (the app's default fast path).
 */
async function decodeForClip(bytes: Uint8Array, name: string, exact = true): Promise<{ ok: boolean; pixels?: number[]; reason?: string; width?: number; height?: number; origin?: unknown }> {
  pool ??= new DecodePool(1);
  const r = await pool.decode({ file: new Blob([bytes as BlobPart]), name, thumbSize: 0, exact, faceLongSide: 0 });
  if (r.type === 'failed') return { ok: false, reason: r.reason };
  return { ok: true, pixels: Array.from(r.pixels), width: r.width, height: r.height, origin: r.origin };
}

/**
 * Embeds texts and images with a fresh engine on the given backend, through the app's own worker, so a
 * test can compare the browser's numbers with onnxruntime-node's.
 */
async function embedWithEngine(options: {
  modelId: string;
  preference: BackendPreference;
  texts: string[];
  images: { bytes: Uint8Array; name: string }[];
}): Promise<{ backend: string; text: number[]; image: number[]; scores: number[] }> {
  const client = new InferenceClient();
  try {
    const ready = await client.init({
      modelId: options.modelId,
      baseUrl: new URL('./', location.href).href,
      preference: options.preference,
      pickedFiles: null,
      allowRemote: false,
      batchSize: 1,
      wasmThreads: null,
    });
    const text = options.texts.length ? Array.from((await client.embedTexts(options.texts)).embeddings) : [];
    pool ??= new DecodePool(1);
    const pixels = new Float32Array(options.images.length * PIXELS_PER_IMAGE);
    for (const [i, img] of options.images.entries()) {
      const r = await pool.decode({ file: new Blob([img.bytes as BlobPart]), name: img.name, thumbSize: 0, exact: true, faceLongSide: 0 });
      if (r.type === 'failed') throw new Error(`${img.name}: ${r.reason}`);
      pixels.set(r.pixels, i * PIXELS_PER_IMAGE);
    }
    const out = options.images.length ? await client.embedImages(pixels, options.images.length) : null;
    return {
      backend: ready.backend,
      text,
      image: out ? Array.from(out.embeddings) : [],
      scores: out?.scores ? Array.from(out.scores) : [],
    };
  } finally {
    client.terminate();
  }
}

const lab = { decodeForClip, embedWithEngine, ...benchApi, ...facesLab };
(window as unknown as { loupeLab: typeof lab }).loupeLab = lab;
document.body.dataset.ready = 'true';
