import { describe, expect, it } from 'vitest';
import { create } from 'zustand';
import { waitUntil } from '../src/state/waitUntil';

describe('waitUntil', () => {
  it('resolves at once when the condition holds, and only once it holds otherwise', async () => {
    const store = create(() => ({ running: true }));
    const ac = new AbortController();
    expect(await waitUntil(() => true, store.subscribe, ac.signal)).toBe(true);
    let settled = false;
    const wait = waitUntil(() => !store.getState().running, store.subscribe, ac.signal).then((ok) => {
      settled = true;
      return ok;
    });
    store.setState({ running: true });
    await Promise.resolve();
    expect(settled).toBe(false);
    store.setState({ running: false });
    expect(await wait).toBe(true);
  });

  it('resolves false when aborted, and leaves no listener behind', async () => {
    const store = create(() => ({ running: true }));
    let listeners = 0;
    const subscribe = (l: () => void) => {
      listeners++;
      const stop = store.subscribe(l);
      return () => {
        listeners--;
        stop();
      };
    };
    const ac = new AbortController();
    const wait = waitUntil(() => !store.getState().running, subscribe, ac.signal);
    expect(listeners).toBe(1);
    ac.abort();
    expect(await wait).toBe(false);
    expect(listeners).toBe(0);
    expect(await waitUntil(() => true, subscribe, ac.signal)).toBe(false);
  });
});
