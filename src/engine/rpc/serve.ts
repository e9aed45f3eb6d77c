/**
 * The worker side: `serve<FooApi>(fooApi)` answers the calls that connect() sends. A method's result (or
 * its error's message) goes back to the caller; `ctx.progress` sends progress events; `ctx.signal` aborts
 * when the page cancels the call. Returns `emit`, for events that answer no call.
 */
import { Cancelled } from './errors';
import { takeTransfer } from './transfer';
import type { CallContext, EventMap, WorkerApi } from './types';
import { isPageToWorker, type PageToWorker, type WorkerToPage } from './wire';

/** What serve needs of its side of the channel: the worker's global scope, or a MessagePort in tests. */
export interface ServeEndpoint {
  postMessage(message: WorkerToPage, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /** A MessagePort delivers nothing until started; a worker scope has no such step. */
  start?(): void;
}

export interface ServeOptions {
  /**
   * Runs calls one at a time, in the order they came (a call cancelled while it waits is skipped). For a
   * worker whose engine is not re-entrant: one ORT session, one Human instance.
   */
  serial?: boolean;
  /** Defaults to the worker's own global scope. */
  endpoint?: ServeEndpoint;
}

export interface EventSender<Events extends EventMap> {
  emit<K extends keyof Events & string>(event: K, data: Events[K], transfer?: Transferable[]): void;
}

type Call = Extract<PageToWorker, { rpc: 'call' }>;

export function serve<Api extends WorkerApi<Api>, Events extends EventMap = Record<never, never>>(
  api: Api,
  { serial = false, endpoint = globalThis as unknown as ServeEndpoint }: ServeOptions = {},
): EventSender<Events> {
  const running = new Map<number, AbortController>();
  let queue: Promise<void> = Promise.resolve();
  const post = (message: WorkerToPage, transfer: Transferable[] = []) => endpoint.postMessage(message, transfer);

  async function run(call: Call, signal: AbortSignal): Promise<void> {
    // Cancelled while it waited its turn: the page has already rejected it.
    if (signal.aborted) return;
    const ctx: CallContext<unknown> = {
      signal,
      progress: (progress) => {
        if (!signal.aborted) post({ rpc: 'progress', id: call.id, progress });
      },
    };
    let value: unknown;
    try {
      value = await methodOf(api, call.method).call(api, call.args, ctx);
    } catch (err) {
      if (!signal.aborted) post({ rpc: 'error', id: call.id, method: call.method, message: messageOf(err) });
      return;
    }
    // The page has dropped a cancelled call: its result would only be thrown away there.
    if (signal.aborted) return;
    try {
      post({ rpc: 'result', id: call.id, method: call.method, value }, takeTransfer(value));
    } catch (err) {
      // The result could not be cloned: say so, or the call would wait forever.
      post({ rpc: 'error', id: call.id, method: call.method, message: `its result could not be sent: ${messageOf(err)}` });
    }
  }

  endpoint.addEventListener('message', (event) => {
    const message: unknown = event.data;
    if (!isPageToWorker(message)) return;
    if (message.rpc === 'cancel') return running.get(message.id)?.abort(new Cancelled());
    const controller = new AbortController();
    running.set(message.id, controller);
    const settle = () => void running.delete(message.id);
    if (serial) queue = queue.then(() => run(message, controller.signal)).catch(crash).finally(settle);
    else void run(message, controller.signal).catch(crash).finally(settle);
  });
  endpoint.start?.();

  return { emit: (event, data, transfer = []) => post({ rpc: 'event', event, data }, transfer) };
}

function methodOf(api: object, name: string): (args: unknown, ctx: CallContext<unknown>) => unknown {
  // Only the Api's own methods: never Object.prototype's (toString, constructor…).
  const method: unknown = name in Object.prototype ? undefined : (api as Record<string, unknown>)[name];
  if (typeof method !== 'function') throw new Error(`the worker has no method "${name}"`);
  return method as (args: unknown, ctx: CallContext<unknown>) => unknown;
}

/**
 * Only posting itself can fail here (the channel is gone): thrown outside any call, the error reaches the
 * page as the worker's `error` event, which ends every pending call there. A serial queue goes on.
 */
function crash(err: unknown): void {
  setTimeout(() => {
    throw err;
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
