/**
 * The page side of a worker: `connect<FooApi>(spawn, { name: 'foo' })` gives typed calls to the worker that
 * `serve(fooApi)` runs. The worker is started on the first call (a worker that is never asked loads nothing),
 * and again on the next call after it crashed or was stopped.
 *
 *   const foo = connect<FooApi>(() => new Worker(new URL('./foo.worker.ts', import.meta.url), { type: 'module' }), { name: 'foo' });
 *   const model = await foo.remote.load(url, { signal, onProgress: (p) => show(p.loaded) });
 */
import { Cancelled, RemoteError, WorkerCrashed, WorkerStopped } from './errors';
import type { CallOptions, EventMap, Remote, WorkerApi } from './types';
import { isWorkerToPage, type PageToWorker, type WorkerToPage } from './wire';

/** What connect needs of a worker: a DOM Worker, or a test's stand-in. */
export interface WorkerLike {
  postMessage(message: PageToWorker, transfer: Transferable[]): void;
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void;
  removeEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

export interface ConnectOptions {
  /** Names the worker in crash and stop errors ("the face worker crashed: …"). */
  name: string;
}

export interface Connection<Api extends WorkerApi<Api>, Events extends EventMap> {
  /** Every method of the worker's Api, typed. */
  readonly remote: Remote<Api>;
  /** Listens to one unsolicited event from the worker (whichever worker is current); returns the unsubscribe. */
  on<K extends keyof Events & string>(event: K, listener: (data: Events[K]) => void): () => void;
  /**
   * Whether a worker is running: false before the first call and after a crash or terminate. State set up in
   * the worker by one call (a loaded model) is gone when this turns false; the next call starts a fresh worker.
   */
  readonly running: boolean;
  /** Stops the worker now (pending calls reject with WorkerStopped); the next call starts a fresh one. */
  terminate(): void;
}

interface PendingCall {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: never) => void;
  /** Removes the call's abort listener: run whichever way the call ends. */
  detach(): void;
}

/** One started worker and the listeners on it, so that they can all be taken off together. */
interface Started {
  worker: WorkerLike;
  listeners: [type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void][];
}

export function connect<Api extends WorkerApi<Api>, Events extends EventMap = Record<never, never>>(
  spawn: () => WorkerLike,
  options: ConnectOptions,
): Connection<Api, Events> {
  return new RpcConnection<Api, Events>(spawn, options.name);
}

class RpcConnection<Api extends WorkerApi<Api>, Events extends EventMap> implements Connection<Api, Events> {
  private started: Started | null = null;
  private readonly pending = new Map<number, PendingCall>();
  private readonly eventListeners = new Map<string, Set<(data: never) => void>>();
  private nextId = 1;
  readonly remote: Remote<Api>;

  constructor(
    private readonly spawn: () => WorkerLike,
    private readonly name: string,
  ) {
    // Any property is a method name: the Api interface, not a runtime list, says which exist.
    this.remote = new Proxy({} as Remote<Api>, {
      // 'then' must stay undefined, or `await remote` would treat the proxy as a promise and call the worker.
      get: (_, method) => (typeof method !== 'string' || method === 'then' ? undefined : (args: unknown, callOptions?: CallOptions<unknown>) => this.call(method, args, callOptions)),
    });
  }

  get running(): boolean {
    return this.started !== null;
  }

  on<K extends keyof Events & string>(event: K, listener: (data: Events[K]) => void): () => void {
    const set = this.eventListeners.get(event) ?? new Set();
    this.eventListeners.set(event, set);
    set.add(listener as (data: never) => void);
    return () => set.delete(listener as (data: never) => void);
  }

  terminate(): void {
    this.retire(new WorkerStopped(this.name));
  }

  private call(method: string, args: unknown, { signal, onProgress, transfer = [] }: CallOptions<unknown> = {}): Promise<unknown> {
    // Nothing is sent (and no worker started) for a call given up before it began.
    if (signal?.aborted) return Promise.reject(new Cancelled());
    let worker: WorkerLike;
    try {
      worker = this.ensureStarted().worker;
    } catch (err) {
      // The worker could not even be created (a bad URL, a CSP): this call fails, the next one tries again.
      return Promise.reject(err);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this.take(id)) return;
        worker.postMessage({ rpc: 'cancel', id }, []);
        reject(new Cancelled());
      };
      const detach = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { method, resolve, reject, onProgress, detach });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        worker.postMessage({ rpc: 'call', id, method, args }, transfer);
      } catch (err) {
        // Not cloneable, or a buffer already transferred: the call never left.
        this.take(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Removes a pending call and its abort listener; undefined when it already ended (answered, aborted, crashed). */
  private take(id: number): PendingCall | undefined {
    const call = this.pending.get(id);
    if (!call) return undefined;
    this.pending.delete(id);
    call.detach();
    return call;
  }

  private ensureStarted(): Started {
    if (this.started) return this.started;
    const worker = this.spawn();
    const started: Started = {
      worker,
      listeners: [
        ['message', (event) => this.receive((event as MessageEvent).data)],
        ['error', (event) => this.crashed(started, errorText(event))],
        ['messageerror', () => this.crashed(started, 'a message from it could not be read')],
      ],
    };
    for (const [type, listener] of started.listeners) worker.addEventListener(type, listener);
    this.started = started;
    return started;
  }

  private receive(data: unknown): void {
    if (!isWorkerToPage(data)) return;
    if (data.rpc === 'event') return this.emit(data);
    if (data.rpc === 'progress') return this.pending.get(data.id)?.onProgress?.(data.progress as never);
    // No pending call: it was aborted, and this is the late answer.
    const call = this.take(data.id);
    if (!call) return;
    if (data.rpc === 'result') call.resolve(data.value);
    else call.reject(new RemoteError(data.message, this.name, call.method));
  }

  private emit(event: Extract<WorkerToPage, { rpc: 'event' }>): void {
    for (const listener of this.eventListeners.get(event.event) ?? []) listener(event.data as never);
  }

  private crashed(started: Started, why: string): void {
    // A late event from a worker already replaced says nothing about the current one.
    if (this.started === started) this.retire(new WorkerCrashed(this.name, why));
  }

  /** Ends the current worker: its listeners come off, it is terminated, and every pending call rejects with `error`. */
  private retire(error: Error): void {
    const started = this.started;
    this.started = null;
    if (started) {
      for (const [type, listener] of started.listeners) started.worker.removeEventListener(type, listener);
      started.worker.terminate();
    }
    for (const id of [...this.pending.keys()]) this.take(id)?.reject(error);
  }
}

/** An ErrorEvent's message; a worker whose script failed to load fires a plain Event without one. */
function errorText(event: Event): string {
  const message = (event as Partial<ErrorEvent>).message;
  return typeof message === 'string' && message ? message : 'it stopped with an error outside any call (or its script failed to load)';
}
