/**
 * The worker bridge (src/engine/rpc) over a MessageChannel: port1 plays the page's Worker, port2 the
 * worker's global scope, so the real connect() and serve() talk through a real structured-clone channel.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cancelled, connect, RemoteError, serve, WorkerCrashed, WorkerStopped, withTransfer, type CallContext, type EventSender, type WorkerLike } from '../src/engine/rpc';
import type { PageToWorker } from '../src/engine/rpc/wire';
import type { DecodeApi } from '../src/library/decodeApi';
import { DecodePool } from '../src/library/decodePool';

interface TestApi {
  echo(text: string): string;
  ping(): 'pong';
  /** Sums the values and sends them back, transferred. */
  sum(values: Float32Array): { total: number; values: Float32Array };
  count(to: number, ctx: CallContext<number>): Promise<number>;
  /** Waits until released or cancelled (and records which). */
  hold(label: string, ctx: CallContext): Promise<string>;
  fail(message: string): never;
  announce(n: number): void;
}

type TestEvents = { announced: { n: number } };

/** What the worker side saw, for the tests to look at. */
interface WorkerView {
  started: string[];
  cancelled: string[];
  release: Map<string, () => void>;
  sentBack: Float32Array[];
}

function testApi(view: WorkerView, events: () => EventSender<TestEvents>): TestApi {
  return {
    echo: (text) => text,
    ping: () => 'pong',
    sum(values) {
      const result = { total: values.reduce((a, b) => a + b, 0), values };
      view.sentBack.push(values);
      return withTransfer(result, [values.buffer]);
    },
    async count(to, ctx) {
      for (let i = 1; i <= to; i++) ctx.progress(i);
      return to;
    },
    hold(label, ctx) {
      view.started.push(label);
      return new Promise((resolve, reject) => {
        view.release.set(label, () => resolve(label));
        ctx.signal.addEventListener('abort', () => {
          view.cancelled.push(label);
          reject(new Error('stopped'));
        });
      });
    },
    fail(message) {
      throw new Error(message);
    },
    announce(n) {
      events().emit('announced', { n });
    },
  };
}

/** The page's Worker over port1; `error` and `messageerror` are dispatched by the test, as a browser would. */
class PortWorker extends EventTarget implements WorkerLike {
  terminated = false;
  constructor(
    private readonly port: MessagePort,
    private readonly other: MessagePort,
  ) {
    super();
    port.onmessage = (e) => this.dispatchEvent(new MessageEvent('message', { data: e.data }));
  }
  postMessage(message: PageToWorker, transfer: Transferable[]): void {
    this.port.postMessage(message, transfer);
  }
  terminate(): void {
    this.terminated = true;
    this.port.close();
    this.other.close();
  }
  crash(message: string): void {
    this.dispatchEvent(Object.assign(new Event('error'), { message }));
  }
}

const opened: PortWorker[] = [];

/** A connection whose every (re)start serves a fresh TestApi on a fresh channel. */
function stage(serial = false) {
  const workers: PortWorker[] = [];
  const views: WorkerView[] = [];
  const spawn = () => {
    const { port1, port2 } = new MessageChannel();
    const view: WorkerView = { started: [], cancelled: [], release: new Map(), sentBack: [] };
    const events: EventSender<TestEvents> = serve<TestApi, TestEvents>(testApi(view, () => events), { serial, endpoint: port2 });
    const worker = new PortWorker(port1, port2);
    workers.push(worker);
    views.push(view);
    opened.push(worker);
    return worker;
  };
  const connection = connect<TestApi, TestEvents>(spawn, { name: 'test' });
  return { connection, remote: connection.remote, workers, views };
}

