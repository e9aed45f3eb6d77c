/// <reference lib="webworker" />
import * as ort from 'onnxruntime-web';
import jsepWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import jsepMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import { adapterFacts } from './adapterFacts';
import { runWithBatchBackoff } from './batchBackoff';
import { chooseBackend, type BackendChoice } from './backend';
import { embedImageBatch, embedTextBatch, joinImages, PIXELS_PER_IMAGE, type TensorCtor } from './encoders';
import { fitPhrase as fitPhraseWith, type FittedPhrase } from './fitPhrase';
import { chooseDtypeFile, loadCatalogue, loadModelFile, resolveManifest } from './modelSources';
import { createCacheStorageModelCache } from './modelCache';
import type { ModelManifest } from './manifest';
import type { EngineLoadProgress, EngineOptions, EngineReady, ImageEmbeddings, InferenceApi, InferenceEvents, TagHeadInput, TextEmbeddings } from './protocol';
import { serve, withTransfer, type CallContext } from './rpc';
import { createClipTokenizer, type ClipTokenizer } from './tokenizer';
import { createLinearAestheticHead } from '../scoring/aestheticHead';
import { parsePthLinear } from '../scoring/pthLinear';
import { runTagHead } from '../scoring/tagHead';

declare const self: DedicatedWorkerGlobalScope;

// ORT's loader and wasm come from this app's own origin, never from a CDN.
ort.env.wasm.wasmPaths = { wasm: new URL(jsepWasmUrl, self.location.href).href, mjs: new URL(jsepMjsUrl, self.location.href).href };

const Tensor = ort.Tensor as unknown as TensorCtor;

interface Engine {
  manifest: ModelManifest;
  choice: BackendChoice;
  vision: ort.InferenceSession;
  text: ort.InferenceSession | null;
  tokenizer: ClipTokenizer | null;
  head: ReturnType<typeof createLinearAestheticHead> | null;
  tagHead: ort.InferenceSession | null;
  ctx: Parameters<typeof loadModelFile>[2];
  ready: EngineReady;
  /** Largest image batch that fitted after an out-of-memory; null until one happens. */
  batchLimit: number | null;
  /** Settles with the reason when the WebGPU device is lost (never on WASM). */
  gpuLost: Promise<string>;
}

/** The batch was on a WebGPU device that is gone: the work is redone on WASM. */
class GpuLostError extends Error {}

let engine: Engine | null = null;
/** Heads the user trained (taste heads), by the key the app gave them; they live as long as the engine. */
const userHeads = new Map<string, ort.InferenceSession>();

async function createSession(bytes: Uint8Array, choice: BackendChoice): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: [choice.backend],
    graphOptimizationLevel: 'all',
  });
}

