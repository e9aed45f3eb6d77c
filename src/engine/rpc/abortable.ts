import { Cancelled } from './errors';

/**
 * Waits for `work`, but rejects with `Cancelled` as soon as `signal` aborts; `work` itself goes on (it may be
 * shared, e.g. a model load other callers wait for). The abort listener goes when either settles.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new Cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
