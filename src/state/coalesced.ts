/**
 * Background passes over the library (tag-head scores, taste-head scores, auto-tags) are asked for far more
 * often than they can run. Wrapped here, a pass never runs twice at once: a call during a run asks for one
 * more pass after it, however many calls came.
 */
export function coalesced(pass: () => Promise<void>, onError: (err: unknown) => void): () => Promise<void> {
  let running = false;
  let again = false;
  return async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await pass();
      } while (again);
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
}
