/**
 * The page's handle on the one long-lived inference worker (inference.worker.ts). The worker starts on the
 * first call (init, in practice). Cancelled calls reject with `Cancelled`; the worker and its model stay.
 */
import type { BackendPreference } from './backend';
import type { FittedPhrase } from './fitPhrase';
import type { EngineOptions, EngineReady, ImageEmbeddings, InferenceApi, InferenceEvents, ModelLoadProgress, TextEmbeddings } from './protocol';
import { connect, type Connection, type Remote, type WorkerLike } from './rpc';

function spawnInferenceWorker(): Worker {
  return new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'loupe-inference' });
}

export class InferenceClient {
  private readonly connection: Connection<InferenceApi, InferenceEvents>;
  /** The engine changed under a running analysis (WebGPU lost → WASM, smaller batches after out-of-memory). */
  onEngineChanged: ((engine: EngineReady, notice: string) => void) | null = null;

  constructor(spawn: () => WorkerLike = spawnInferenceWorker) {
    this.connection = connect<InferenceApi, InferenceEvents>(spawn, { name: 'inference' });
    this.connection.on('engineChanged', ({ engine, notice }) => this.onEngineChanged?.(engine, notice));
  }

  /** Every InferenceApi method as the worker defines it: a method added there is callable here unchanged. */
  get remote(): Remote<InferenceApi> {
    return this.connection.remote;
  }

  init(
    options: EngineOptions,
    hooks: { onProgress?: (p: ModelLoadProgress) => void; onStatus?: (m: string) => void; signal?: AbortSignal } = {},
  ): Promise<EngineReady> {
    return this.remote.init(options, {
      signal: hooks.signal,
      onProgress: (p) => (p.kind === 'file' ? hooks.onProgress?.(p.progress) : hooks.onStatus?.(p.message)),
    });
  }

  /** `pixels` (one batch buffer, or one buffer per image) is transferred: the caller must not use it afterwards. */
  embedImages(pixels: Float32Array | Float32Array[], count: number, signal?: AbortSignal): Promise<ImageEmbeddings> {
    const buffers = new Set((Array.isArray(pixels) ? pixels : [pixels]).map((p) => p.buffer as ArrayBuffer));
    return this.remote.embedImages({ pixels, count }, { signal, transfer: [...buffers] });
  }

  embedTexts(texts: string[], signal?: AbortSignal): Promise<TextEmbeddings> {
    return this.remote.embedTexts(texts, { signal });
  }

  fitPhrase(text: string, templates: readonly string[]): Promise<FittedPhrase> {
    return this.remote.fitPhrase({ text, templates });
  }

  /** `imageEmbeds` is transferred. `head`: null for the model's tag head, else a user head's key. */
  scoreTagHead(head: string | null, imageEmbeds: Float32Array, count: number, tagEmbedding: Float32Array, signal?: AbortSignal): Promise<Float32Array> {
    return this.remote.scoreTagHead({ head, imageEmbeds, count, tagEmbedding }, { signal, transfer: [imageEmbeds.buffer] });
  }

  /** Loads a user-trained head (ONNX bytes, copied) under `key`, or drops it (null). */
  setUserHead(key: string, onnx: Uint8Array | null): Promise<void> {
    return this.remote.setUserHead({ key, onnx });
  }

  /** Test hook: destroys the worker's WebGPU device. */
  loseGpuDevice(): Promise<void> {
    return this.remote.loseGpuDevice();
  }

  /** Stops the worker (and its model); pending calls reject. */
  terminate(): void {
    this.connection.terminate();
  }
}

export type { BackendPreference };
