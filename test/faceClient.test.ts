import { describe, expect, it } from 'vitest';
import type { AdapterFacts } from '../src/engine/backend';
import { chooseFaceBackend } from '../src/engine/faceBackend';
import { FaceCancelled, FaceClient, FaceEngineError } from '../src/engine/faceClient';
import type { FaceRequest, FaceResponse } from '../src/engine/faceProtocol';
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

/** A stand-in worker: records what it is sent and answers through `answer`. */
class FakeWorker {
  sent: { message: FaceRequest; transfer: Transferable[] }[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent<FaceResponse>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  constructor(private readonly auto: boolean) {}
  postMessage(message: FaceRequest, transfer: Transferable[] = []): void {
    this.sent.push({ message, transfer });
    if (!this.auto) return;
    if (message.type === 'init') this.answer({ type: 'ready', id: message.id, engine: { backend: 'wasm', reason: 'test', human: '3.3.6', tfjs: '4.22.0', loadMs: 1 } });
  }
  answer(r: FaceResponse): void {
    queueMicrotask(() => this.onmessage?.({ data: r } as MessageEvent<FaceResponse>));
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
      return w as unknown as Worker;
    },
  });
  return { c, workers };
}

const bytes = () => ({ kind: 'bytes' as const, bytes: new ArrayBuffer(8), mimeType: 'image/jpeg' });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('FaceClient', () => {
  it('starts nothing until asked, then one worker with one init', async () => {
    const { c, workers } = client();
    expect(workers).toHaveLength(0);
    const first = c.detect(bytes());
    const second = c.detect(bytes());
    await tick();
    const w = workers[0];
    expect(workers).toHaveLength(1);
    const inits = w.sent.filter((s) => s.message.type === 'init');
    expect(inits).toHaveLength(1);
    expect(inits[0].message).toMatchObject({ preference: 'auto', assetsUrl: 'http://127.0.0.1/human/' });
    const detects = w.sent.filter((s) => s.message.type === 'detect');
    expect(detects).toHaveLength(2);
    // The bytes are transferred, not copied.
    const d0 = detects[0].message as Extract<FaceRequest, { type: 'detect' }>;
    expect(d0.image.kind).toBe('bytes');
    expect(detects[0].transfer).toEqual([(d0.image as { bytes: ArrayBuffer }).bytes]);
    for (const d of detects) w.answer({ type: 'faces', id: d.message.id, measured: MEASURED, timings: { decodeMs: 0, readMs: 0, detectMs: 0, measureMs: 0 } });
    const [a, b] = await Promise.all([first, second]);
    expect(a.people.counts.faces).toBe(0);
    expect(a.people.peopleScore).toBeNull();
    expect(b.measured).toEqual(MEASURED);
  });

  it('rejects an aborted call at once with an AbortError and tells the worker', async () => {
    const { c, workers } = client();
    const controller = new AbortController();
    const pending = c.detect(bytes(), controller.signal);
    await tick();
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(FaceCancelled);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const w = workers[0];
    const detect = w.sent.find((s) => s.message.type === 'detect')!;
    expect(w.sent.at(-1)?.message).toEqual({ type: 'abort', id: detect.message.id });
    // A late answer for it is ignored.
    w.answer({ type: 'error', id: detect.message.id, message: 'cancelled', cancelled: true });
    await tick();
  });

  it('does not send an already aborted request', async () => {
    const { c, workers } = client();
    const controller = new AbortController();
    controller.abort();
    await expect(c.detect(bytes(), controller.signal)).rejects.toBeInstanceOf(FaceCancelled);
    expect(workers).toHaveLength(0);
  });

  it('passes worker errors on, and a failed start is retried by the next call', async () => {
    const { c, workers } = client(false);
    const first = c.ready();
    await tick();
    const w = workers[0];
    w.answer({ type: 'error', id: w.sent[0].message.id, message: 'Human could not load iris', cancelled: false });
    await expect(first).rejects.toThrow(FaceEngineError);
    const second = c.ready();
    await tick();
    expect(w.sent.filter((s) => s.message.type === 'init')).toHaveLength(2);
    w.answer({ type: 'ready', id: w.sent[1].message.id, engine: { backend: 'wasm', reason: 'r', human: 'h', tfjs: 't', loadMs: 0 } });
    await expect(second).resolves.toMatchObject({ backend: 'wasm' });
  });

  it('rejects everything pending when the worker crashes, and starts a fresh one next time', async () => {
    const { c, workers } = client();
    const pending = c.detect(bytes());
    await tick();
    workers[0].onerror?.({ message: 'boom' } as ErrorEvent);
    await expect(pending).rejects.toThrow(/crashed: boom/);
    expect(workers[0].terminated).toBe(true);
    void c.ready();
    await tick();
    expect(workers).toHaveLength(2);
  });

  it('terminate() stops the worker and rejects pending calls', async () => {
    const { c, workers } = client();
    const pending = c.detect(bytes());
    await tick();
    c.terminate();
    await expect(pending).rejects.toThrow(/stopped/);
    expect(workers[0].terminated).toBe(true);
  });
});
