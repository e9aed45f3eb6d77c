import { describe, expect, it, vi } from 'vitest';
import type { AdapterFacts } from '../src/engine/backend';
import { chooseFaceBackend } from '../src/engine/faceBackend';
import { FaceClient } from '../src/engine/faceClient';
import type { FaceEngineReady } from '../src/engine/faceProtocol';
import { Cancelled, RemoteError, WorkerCrashed } from '../src/engine/rpc';
import type { PageToWorker, WorkerToPage } from '../src/engine/rpc/wire';
import type { MeasuredFaces } from '../src/scoring/faces/measure';

const swiftshader: AdapterFacts = { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: false, hasShaderF16: false };
const nvidia: AdapterFacts = { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false, hasShaderF16: true };

describe('chooseFaceBackend', () => {
  it('uses WebGPU only on a real adapter', () => {
    expect(chooseFaceBackend('auto', nvidia)).toMatchObject({ backend: 'webgpu', reason: 'GPU adapter nvidia ampere' });
    expect(chooseFaceBackend('auto', swiftshader)).toMatchObject({ backend: 'wasm' });
    expect(chooseFaceBackend('auto', swiftshader).reason).toMatch(/software/);
    expect(chooseFaceBackend('auto', { ...nvidia, isFallbackAdapter: true }).backend).toBe('wasm');
    expect(chooseFaceBackend('auto', null)).toEqual({ backend: 'wasm', reason: 'no WebGPU adapter: WASM' });
  });

  it('can be forced either way (tests), falling back to WASM without an adapter', () => {
    expect(chooseFaceBackend('webgpu', swiftshader).backend).toBe('webgpu');
    expect(chooseFaceBackend('webgpu', null).backend).toBe('wasm');
    expect(chooseFaceBackend('wasm', nvidia).backend).toBe('wasm');
  });
});

const MEASURED: MeasuredFaces = { width: 10, height: 10, sourceWidth: 10, sourceHeight: 10, imageSharpness: 1, backgroundSharpness: null, backgroundTiles: 0, faces: [] };
const ENGINE: FaceEngineReady = { backend: 'wasm', reason: 'test', human: '3.3.6', tfjs: '4.22.0', loadMs: 1 };
const TIMINGS = { decodeMs: 0, readMs: 0, detectMs: 0, measureMs: 0 };

type Call = Extract<PageToWorker, { rpc: 'call' }>;

/** A stand-in worker: records what it is sent (the RPC layer's wire messages) and answers through `answer`. */
class FakeWorker extends EventTarget {
  sent: { message: PageToWorker; transfer: Transferable[] }[] = [];
  terminated = false;
  constructor(private readonly auto: boolean) {
    super();
  }
  postMessage(message: PageToWorker, transfer: Transferable[]): void {
    this.sent.push({ message, transfer });
    if (this.auto && message.rpc === 'call' && message.method === 'init') this.answer({ rpc: 'result', id: message.id, method: 'init', value: ENGINE });
  }
  calls(method: string): { message: Call; transfer: Transferable[] }[] {
    return this.sent.filter((s): s is { message: Call; transfer: Transferable[] } => s.message.rpc === 'call' && s.message.method === method);
  }
  answer(r: WorkerToPage): void {
    queueMicrotask(() => this.dispatchEvent(new MessageEvent('message', { data: r })));
  }
  crash(message: string): void {
    this.dispatchEvent(Object.assign(new Event('error'), { message }));
  }
  terminate(): void {
    this.terminated = true;
  }
}

function client(auto = true) {
  const workers: FakeWorker[] = [];
  const c = new FaceClient({
    assetsUrl: 'http://127.0.0.1/human/',
    createWorker: () => {
      const w = new FakeWorker(auto);
      workers.push(w);
      return w;
    },
  });
  return { c, workers };
}

/** A photo file whose reads are watched: the page must never read it (the worker does). */
function photo() {
  const file = new Blob([new Uint8Array(8)], { type: 'image/jpeg' });
  const reads = [vi.spyOn(file, 'arrayBuffer'), vi.spyOn(file, 'stream'), vi.spyOn(file, 'text'), vi.spyOn(file, 'slice')];
  return { file, readOnPage: () => reads.some((r) => r.mock.calls.length > 0) };
}

