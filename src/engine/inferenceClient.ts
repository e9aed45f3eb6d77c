import type { BackendPreference } from './backend';
import type { EngineReady, InferenceRequest, InferenceResponse, ModelLoadProgress } from './protocol';

type Pending = {
  resolve: (r: InferenceResponse) => void;
  reject: (e: Error) => void;
  onEvent?: (r: InferenceResponse) => void;
};

export class EngineError extends Error {}

type Payload<T extends InferenceRequest['type']> = Omit<Extract<InferenceRequest, { type: T }>, 'id' | 'type'>;
// Omit over a union must distribute, or the union's members collapse into their common keys.
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Main-thread handle on the one long-lived inference worker. */
export class InferenceClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The engine changed under a running analysis (WebGPU lost → WASM, smaller batches after out-of-memory). */
  onEngineChanged: ((engine: EngineReady, notice: string) => void) | null = null;

  constructor(worker: Worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'loupe-inference' })) {
    this.worker = worker;
    this.worker.onmessage = (e: MessageEvent<InferenceResponse>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new EngineError(`inference worker crashed: ${e.message}`));
      this.pending.clear();
    };
  }

  init(
    options: Payload<'init'>,
    hooks: { onProgress?: (p: ModelLoadProgress) => void; onStatus?: (m: string) => void; signal?: AbortSignal } = {},
  ): Promise<EngineReady> {
    return this.request({ type: 'init', ...options }, [], hooks.signal, (r) => {
      if (r.type === 'loadProgress') hooks.onProgress?.(r.progress);
      if (r.type === 'status') hooks.onStatus?.(r.message);
    }).then((r) => {
      if (r.type !== 'ready') throw new EngineError(`unexpected answer ${r.type}`);
      return r.engine;
    });
  }

  /** `pixels` is transferred: the caller must not use it afterwards. */
  embedImages(pixels: Float32Array, count: number, signal?: AbortSignal) {
    return this.request({ type: 'embedImages', pixels, count }, [pixels.buffer], signal).then((r) => {
      if (r.type !== 'imageEmbeddings') throw new EngineError(`unexpected answer ${r.type}`);
      return r;
    });
  }

  embedTexts(texts: string[], signal?: AbortSignal) {
    return this.request({ type: 'embedTexts', texts }, [], signal).then((r) => {
      if (r.type !== 'textEmbeddings') throw new EngineError(`unexpected answer ${r.type}`);
      return r;
    });
  }

  /** `imageEmbeds` is transferred. `head`: null for the model's tag head, else a user head's key. */
  scoreTagHead(head: string | null, imageEmbeds: Float32Array, count: number, tagEmbedding: Float32Array, signal?: AbortSignal) {
    return this.request({ type: 'scoreTagHead', head, imageEmbeds, count, tagEmbedding }, [imageEmbeds.buffer], signal).then((r) => {
      if (r.type !== 'tagHeadScores') throw new EngineError(`unexpected answer ${r.type}`);
      return r.scores;
    });
  }

  /** Loads a user-trained head (ONNX bytes, copied) under `key`, or drops it (null). */
  setUserHead(key: string, onnx: Uint8Array | null) {
    return this.request({ type: 'setUserHead', key, onnx }, []).then((r) => {
      if (r.type !== 'done') throw new EngineError(`unexpected answer ${r.type}`);
    });
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new EngineError('the inference worker was stopped'));
    this.pending.clear();
  }

  private request(
    body: WithoutId<InferenceRequest>,
    transfer: Transferable[],
    signal?: AbortSignal,
    onEvent?: (r: InferenceResponse) => void,
  ): Promise<InferenceResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new EngineError('aborted'));
      this.pending.set(id, { resolve, reject, onEvent });
      signal?.addEventListener('abort', () => {
        this.worker.postMessage({ type: 'abort', id } satisfies InferenceRequest);
        this.pending.delete(id);
        reject(new EngineError('aborted'));
      });
      this.worker.postMessage({ ...body, id } as InferenceRequest, transfer);
    });
  }

  /** Test hook: destroys the worker's WebGPU device. */
  loseGpuDevice() {
    return this.request({ type: 'loseGpuDevice' }, []).then(() => undefined);
  }

  private receive(r: InferenceResponse): void {
    if (r.type === 'engineChanged') return this.onEngineChanged?.(r.engine, r.notice);
    const p = this.pending.get(r.id);
    if (!p) return;
    if (r.type === 'loadProgress' || r.type === 'status') return p.onEvent?.(r);
    this.pending.delete(r.id);
    if (r.type === 'error') p.reject(new EngineError(r.message));
    else p.resolve(r);
  }
}

export type { BackendPreference };
