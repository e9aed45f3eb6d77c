import type { DecodeRequest, DecodeResponse } from '../engine/protocol';

export type DecodeOutcome = Extract<DecodeResponse, { type: 'decoded' }> | Extract<DecodeResponse, { type: 'failed' }>;
export type HashOutcome = Extract<DecodeResponse, { type: 'hashed' }> | Extract<DecodeResponse, { type: 'failed' }>;

interface Job {
  req: DecodeRequest;
  resolve: (r: DecodeResponse) => void;
  reject: (e: unknown) => void;
}

/** Distributive Omit, so each request kind keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** A fixed pool of decode workers fed from one queue; one job per worker at a time. */
export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  private nextId = 1;

  constructor(size: number, makeWorker: () => Worker = defaultWorker) {
    for (let i = 0; i < Math.max(1, size); i++) {
      const w = makeWorker();
      w.onmessage = (e: MessageEvent<DecodeResponse>) => this.finish(w, e.data);
      w.onerror = (e) => this.fail(w, new Error(`decode worker crashed: ${e.message}`));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  decode(file: Blob, name: string, thumbSize: number, signal?: AbortSignal): Promise<DecodeOutcome> {
    return this.run({ type: 'decode', file, name, thumbSize }, signal) as Promise<DecodeOutcome>;
  }

  /** sha256 of the file's bytes, read in a worker (the main thread never reads whole files). */
  hash(file: Blob, signal?: AbortSignal): Promise<HashOutcome> {
    return this.run({ type: 'hash', file }, signal) as Promise<HashOutcome>;
  }

  terminate(): void {
    for (const w of this.workers) w.terminate();
    for (const job of [...this.queue, ...this.running.values()]) job.reject(new Error('decode pool closed'));
    this.queue.length = 0;
    this.running.clear();
  }

  private run(body: WithoutId<DecodeRequest>, signal?: AbortSignal): Promise<DecodeResponse> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const job: Job = { req: { ...body, id: this.nextId++ } as DecodeRequest, resolve, reject };
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.queue.indexOf(job);
          if (i >= 0) {
            this.queue.splice(i, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(w, job);
      w.postMessage(job.req);
    }
  }

  private finish(w: Worker, res: DecodeResponse): void {
    const job = this.running.get(w);
    this.running.delete(w);
    this.idle.push(w);
    if (job && job.req.id === res.id) job.resolve(res);
    this.pump();
  }

  private fail(w: Worker, err: Error): void {
    const job = this.running.get(w);
    this.running.delete(w);
    this.idle.push(w);
    job?.resolve({ type: 'failed', id: job.req.id, reason: err.message });
    this.pump();
  }
}

function defaultWorker(): Worker {
  return new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'loupe-decode' });
}
