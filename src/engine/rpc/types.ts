/**
 * The types that tie a worker's page side to its worker side. Each worker has one `…Api` interface; every
 * method takes one argument (a value or an object) and, when it reports progress or watches for a cancel,
 * a `CallContext` second. The page side's argument, result and progress types are read from it.
 *
 *   interface FooApi {
 *     load(url: string, ctx: CallContext<{ loaded: number }>): Promise<Model>;
 *     ping(): string;
 *   }
 */

/** What a worker method gets beside its argument. */
export interface CallContext<Progress = never> {
  /** Aborted when the page cancels this call; long work checks it between steps and may stop early. */
  readonly signal: AbortSignal;
  /** Sends a progress event to the caller's `onProgress`. */
  progress(value: Progress): void;
}

/** How the page calls one method. */
export interface CallOptions<Progress = never> {
  /** Aborting rejects the call at once with `Cancelled` and tells the worker; the worker keeps running. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Buffers (or bitmaps) in the argument to move to the worker rather than copy: the caller must not use them afterwards. */
  transfer?: Transferable[];
}

// `any` parameters are what let an interface of specific methods (and `never` progress) fit the constraint.
type AnyMethod = (...params: any[]) => unknown;

/** The shape every `…Api` interface has: methods only. */
export type WorkerApi<Api> = { [K in keyof Api]: AnyMethod };

/** The method's argument; `void` for a method that takes none, so the page may call it with none. */
export type ArgsOf<M> = M extends (...params: infer P) => unknown ? (P extends [] ? void : P[0]) : never;

/** What the method reports through `ctx.progress`; `never` when its interface declares no CallContext. */
export type ProgressOf<M> = M extends (...params: infer P) => unknown ? (P extends [unknown, CallContext<infer Q>, ...unknown[]] ? Q : never) : never;

export type ResultOf<M> = M extends (...params: never[]) => infer R ? Awaited<R> : never;

/** The page's view of a worker: each method of its Api, asynchronous, with call options. */
export type Remote<Api> = {
  readonly [K in keyof Api]: (args: ArgsOf<Api[K]>, options?: CallOptions<ProgressOf<Api[K]>>) => Promise<ResultOf<Api[K]>>;
};

/** Names of a worker's unsolicited events, each with its data: `{ engineChanged: { … } }`. */
export type EventMap = object;
