/**
 * The page's handle on the face worker. Nothing loads until the first question: the worker, Human and its
 * models start on the first `detect` (or `ready`) call, and stay for the next ones.
 *
 *   const faces = faceClient();
 *   const { people } = await faces.detect(await faceImageFromBlob(file), signal);
 *
 * `people` is the verdict (faceJudgement.ts) on `measured`, the raw figures; store `measured` if anything,
 * and judge it again with `judgePeople` when thresholds change.
 */
import type { BackendPreference } from './backend';
import type { FaceEngineReady, FaceImage, FaceRequest, FaceResponse, FaceTimings } from './faceProtocol';
import { judgePeople, type PeopleInPicture } from '../scoring/faces/faceJudgement';
import type { MeasuredFaces } from '../scoring/faces/measure';

export class FaceCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}

export class FaceEngineError extends Error {}

export interface FaceAnalysis {
  /** The raw measurements (pixels of the analysed image). */
  measured: MeasuredFaces;
  /** The verdicts: faces kept, eyes, focus, frame edges, people score. */
  people: PeopleInPicture;
  timings: FaceTimings;
}

export interface FaceClientOptions {
  /** 'auto' (default): WebGPU on a real GPU adapter, else WASM. */
  preference?: BackendPreference;
  /** Where build/humanAssets.ts serves `models/` and `wasm/`; defaults to `<base>human/` on this origin. */
  assetsUrl?: string;
  /** Test seam: the worker to talk to. */
  createWorker?: () => Worker;
}

/** `<BASE_URL>human/` as an absolute URL on this page's (or worker's) origin. */
export function defaultFaceAssetsUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}human/`, globalThis.location.href).href;
}

/** A file or blob as a FaceImage (its bytes are read here and transferred to the worker). */
export async function faceImageFromBlob(blob: Blob): Promise<FaceImage> {
  return { kind: 'bytes', bytes: await blob.arrayBuffer(), mimeType: blob.type };
}

type Pending = { resolve: (r: FaceResponse) => void; reject: (e: Error) => void };

export class FaceClient {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private starting: Promise<FaceEngineReady> | null = null;
  private readonly options: FaceClientOptions;

  constructor(options: FaceClientOptions = {}) {
    this.options = options;
  }

  /** Starts the worker and Human (once); resolves when the models are loaded. */
  ready(signal?: AbortSignal): Promise<FaceEngineReady> {
    if (!this.starting) {
      const starting = this.request({ type: 'init', preference: this.options.preference ?? 'auto', assetsUrl: this.options.assetsUrl ?? defaultFaceAssetsUrl() }, []).then((r) => {
        if (r.type !== 'ready') throw new FaceEngineError(`unexpected answer ${r.type}`);
        return r.engine;
      });
      // A failed start is not remembered: the next call tries again.
      starting.catch(() => {
        if (this.starting === starting) this.starting = null;
      });
      this.starting = starting;
    }
    const started = this.starting;
    if (!signal) return started;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new FaceCancelled());
      signal.addEventListener('abort', () => reject(new FaceCancelled()), { once: true });
      started.then(resolve, reject);
    });
  }

  /**
   * Faces in one photo. The image (bitmap or bytes) is transferred. Requests run one at a time in the
   * worker, in call order; aborting one rejects it at once with FaceCancelled and the worker skips it (or
   * drops its answer if it was already running).
   */
  async detect(image: FaceImage, signal?: AbortSignal): Promise<FaceAnalysis> {
    if (signal?.aborted) {
      if (image.kind === 'bitmap') image.bitmap.close();
      throw new FaceCancelled();
    }
    try {
      await this.ready(signal);
    } catch (err) {
      if (image.kind === 'bitmap') image.bitmap.close();
      throw err;
    }
    const transfer: Transferable[] = image.kind === 'bitmap' ? [image.bitmap] : [image.bytes];
    const r = await this.request({ type: 'detect', image }, transfer, signal);
    if (r.type !== 'faces') throw new FaceEngineError(`unexpected answer ${r.type}`);
    return { measured: r.measured, people: judgePeople(r.measured), timings: r.timings };
  }

  /** Stops the worker; pending calls reject. The next call starts a fresh one. */
  terminate(): void {
    this.worker?.terminate();
    this.worker = null;
    this.starting = null;
    for (const p of this.pending.values()) p.reject(new FaceEngineError('the face worker was stopped'));
    this.pending.clear();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = this.options.createWorker?.() ?? new Worker(new URL('./face.worker.ts', import.meta.url), { type: 'module', name: 'loupe-faces' });
    worker.onmessage = (e: MessageEvent<FaceResponse>) => {
      const r = e.data;
      const p = this.pending.get(r.id);
      if (!p) return; // aborted meanwhile
      this.pending.delete(r.id);
      if (r.type === 'error') p.reject(r.cancelled ? new FaceCancelled() : new FaceEngineError(r.message));
      else p.resolve(r);
    };
    worker.onerror = (e) => {
      const error = new FaceEngineError(`the face worker crashed: ${e.message}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      worker.terminate();
      if (this.worker === worker) {
        this.worker = null;
        this.starting = null;
      }
    };
    this.worker = worker;
    return worker;
  }

  private request(message: DistributiveOmit<FaceRequest, 'id'>, transfer: Transferable[], signal?: AbortSignal): Promise<FaceResponse> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new FaceCancelled());
      this.pending.set(id, { resolve, reject });
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.delete(id)) return;
          worker.postMessage({ type: 'abort', id } satisfies FaceRequest);
          reject(new FaceCancelled());
        },
        { once: true },
      );
      worker.postMessage({ ...message, id } as FaceRequest, transfer);
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

let shared: FaceClient | null = null;

/** The app's one face client, created on first use (the worker itself starts on the first request). */
export function faceClient(): FaceClient {
  shared ??= new FaceClient();
  return shared;
}
