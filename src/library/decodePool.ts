/**
 * A fixed pool of decode workers (decode.worker.ts) fed from one queue, one job per worker at a time. Each
 * worker starts with its first job. A worker that crashes fails only the job it had (with the reason on the
 * tile) and is replaced by a fresh one for the next job.
 */
import { Cancelled, connect, WorkerCrashed, type Connection, type WorkerLike } from '../engine/rpc';
import type { DecodeApi, DecodeOutcome, DecodeRequest, FaceImageOutcome, FaceImageRequest, FirstLooksOutcome, FirstLooksRequest, HashOutcome, UnreadableFile } from './decodeApi';

export type { DecodeOutcome, HashOutcome };

type DecodeWorker = Connection<DecodeApi, Record<never, never>>;

type Outcome = DecodeOutcome | HashOutcome | FaceImageOutcome | FirstLooksOutcome;

/**
 * Which waiting job a free worker takes first: the grid's first looks (a small read each), then identifying
 * files (a hash of every byte), then decodes for the analysis: Photo Mechanic's order, so a photographer sees
 * the card before anything is scored.
 */
const PRIORITY = { look: 0, identify: 1, decode: 2 } as const;
type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

interface Job {
  run(worker: DecodeWorker): Promise<Outcome>;
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
  priority: Priority;
  /** Removes the job's abort listener: once it runs, or when the pool closes. */
  detach(): void;
}

export class DecodePool {
  private readonly workers: DecodeWorker[];
  private readonly idle: DecodeWorker[];
  private readonly queue: Job[] = [];

  constructor(size: number, spawn: () => WorkerLike = spawnDecodeWorker) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => connect<DecodeApi>(spawn, { name: 'decode' }));
    this.idle = [...this.workers];
  }

  get size(): number {
    return this.workers.length;
  }

  /** An abort drops the job while it waits; a decode already running finishes (it is short). */
  decode(request: DecodeRequest, signal?: AbortSignal): Promise<DecodeOutcome> {
    return this.enqueue((w) => w.remote.decode(request), signal, PRIORITY.decode) as Promise<DecodeOutcome>;
  }

  /** The photo upright at the people checks' size (its bitmap is the caller's to close or transfer). */
  faceImage(request: FaceImageRequest, signal?: AbortSignal): Promise<FaceImageOutcome | UnreadableFile> {
    return this.enqueue((w) => w.remote.faceImage(request), signal, PRIORITY.decode) as Promise<FaceImageOutcome | UnreadableFile>;
  }

  /** First-look thumbnails of a few files, ahead of every other job. */
  firstLooks(request: FirstLooksRequest, signal?: AbortSignal): Promise<FirstLooksOutcome | UnreadableFile> {
    return this.enqueue((w) => w.remote.firstLooks(request), signal, PRIORITY.look) as Promise<FirstLooksOutcome | UnreadableFile>;
  }

  /** sha256 of the file's bytes, read in a worker (the main thread never reads whole files), ahead of decodes. */
  hash(file: Blob, signal?: AbortSignal): Promise<HashOutcome> {
    return this.enqueue((w) => w.remote.hash(file), signal, PRIORITY.identify) as Promise<HashOutcome>;
  }

  terminate(): void {
    for (const job of this.queue) {
      job.detach();
      job.reject(new Error('decode pool closed'));
    }
    this.queue.length = 0;
    // Running jobs reject with WorkerStopped.
    for (const w of this.workers) w.terminate();
  }

  /** The job waits behind those of its own priority or a higher one, ahead of the rest (PRIORITY). */
  private enqueue(run: Job['run'], signal: AbortSignal | undefined, priority: Priority): Promise<Outcome> {
    if (signal?.aborted) return Promise.reject(new Cancelled());
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(job);
        if (i < 0) return;
        this.queue.splice(i, 1);
        reject(new Cancelled());
      };
      const job: Job = { run, resolve, reject, priority, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      const at = this.queue.findIndex((j) => j.priority > priority);
      if (at < 0) this.queue.push(job);
      else this.queue.splice(at, 0, job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      job.detach();
      job
        .run(w)
        .then(job.resolve, (err: unknown) => (err instanceof WorkerCrashed ? job.resolve(crashedOn(err)) : job.reject(err)))
        .finally(() => {
          this.idle.push(w);
          this.pump();
        });
    }
  }
}

/** The job's answer when its worker died under it: the file may be what killed it, so it is not retried. */
function crashedOn(err: WorkerCrashed): UnreadableFile {
  return { type: 'failed', reason: err.message };
}

function spawnDecodeWorker(): Worker {
  return new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'loupe-decode' });
}
