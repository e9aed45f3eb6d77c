/**
 * A fixed pool of decode workers (decode.worker.ts) fed from one queue, one job per worker at a time. Each
 * worker starts with its first job. A worker that crashes fails only the job it had (with the reason on the
 * tile) and is replaced by a fresh one for the next job.
 */
import { Cancelled, connect, WorkerCrashed, type Connection, type WorkerLike } from '../engine/rpc';
import type { DecodeApi, DecodeOutcome, DecodeRequest, FaceImageOutcome, FaceImageRequest, HashOutcome, IdentifyRequest, UnreadableFile } from './decodeApi';

export type { DecodeOutcome, HashOutcome };

type DecodeWorker = Connection<DecodeApi, Record<never, never>>;

type Outcome = DecodeOutcome | HashOutcome | FaceImageOutcome;

interface Job {
  run(worker: DecodeWorker): Promise<Outcome>;
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
  /** Ahead of ordinary jobs (see enqueue). */
  first: boolean;
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
    return this.enqueue((w) => w.remote.decode(request), signal) as Promise<DecodeOutcome>;
  }

  /** The photo upright at the people checks' size (its bitmap is the caller's to close or transfer). */
  faceImage(request: FaceImageRequest, signal?: AbortSignal): Promise<FaceImageOutcome | UnreadableFile> {
    return this.enqueue((w) => w.remote.faceImage(request), signal) as Promise<FaceImageOutcome | UnreadableFile>;
  }

  /** sha256 of the file's bytes and its first-look thumbnail, read in a worker. */
  identify(request: IdentifyRequest, signal?: AbortSignal): Promise<HashOutcome> {
    return this.enqueue((w) => w.remote.identify(request), signal, true) as Promise<HashOutcome>;
  }

  /** sha256 of the file's bytes, read in a worker (the main thread never reads whole files). */
  hash(file: Blob, signal?: AbortSignal): Promise<HashOutcome> {
    return this.enqueue((w) => w.remote.hash(file), signal, true) as Promise<HashOutcome>;
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

  /**
   * `first`: the job goes ahead of every ordinary one still waiting (identifying files, which gives the grid
   * its tiles and first looks, before the decodes of an analysis already under way: Photo Mechanic's order).
   */
  private enqueue(run: Job['run'], signal?: AbortSignal, first = false): Promise<Outcome> {
    if (signal?.aborted) return Promise.reject(new Cancelled());
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.queue.indexOf(job);
        if (i < 0) return;
        this.queue.splice(i, 1);
        reject(new Cancelled());
      };
      const job: Job = { run, resolve, reject, first, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      const at = first ? this.queue.findIndex((j) => !j.first) : -1;
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
