/// <reference lib="webworker" />
/**
 * Faces, eyes and face sharpness with Human (@vladmandic/human, MIT): BlazeFace finds the faces, FaceMesh
 * places 468 landmarks on each, and the iris model re-fits the eye contours, all in TF.js. The worker is
 * created the first time a face question is asked (faceClient.ts), so Human (≈ 2 MB of JS with its own
 * TF.js) and its three models (≈ 5 MB) load only then.
 *
 * Human's bundled build (dist/human.esm.js) is used, not the "nobundle" one that would share the app's
 * @tensorflow/tfjs-core: the app's TF.js lives in the taste worker, a separate worker with a separate TF.js
 * instance anyway, so sharing would save no memory, and the bundle pins the exact TF.js build Human was
 * tested with (4.22.0, the same version as the app's, so the same .wasm files serve both).
 *
 * Every file comes from the app's own origin (build/humanAssets.ts): the model path and the wasm path are
 * set explicitly, because Human's defaults point at a CDN.
 */
import { Human, type Config } from '@vladmandic/human';
import type * as TF from '@tensorflow/tfjs-core';
import { adapterFacts } from './adapterFacts';
import { chooseFaceBackend } from './faceBackend';
import { bitmapOf, type DetectedFaces, type FaceApi, type FaceEngineOptions, type FaceEngineReady, type FaceImage, type FaceTimings } from './faceProtocol';
import { Cancelled, serve, type CallContext } from './rpc';
import { DETECTOR_FLOOR, measureFaces, workingSize, type HumanFaceLike } from '../scoring/faces/measure';

/** Human's configuration for still photos: faces only, no frame-to-frame caching, no CDN. */
function humanConfig(backend: 'wasm' | 'webgpu', assetsUrl: string): Partial<Config> {
  return {
    backend,
    modelBasePath: new URL('models/', assetsUrl).href,
    wasmPath: new URL('wasm/', assetsUrl).href,
    // The service worker precaches the model files (build/precacheManifest.ts); a second copy in IndexedDB
    // (Human's default) would only cost space, and it is keyed by model name, not version.
    cacheModels: false,
    debug: false,
    warmup: 'none',
    // Photos are unrelated: never reuse the previous image's boxes or results (a video feature).
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    gesture: { enabled: false },
    face: {
      enabled: true,
      detector: {
        modelPath: 'blazeface.json',
        // Rotate each face upright before the mesh: on the labelled photos this removed the one false
        // "closed" (hair over an eye), a false face in clouds, and steadied tilted heads (docs/faces.md).
        rotation: true,
        maxDetected: 64,
        minConfidence: DETECTOR_FLOOR,
        iouThreshold: 0.1,
        skipFrames: 0,
        skipTime: 0,
        return: false,
      },
      mesh: { enabled: true, modelPath: 'facemesh.json', keepInvalid: false },
      iris: { enabled: true, modelPath: 'iris.json' },
      attention: { enabled: false },
      emotion: { enabled: false },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    segmentation: { enabled: false },
  };
}

let human: Human | null = null;
let tf: typeof TF | null = null;
let engine: Promise<FaceEngineReady> | null = null;

async function start(req: FaceEngineOptions): Promise<FaceEngineReady> {
  const t0 = performance.now();
  const choice = chooseFaceBackend(req.preference, await adapterFacts());
  const h = new Human(humanConfig(choice.backend, req.assetsUrl));
  const t = h.tf as typeof TF;
  // TF.js's threaded WASM build starts its pthreads from a blob: script, which the app's CSP (worker-src
  // 'self') refuses; the single-threaded SIMD build is used instead.
  t.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await h.init();
  if (h.tf.getBackend() !== choice.backend) throw new Error(`Human could not start TF.js's ${choice.backend} backend`);
  await h.load();
  // Human logs a failed model load and carries on; the app would then see no faces at all.
  const failed = h.models.stats().modelStats.filter((m) => !m.loaded).map((m) => m.name);
  if (failed.length > 0) throw new Error(`Human could not load ${failed.join(', ')} from ${new URL('models/', req.assetsUrl).href}`);
  human = h;
  tf = t;
  return {
    backend: choice.backend,
    reason: choice.reason,
    human: h.version,
    tfjs: t.version_core,
    loadMs: performance.now() - t0,
  };
}

async function init(options: FaceEngineOptions): Promise<FaceEngineReady> {
  engine ??= start(options);
  const starting = engine;
  try {
    return await starting;
  } catch (err) {
    // A later init may try again (e.g. after the files arrived).
    if (engine === starting) engine = null;
    throw err;
  }
}

async function readPixels(image: FaceImage): Promise<{ rgba: Uint8ClampedArray; width: number; height: number; source: { width: number; height: number }; decodeMs: number; readMs: number }> {
  const t0 = performance.now();
  const bitmap = image instanceof Blob ? await createImageBitmap(image, { imageOrientation: 'from-image' }) : (bitmapOf(image) as ImageBitmap);
  const source = image instanceof Blob || !('source' in image) ? { width: bitmap.width, height: bitmap.height } : image.source;
  const t1 = performance.now();
  try {
    const size = workingSize(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(size.width, size.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas in the face worker');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, size.width, size.height);
    const data = ctx.getImageData(0, 0, size.width, size.height).data;
    return { rgba: data, width: size.width, height: size.height, source, decodeMs: t1 - t0, readMs: performance.now() - t1 };
  } finally {
    bitmap.close();
  }
}

async function startedEngine(): Promise<{ h: Human; t: typeof TF }> {
  if (!engine) throw new Error('the face engine is not started (send init first)');
  await engine;
  if (!human || !tf) throw new Error('the face engine did not start');
  return { h: human, t: tf };
}

async function detect(image: FaceImage, call: CallContext): Promise<DetectedFaces> {
  const { h, t } = await startedEngine().catch((err: unknown) => {
    // The bitmap was transferred here: this worker owns it now.
    bitmapOf(image)?.close();
    throw err;
  });
  const px = await readPixels(image);
  // Cancelled while the file was read: Human's run, the long part, is skipped.
  if (call.signal.aborted) throw new Cancelled();
  const t0 = performance.now();
  // [H, W, 3] float32 RGB 0..255, the range Human's models expect from a tensor input.
  const rgb = new Float32Array(px.width * px.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = px.rgba[i];
    rgb[j + 1] = px.rgba[i + 1];
    rgb[j + 2] = px.rgba[i + 2];
  }
  const input = t.tensor3d(rgb, [px.height, px.width, 3], 'float32');
  let faces: HumanFaceLike[];
  try {
    const result = await h.detect(input);
    if (result.error) throw new Error(`Human: ${result.error}`);
    faces = result.face as unknown as HumanFaceLike[];
  } finally {
    t.dispose(input);
  }
  const t1 = performance.now();
  const measured = measureFaces(faces, px.rgba, px.width, px.height, px.source);
  const timings: FaceTimings = { decodeMs: px.decodeMs, readMs: px.readMs, detectMs: t1 - t0, measureMs: performance.now() - t1 };
  return { measured, timings };
}

// One at a time, in order: Human is not re-entrant. A call cancelled while it waits is skipped.
serve<FaceApi>({ init, detect }, { serial: true });