/** Waits until `check` holds (messages cross the channel asynchronously). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

afterEach(() => {
  for (const w of opened.splice(0)) if (!w.terminated) w.terminate();
});

describe('rpc', () => {
  it('answers a typed call, with or without an argument', async () => {
    const { remote, workers } = stage();
    const echoed: string = await remote.echo('hello');
    expect(echoed).toBe('hello');
    expect(await remote.ping()).toBe('pong');
    expect(workers).toHaveLength(1);
  });

  it('starts no worker until the first call', async () => {
    const { remote, workers } = stage();
    expect(workers).toHaveLength(0);
    await remote.ping();
    expect(workers).toHaveLength(1);
  });

  it('transfers buffers both ways: the sender’s buffer is detached', async () => {
    const { remote, views } = stage();
    const values = new Float32Array([1, 2, 3.5]);
    const answer = remote.sum(values, { transfer: [values.buffer] });
    expect(values.buffer.byteLength).toBe(0);
    const result = await answer;
    expect(result.total).toBe(6.5);
    expect(Array.from(result.values)).toEqual([1, 2, 3.5]);
    // The worker's copy moved back to the page rather than being copied.
    expect(views[0].sentBack[0].buffer.byteLength).toBe(0);
  });

  it('delivers progress events to the call that asked', async () => {
    const { remote } = stage();
    const seen: number[] = [];
    expect(await remote.count(3, { onProgress: (n) => seen.push(n) })).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('passes a method’s error on with the worker’s message', async () => {
    const { remote } = stage();
    const failed = remote.fail('no model here');
    await expect(failed).rejects.toBeInstanceOf(RemoteError);
    await expect(failed).rejects.toMatchObject({ message: 'no model here', worker: 'test', method: 'fail' });
  });

  it('cancels: rejects at once with Cancelled, aborts the worker’s signal, and the worker goes on serving', async () => {
    const { remote, workers, views } = stage();
    const controller = new AbortController();
    const held = remote.hold('a', { signal: controller.signal });
    await until(() => views[0].started.includes('a'));
    controller.abort();
    await expect(held).rejects.toBeInstanceOf(Cancelled);
    await expect(held).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => views[0].cancelled.includes('a'));
    // Never by terminating: the same worker answers the next call.
    expect(await remote.echo('still here')).toBe('still here');
    expect(workers).toHaveLength(1);
    expect(workers[0].terminated).toBe(false);
  });

  it('skips a call cancelled while it waits its turn (serial)', async () => {
    const { remote, views } = stage(true);
    const first = remote.hold('first');
    const controller = new AbortController();
    const queued = remote.hold('queued', { signal: controller.signal });
    const after = remote.echo('after');
    await until(() => views[0].started.includes('first'));
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(Cancelled);
    // The worker learns of the cancel before the queue reaches the call.
    await new Promise((r) => setTimeout(r, 20));
    views[0].release.get('first')!();
    expect(await first).toBe('first');
    expect(await after).toBe('after');
    expect(views[0].started).toEqual(['first']);
  });

  it('sends nothing, and starts no worker, for a call whose signal is already aborted', async () => {
    const { remote, workers } = stage();
    const controller = new AbortController();
    controller.abort();
    await expect(remote.echo('x', { signal: controller.signal })).rejects.toBeInstanceOf(Cancelled);
    expect(workers).toHaveLength(0);
  });

  it('rejects every pending call when the worker crashes, and the next call starts a fresh worker', async () => {
    const { connection, remote, workers, views } = stage();
    const a = remote.hold('a');
    const b = remote.hold('b');
    await until(() => views[0].started.length === 2);
    workers[0].crash('boom');
    for (const call of [a, b]) {
      await expect(call).rejects.toBeInstanceOf(WorkerCrashed);
      await expect(call).rejects.toThrow('the test worker crashed: boom');
    }
    expect(workers[0].terminated).toBe(true);
    // What the crashed worker held is gone: a client that set it up (a model) must do so again.
    expect(connection.running).toBe(false);
    expect(await remote.echo('again')).toBe('again');
    expect(workers).toHaveLength(2);
    expect(connection.running).toBe(true);
  });

  it('treats an unreadable message (messageerror) as a crash', async () => {
    const { remote, workers, views } = stage();
    const a = remote.hold('a');
    await until(() => views[0].started.length === 1);
    workers[0].dispatchEvent(new Event('messageerror'));
    await expect(a).rejects.toThrow(/the test worker crashed: a message from it could not be read/);
  });

  it('ignores a late error from a worker already replaced', async () => {
    const { remote, workers, views } = stage();
    await remote.ping();
    workers[0].crash('first');
    const held = remote.hold('on the second');
    await until(() => views[1]?.started.length === 1);
    workers[0].crash('late, from the first');
    views[1].release.get('on the second')!();
    expect(await held).toBe('on the second');
    expect(workers[1].terminated).toBe(false);
  });

  it('rejects the call, not throws, when the worker cannot be created, and tries again next call', async () => {
    let attempts = 0;
    const connection = connect<TestApi>(() => {
      attempts++;
      throw new Error('refused by the CSP');
    }, { name: 'test' });
    await expect(connection.remote.ping()).rejects.toThrow('refused by the CSP');
    await expect(connection.remote.ping()).rejects.toThrow('refused by the CSP');
    expect(attempts).toBe(2);
  });

  it('terminate() stops the worker, rejects what is pending, and the next call starts a fresh one', async () => {
    const { connection, remote, workers, views } = stage();
    const held = remote.hold('a');
    await until(() => views[0].started.length === 1);
    connection.terminate();
    await expect(held).rejects.toBeInstanceOf(WorkerStopped);
    await expect(held).rejects.toThrow('the test worker was stopped');
    expect(workers[0].terminated).toBe(true);
    expect(await remote.ping()).toBe('pong');
    expect(workers).toHaveLength(2);
  });

  it('leaves no abort listener on a long-lived signal, however each call ends', async () => {
    const { connection, remote, workers, views } = stage();
    const analysis = new AbortController();
    const signal = analysis.signal;
    const added = vi.spyOn(signal, 'addEventListener');
    const removed = vi.spyOn(signal, 'removeEventListener');
    // Answered, failed, and ended by a crash and by terminate, all on the one signal.
    for (let i = 0; i < 5; i++) await remote.echo(`batch ${i}`, { signal });
    await remote.fail('bad batch', { signal }).catch(() => undefined);
    const crashing = remote.hold('crash', { signal });
    await until(() => views[0].started.includes('crash'));
    workers[0].crash('boom');
    await crashing.catch(() => undefined);
    const stopping = remote.hold('stop', { signal });
    await until(() => views[1]?.started.includes('stop'));
    connection.terminate();
    await stopping.catch(() => undefined);

    const abortAdds = added.mock.calls.filter(([type]) => type === 'abort');
    const abortRemoves = removed.mock.calls.filter(([type]) => type === 'abort');
    expect(abortAdds).toHaveLength(8);
    expect(abortRemoves.map(([, listener]) => listener)).toEqual(abortAdds.map(([, listener]) => listener));
  });

  it('removes the abort listener of a call that was aborted', async () => {
    const { remote } = stage();
    const controller = new AbortController();
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const held = remote.hold('a', { signal: controller.signal });
    controller.abort();
    await expect(held).rejects.toBeInstanceOf(Cancelled);
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('runs calls one at a time, in order, when serial', async () => {
    const { remote, views } = stage(true);
    const calls = ['a', 'b', 'c'].map((label) => remote.hold(label));
    await until(() => views[0].started.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(views[0].started).toEqual(['a']);
    views[0].release.get('a')!();
    await until(() => views[0].started.length === 2);
    expect(views[0].started).toEqual(['a', 'b']);
    views[0].release.get('b')!();
    await until(() => views[0].started.length === 3);
    views[0].release.get('c')!();
    expect(await Promise.all(calls)).toEqual(['a', 'b', 'c']);
  });

  it('runs calls side by side when not serial', async () => {
    const { remote, views } = stage(false);
    const calls = ['a', 'b'].map((label) => remote.hold(label));
    await until(() => views[0].started.length === 2);
    views[0].release.get('b')!();
    views[0].release.get('a')!();
    expect(await Promise.all(calls)).toEqual(['a', 'b']);
  });

  it('delivers unsolicited events to their listeners until they unsubscribe', async () => {
    const { connection, remote } = stage();
    const seen: number[] = [];
    const stop = connection.on('announced', ({ n }) => seen.push(n));
    await remote.announce(1);
    await until(() => seen.length === 1);
    stop();
    await remote.announce(2);
    await remote.ping();
    expect(seen).toEqual([1]);
  });
});

describe('DecodePool on the rpc layer', () => {
  /** Decode workers whose jobs wait until the test releases them, by file name. */
  function decodeStage() {
    const workers: PortWorker[] = [];
    const release = new Map<string, () => void>();
    const looked: string[] = [];
    const spawn = () => {
      const { port1, port2 } = new MessageChannel();
      const api: DecodeApi = {
        decode: ({ name }) => new Promise((resolve) => release.set(name, () => resolve({ type: 'failed', reason: `checked ${name}` }))),
        hash: async (file) => ({ type: 'hashed', contentHash: `${file.size} bytes` }),
        faceImage: async ({ name }) => ({ type: 'failed', reason: `no face image for ${name}` }),
        firstLooks: async ({ files }) => {
          looked.push(...files.map((f) => f.name));
          // A look of a file named hold… waits for the test (to be crashed under).
          if (files[0]?.name.startsWith('hold')) await new Promise<void>((resolve) => release.set(files[0].name, resolve));
          return { type: 'first-looks', looks: files.map(() => null) };
        },
      };
      serve<DecodeApi>(api, { endpoint: port2 });
      const worker = new PortWorker(port1, port2);
      workers.push(worker);
      opened.push(worker);
      return worker;
    };
    return { pool: new DecodePool(2, spawn), workers, release, looked };
  }
  const file = () => new Blob([new Uint8Array(4)]);

  it('runs one job per worker; a crash fails only that job, with the reason, and a fresh worker takes the next', async () => {
    const { pool, workers, release } = decodeStage();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => pool.decode({ file: file(), name, thumbSize: 0, exact: true, faceLongSide: 0 }));
    await until(() => release.has('a') && release.has('b'));
    expect(workers).toHaveLength(2);
    expect(release.has('c')).toBe(false);
    workers[0].crash('out of memory');
    expect(await a).toEqual({ type: 'failed', reason: 'the decode worker crashed: out of memory' });
    await until(() => release.has('c'));
    expect(workers).toHaveLength(3);
    release.get('b')!();
    release.get('c')!();
    expect(await b).toEqual({ type: 'failed', reason: 'checked b' });
    expect(await c).toEqual({ type: 'failed', reason: 'checked c' });
    expect(await pool.hash(file())).toEqual({ type: 'hashed', contentHash: '4 bytes' });
  });

  it('answers a look batch whose worker crashed as failed, with the reason (ingest then ends the looks, not the drop)', async () => {
    const { pool, workers, release } = decodeStage();
    const looks = pool.firstLooks({ files: [{ file: file(), name: 'hold.jpg' }], size: 320 });
    await until(() => release.has('hold.jpg'));
    workers[0].crash('its script did not load');
    expect(await looks).toEqual({ type: 'failed', reason: 'the decode worker crashed: its script did not load' });
    expect(await pool.firstLooks({ files: [{ file: file(), name: 'x.jpg' }], size: 320 })).toEqual({ type: 'first-looks', looks: [null] });
  });

  it('takes first looks, then hashes, ahead of decodes already waiting (the grid fills before the analysis goes on)', async () => {
    const { pool, release, looked } = decodeStage();
    const request = (name: string) => ({ file: file(), name, thumbSize: 0, exact: true, faceLongSide: 0 });
    const running = ['a', 'b'].map((name) => pool.decode(request(name)));
    const waiting = pool.decode(request('c'));
    await until(() => release.has('a') && release.has('b'));
    const order: string[] = [];
    const identified = pool.hash(file()).then((h) => (order.push('hash'), h));
    const looks = pool.firstLooks({ files: [{ file: file(), name: 'x.jpg' }], size: 320 }).then((l) => (order.push('look'), l));
    release.get('a')!();
    // The freed worker takes the look (queued last), then the hash, both queued after 'c', before 'c'.
    expect(await identified).toMatchObject({ type: 'hashed' });
    expect(await looks).toEqual({ type: 'first-looks', looks: [null] });
    expect(looked).toEqual(['x.jpg']);
    expect(order).toEqual(['look', 'hash']);
    expect(release.has('c')).toBe(false);
    release.get('b')!();
    await until(() => release.has('c'));
    release.get('c')!();
    await Promise.all([...running, waiting]);
  });

  it('drops a waiting job on abort (Cancelled); a job that runs takes its abort listener off', async () => {
    const { pool, release } = decodeStage();
    const running = ['a', 'b'].map((name) => pool.decode({ file: file(), name, thumbSize: 0, exact: true, faceLongSide: 0 }));
    const controller = new AbortController();
    const waiting = pool.decode({ file: file(), name: 'waiting', thumbSize: 0, exact: true, faceLongSide: 0 }, controller.signal);
    const next = pool.decode({ file: file(), name: 'next', thumbSize: 0, exact: true, faceLongSide: 0 }, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(Cancelled);
    await expect(next).rejects.toBeInstanceOf(Cancelled);
    await until(() => release.has('a') && release.has('b'));
    release.get('a')!();
    release.get('b')!();
    await Promise.all(running);
    // Neither dropped job ever reached a worker.
    expect(release.has('waiting') || release.has('next')).toBe(false);

    const later = new AbortController();
    const laterRemoved = vi.spyOn(later.signal, 'removeEventListener');
    const started = pool.decode({ file: file(), name: 'later', thumbSize: 0, exact: true, faceLongSide: 0 }, later.signal);
    await until(() => release.has('later'));
    release.get('later')!();
    await started;
    // A job that ran took its abort listener off when it left the queue.
    expect(laterRemoved).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});