/** Stands in for an ImageBitmap (absent in Node): all the client does with one is transfer or close it. */
function bitmap() {
  return { width: 10, height: 10, close: vi.fn() } as unknown as ImageBitmap & { close: ReturnType<typeof vi.fn> };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('FaceClient', () => {
  it('starts nothing until asked, then one worker with one init; the file goes unread, a bitmap is transferred', async () => {
    const { c, workers } = client();
    expect(workers).toHaveLength(0);
    const { file, readOnPage } = photo();
    const pic = bitmap();
    const first = c.detect(file);
    const second = c.detect(pic);
    await tick();
    const w = workers[0];
    expect(workers).toHaveLength(1);
    const inits = w.calls('init');
    expect(inits).toHaveLength(1);
    expect(inits[0].message.args).toMatchObject({ preference: 'auto', assetsUrl: 'http://127.0.0.1/human/' });
    const detects = w.calls('detect');
    expect(detects).toHaveLength(2);
    // The file itself is sent (a Blob is passed by reference, not copied), and nothing of it is read here.
    expect(detects[0].message.args).toBe(file);
    expect(detects[0].transfer).toEqual([]);
    expect(readOnPage()).toBe(false);
    // The bitmap is transferred, not copied.
    expect(detects[1].message.args).toBe(pic);
    expect(detects[1].transfer).toEqual([pic]);
    for (const d of detects) w.answer({ rpc: 'result', id: d.message.id, method: 'detect', value: { measured: MEASURED, timings: TIMINGS } });
    const [a, b] = await Promise.all([first, second]);
    expect(a.people.counts.faces).toBe(0);
    expect(a.people.peopleScore).toBeNull();
    expect(b.measured).toEqual(MEASURED);
  });

  it('rejects an aborted call at once with an AbortError and tells the worker', async () => {
    const { c, workers } = client();
    const controller = new AbortController();
    const pending = c.detect(photo().file, controller.signal);
    await tick();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(Cancelled);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const w = workers[0];
    const detect = w.calls('detect')[0];
    expect(w.sent.at(-1)?.message).toEqual({ rpc: 'cancel', id: detect.message.id });
    // A late answer for it is ignored.
    w.answer({ rpc: 'result', id: detect.message.id, method: 'detect', value: { measured: MEASURED, timings: TIMINGS } });
    await tick();
    // The worker is kept (it holds the loaded models) and answers the next call.
    expect(w.terminated).toBe(false);
    const next = c.detect(photo().file);
    await tick();
    w.answer({ rpc: 'result', id: w.calls('detect')[1].message.id, method: 'detect', value: { measured: MEASURED, timings: TIMINGS } });
    await expect(next).resolves.toMatchObject({ measured: MEASURED });
    expect(workers).toHaveLength(1);
  });

  it('does not send an already aborted request, and closes its bitmap', async () => {
    const { c, workers } = client();
    const controller = new AbortController();
    controller.abort();
    await expect(c.detect(photo().file, controller.signal)).rejects.toBeInstanceOf(Cancelled);
    const pic = bitmap();
    await expect(c.detect(pic, controller.signal)).rejects.toBeInstanceOf(Cancelled);
    expect(pic.close).toHaveBeenCalled();
    expect(workers).toHaveLength(0);
  });

  it('passes worker errors on, and a failed start is retried by the next call', async () => {
    const { c, workers } = client(false);
    const first = c.ready();
    await tick();
    const w = workers[0];
    w.answer({ rpc: 'error', id: w.calls('init')[0].message.id, method: 'init', message: 'Human could not load iris' });
    await expect(first).rejects.toThrow(RemoteError);
    await expect(first).rejects.toThrow('Human could not load iris');
    const second = c.ready();
    await tick();
    expect(w.calls('init')).toHaveLength(2);
    w.answer({ rpc: 'result', id: w.calls('init')[1].message.id, method: 'init', value: { backend: 'wasm', reason: 'r', human: 'h', tfjs: 't', loadMs: 0 } });
    await expect(second).resolves.toMatchObject({ backend: 'wasm' });
  });

  it('rejects everything pending when the worker crashes, and starts a fresh one next time', async () => {
    const { c, workers } = client();
    const pending = c.detect(photo().file);
    await tick();
    workers[0].crash('boom');
    await expect(pending).rejects.toThrow(WorkerCrashed);
    await expect(pending).rejects.toThrow(/face worker crashed: boom/);
    expect(workers[0].terminated).toBe(true);
    void c.ready();
    await tick();
    expect(workers).toHaveLength(2);
    expect(workers[1].calls('init')).toHaveLength(1);
  });

  it('terminate() stops the worker and rejects pending calls', async () => {
    const { c, workers } = client();
    const pending = c.detect(photo().file);
    await tick();
    c.terminate();
    await expect(pending).rejects.toThrow(/stopped/);
    expect(workers[0].terminated).toBe(true);
  });
});