async function init(req: EngineOptions, call: CallContext<EngineLoadProgress>): Promise<EngineReady> {
  const status = (message: string) => call.progress({ kind: 'status', message });
  status('Reading the model catalogue…');
  const catalogue = await loadCatalogue(req.baseUrl);
  const manifest = await resolveManifest(catalogue, req.modelId ?? catalogue.default, req.baseUrl);

  const adapter = await adapterFacts();
  let choice = chooseBackend(req.preference, adapter, {
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency || 1,
  });
  if (req.wasmThreads) {
    choice.wasmThreads = req.wasmThreads;
    choice.reason = choice.reason.replace(/\d+ threads?( \(page is not cross-origin isolated\))?/, `${req.wasmThreads} thread(s), set by request`);
  }
  ort.env.wasm.numThreads = choice.wasmThreads;

  const ctx: Engine['ctx'] = {
    baseUrl: req.baseUrl,
    cache: createCacheStorageModelCache(),
    pickedFiles: req.pickedFiles,
    allowRemote: req.allowRemote,
    onProgress: (p) => call.progress({ kind: 'file', progress: { file: p.file, source: p.source, loaded: p.loaded, total: p.total ?? 0 } }),
  };

  const { dtype, file } = chooseDtypeFile(manifest, 'vision', choice.dtypes);
  status(`Loading the image encoder (${dtype})…`);
  const visionBytes = (await loadModelFile(manifest, file, ctx)).bytes;
  const sessionStart = performance.now();
  let vision: ort.InferenceSession;
  try {
    vision = await createSession(visionBytes, choice);
  } catch (err) {
    if (choice.backend !== 'webgpu') throw err;
    // A WebGPU session can fail on drivers without needed features; WASM always works.
    choice = chooseBackend('wasm', null, { crossOriginIsolated: self.crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency || 1 });
    choice.reason = `WebGPU session failed (${String(err)}); fell back to ${choice.reason}`;
    vision = await createSession(visionBytes, choice);
  }
  const sessionMs = performance.now() - sessionStart;

  let head: Engine['head'] = null;
  if (manifest.aestheticHead) {
    status('Loading the aesthetic head…');
    const headBytes = (await loadModelFile(manifest, manifest.aestheticHead, ctx)).bytes;
    head = createLinearAestheticHead(parsePthLinear(headBytes));
  }

  let tagHead: ort.InferenceSession | null = null;
  const tagHeadFile = manifest.heads?.[0] ?? null;
  if (tagHeadFile) {
    status('Loading the tag head…');
    const bytes = (await loadModelFile(manifest, tagHeadFile, ctx)).bytes;
    // The head is tiny: WASM avoids a GPU round trip per re-rank.
    tagHead = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  }

  // The first run compiles shaders / allocates arenas: do it now, not on the user's first photo.
  status('Warming up…');
  const warmStart = performance.now();
  await embedImageBatch(vision, Tensor, new Float32Array(PIXELS_PER_IMAGE * req.batchSize), req.batchSize);
  const warmupMs = performance.now() - warmStart;

  const ready: EngineReady = {
    backend: choice.backend,
    dtype,
    reason: choice.reason,
    modelId: manifest.id,
    embedDim: manifest.embedDim,
    synthetic: manifest.synthetic,
    hasAestheticHead: head !== null,
    headScale: manifest.aestheticHead?.scale ?? null,
    warmupMs,
    sessionMs,
    tagHead: tagHeadFile ? { id: tagHeadFile.id, scale: tagHeadFile.scale, trainedOn: tagHeadFile.trainedOn } : null,
    batchLimit: null,
  };
  engine = { manifest, choice, vision, text: null, tokenizer: null, head, tagHead, ctx, ready, batchLimit: null, gpuLost: watchGpuDevice(choice) };
  await dropUserHeads();
  return ready;
}

function watchGpuDevice(choice: BackendChoice): Promise<string> {
  if (choice.backend !== 'webgpu') return new Promise(() => undefined);
  // After the first WebGPU session, ORT hands out the device it created (typed as a promise, in 1.30 the device itself).
  return Promise.resolve(ort.env.webgpu.device).then((device) => device.lost).then((info) => info.message || `device ${info.reason ?? 'lost'}`);
}

/** Runs `work` on the current sessions; if the WebGPU device is lost before or during it, moves to WASM and runs it again. */
async function withGpuRecovery<T>(work: (e: Engine) => Promise<T>): Promise<T> {
  if (!engine) throw new Error('the engine is not ready');
  const e = engine;
  if (e.choice.backend !== 'webgpu') return work(e);
  const lost = e.gpuLost.then((why) => Promise.reject(new GpuLostError(why)));
  try {
    return await Promise.race([work(e), lost]);
  } catch (err) {
    // Work on a destroyed device may fail with a validation error before `lost` settles: give it a moment.
    const why = err instanceof GpuLostError ? err.message : await Promise.race([e.gpuLost, new Promise<null>((r) => setTimeout(() => r(null), 250))]);
    if (why === null) throw err;
    await switchToWasm(e, why);
    return work(e);
  }
}

async function switchToWasm(e: Engine, why: string): Promise<void> {
  const choice = chooseBackend('wasm', null, { crossOriginIsolated: self.crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency || 1 });
  why = why.replace(/\.$/, '');
  choice.reason = `WebGPU device lost (${why}); now on ${choice.reason.replace(/^WASM chosen \(setting or URL\); /, '')}`;
  const { dtype, file } = chooseDtypeFile(e.manifest, 'vision', choice.dtypes);
  const bytes = (await loadModelFile(e.manifest, file, e.ctx)).bytes;
  const vision = await createSession(bytes, choice);
  // Sessions on a dead device may never settle: let them go without waiting.
  for (const old of [e.vision, e.text]) void old?.release().catch(() => undefined);
  Object.assign(e, { vision, text: null, choice, gpuLost: new Promise<string>(() => undefined) });
  e.ready = { ...e.ready, backend: 'wasm', dtype, reason: choice.reason };
  page.emit('engineChanged', { engine: e.ready, notice: `WebGPU stopped working (${why}). Loupe moved to WebAssembly and goes on from where it was.` });
}

