/**
 * The page's handle on the face worker. Nothing loads until the first question: the worker, Human and its
 * models start on the first `detect` (or `ready`) call, and stay for the next ones.
 *
 *   const faces = faceClient();
 *   const { people } = await faces.detect(file, signal);
 *
 * The file goes to the worker as it is, which reads and decodes it: nothing is read on the page. `people`
 * is the verdict (faceJudgement.ts) on `measured`, the raw figures; store `measured` if anything, and judge
 * it again with `judgePeople` when thresholds change.
 */
import type { BackendPreference } from './backend';
import { bitmapOf, type FaceApi, type FaceEngineReady, type FaceImage, type FaceTimings } from './faceProtocol';
import { abortable, Cancelled, connect, type Connection, type WorkerLike } from './rpc';
import { judgePeople, type PeopleInPicture } from '../scoring/faces/faceJudgement';
import type { MeasuredFaces } from '../scoring/faces/measure';

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
  createWorker?: () => WorkerLike;
}

/** `<BASE_URL>human/` as an absolute URL on this page's (or worker's) origin. */
export function defaultFaceAssetsUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}human/`, globalThis.location.href).href;
}

function spawnFaceWorker(): Worker {
  return new Worker(new URL('./face.worker.ts', import.meta.url), { type: 'module', name: 'loupe-faces' });
}

/** A bitmap is the caller's to close until it is sent (then it is transferred to the worker). */
function release(image: FaceImage): void {
  bitmapOf(image)?.close();
}

export class FaceClient {
  private readonly connection: Connection<FaceApi, Record<never, never>>;
  private starting: Promise<FaceEngineReady> | null = null;
  private readonly options: FaceClientOptions;

  constructor(options: FaceClientOptions = {}) {
    this.options = options;
    this.connection = connect<FaceApi>(options.createWorker ?? spawnFaceWorker, { name: 'face' });
  }

  /** Starts the worker and Human (once); resolves when the models are loaded. An abort stops the wait, not the start. */
  ready(signal?: AbortSignal): Promise<FaceEngineReady> {
    if (signal?.aborted) return Promise.reject(new Cancelled());
    // A worker that crashed took Human with it: the fresh one is started again.
    if (!this.starting || !this.connection.running) {
      const starting = this.connection.remote.init({ preference: this.options.preference ?? 'auto', assetsUrl: this.options.assetsUrl ?? defaultFaceAssetsUrl() });
      // A failed start (or a crash) is not remembered: the next call tries again.
      starting.catch(() => {
        if (this.starting === starting) this.starting = null;
      });
      this.starting = starting;
    }
    return abortable(this.starting, signal);
  }

  /**
   * Faces in one photo: a Blob (sent as it is) or a bitmap (transferred). Calls run one at a time in the
   * worker, in call order; aborting one rejects it at once with Cancelled and the worker skips it (or drops
   * its answer if it was already running).
   */
  async detect(image: FaceImage, signal?: AbortSignal): Promise<FaceAnalysis> {
    try {
      await this.ready(signal);
    } catch (err) {
      release(image);
      throw err;
    }
    if (signal?.aborted) {
      release(image);
      throw new Cancelled();
    }
    const bitmap = bitmapOf(image);
    const transfer = bitmap ? [bitmap] : [];
    const { measured, timings } = await this.connection.remote.detect(image, { signal, transfer });
    return { measured, people: judgePeople(measured), timings };
  }

  /** Stops the worker; pending calls reject. The next call starts a fresh one. */
  terminate(): void {
    this.starting = null;
    this.connection.terminate();
  }
}

let shared: FaceClient | null = null;

/** The app's one face client, created on first use (the worker itself starts on the first request). */
export function faceClient(): FaceClient {
  shared ??= new FaceClient();
  return shared;
}
