/**
 * What travels between the page and a worker. Only connect.ts and serve.ts build and read these (and
 * bench/browser.ts, which counts results on the wire); every other file sees typed methods.
 */

export type PageToWorker =
  | { rpc: 'call'; id: number; method: string; args: unknown }
  | { rpc: 'cancel'; id: number };

export type WorkerToPage =
  | { rpc: 'progress'; id: number; progress: unknown }
  /** `method` is repeated on answers so that a reader of the wire (the bench's probe) knows what answered. */
  | { rpc: 'result'; id: number; method: string; value: unknown }
  | { rpc: 'error'; id: number; method: string; message: string }
  /** Unsolicited: not an answer to any one call. */
  | { rpc: 'event'; event: string; data: unknown };

function hasRpcTag(data: unknown): data is { rpc: unknown } {
  return typeof data === 'object' && data !== null && 'rpc' in data;
}

export function isPageToWorker(data: unknown): data is PageToWorker {
  return hasRpcTag(data) && (data.rpc === 'call' || data.rpc === 'cancel');
}

export function isWorkerToPage(data: unknown): data is WorkerToPage {
  return hasRpcTag(data) && (data.rpc === 'progress' || data.rpc === 'result' || data.rpc === 'error' || data.rpc === 'event');
}