async function embedImages(req: { pixels: Float32Array | Float32Array[]; count: number }): Promise<ImageEmbeddings> {
  if (!engine) throw new Error('the engine is not ready');
  const t0 = performance.now();
  const pixels = joinImages(req.pixels);
  const embeddings = await withGpuRecovery(async (e) => {
    const { output, limit } = await runWithBatchBackoff(
      req.count,
      e.manifest.embedDim,
      e.batchLimit,
      (offset, count) => embedImageBatch(e.vision, Tensor, pixels.subarray(offset * PIXELS_PER_IMAGE, (offset + count) * PIXELS_PER_IMAGE), count),
      (next) => {
        e.ready = { ...e.ready, batchLimit: next };
        page.emit('engineChanged', { engine: e.ready, notice: `Out of memory on a batch of ${req.count}: going on in batches of ${next}.` });
      },
    );
    e.batchLimit = limit ?? e.batchLimit;
    return output;
  });
  if (!engine) throw new Error('the engine is not ready');
  const scores = engine.head ? engine.head.scoreBatch(embeddings, req.count) : null;
  const transfer: Transferable[] = [embeddings.buffer];
  if (scores) transfer.push(scores.buffer);
  return withTransfer({ count: req.count, embeddings, scores, runMs: performance.now() - t0 }, transfer);
}

/** The model's tokenizer, read on first use: images alone never need it. */
async function tokenizerOf(e: Engine): Promise<ClipTokenizer> {
  if (!e.tokenizer) {
    const tokFile = await loadModelFile(e.manifest, e.manifest.tokenizer, e.ctx);
    e.tokenizer = createClipTokenizer(JSON.parse(new TextDecoder().decode(tokFile.bytes)), { contextLength: e.manifest.contextLength });
  }
  return e.tokenizer;
}

async function embedTexts(texts: string[]): Promise<TextEmbeddings> {
  const embeddings = await withGpuRecovery(async (e) => {
    const tokenizer = await tokenizerOf(e);
    if (!e.text) {
      const { file } = chooseDtypeFile(e.manifest, 'text', e.choice.dtypes);
      const bytes = (await loadModelFile(e.manifest, file, e.ctx)).bytes;
      e.text = await createSession(bytes, e.choice);
    }
    const batch = tokenizer.encodeBatch(texts);
    return embedTextBatch(e.text, Tensor, batch.ids, batch.attentionMask ?? null, batch.batch, batch.length);
  });
  return withTransfer({ count: texts.length, embeddings }, [embeddings.buffer]);
}

async function fitPhrase(req: { text: string; templates: readonly string[] }): Promise<FittedPhrase> {
  if (!engine) throw new Error('the engine is not ready');
  return fitPhraseWith(await tokenizerOf(engine), req.text, req.templates);
}

async function scoreTagHead(req: TagHeadInput): Promise<Float32Array> {
  const session = req.head === null ? engine?.tagHead : userHeads.get(req.head);
  if (!session) throw new Error(req.head === null ? 'this model has no tag head' : `no head "${req.head}" is loaded`);
  const scores = await runTagHead(session, ort.Tensor as unknown as Parameters<typeof runTagHead>[1], req.imageEmbeds, req.count, req.tagEmbedding);
  return withTransfer(scores, [scores.buffer]);
}

async function dropUserHeads(): Promise<void> {
  const sessions = [...userHeads.values()];
  userHeads.clear();
  await Promise.all(sessions.map((s) => s.release()));
}

async function setUserHead(req: { key: string; onnx: Uint8Array | null }): Promise<void> {
  await userHeads.get(req.key)?.release();
  userHeads.delete(req.key);
  // Tiny, like the model's tag head: WASM.
  if (req.onnx) userHeads.set(req.key, await ort.InferenceSession.create(req.onnx, { executionProviders: ['wasm'] }));
}

/** Test hook: destroys the WebGPU device as a driver reset would, to prove the move to WASM. */
async function loseGpuDevice(): Promise<void> {
  if (engine?.choice.backend !== 'webgpu') throw new Error('the engine is not on WebGPU');
  (await Promise.resolve(ort.env.webgpu.device)).destroy();
}

// After a device loss ORT's own pending GPU reads reject with no one awaiting them; the loss is handled
// (withGpuRecovery), so these are noise, not errors.
self.addEventListener('unhandledrejection', (event) => {
  const message = event.reason instanceof Error ? event.reason.message : String(event.reason);
  if (/device (was|is) lost|lost before/i.test(message)) event.preventDefault();
});

const api: InferenceApi = { init, embedImages, embedTexts, fitPhrase, scoreTagHead, setUserHead, loseGpuDevice };

// One at a time, in order: one ORT session cannot run two batches at once.
const page = serve<InferenceApi, InferenceEvents>(api, { serial: true });
