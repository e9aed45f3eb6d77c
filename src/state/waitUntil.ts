/**
 * Resolves once `holds()` is true, checked now and on every `subscribe` notification (a zustand store's
 * subscribe fits); resolves false instead when `signal` aborts first.
 */
export function waitUntil(holds: () => boolean, subscribe: (listener: () => void) => () => void, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (holds()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const stops: (() => void)[] = [];
    const finish = (ok: boolean) => {
      stops.forEach((stop) => stop());
      resolve(ok);
    };
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    stops.push(() => signal.removeEventListener('abort', onAbort));
    stops.push(
      subscribe(() => {
        if (holds()) finish(true);
      }),
    );
  });
}
