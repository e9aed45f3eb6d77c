import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, downloadWithProgress } from '../src/engine/download';
import { sha256Hex } from '../src/platform/sha256Hex';
import { hubUrl, type ModelFile, type ModelManifest } from '../src/engine/manifest';
import { CacheStorageModelCache, MemoryModelCache, modelCacheKey } from '../src/engine/modelCache';
import {
  chooseDtypeFile,
  loadCatalogue,
  loadModelFile,
  ModelUnavailableError,
  remoteUrls,
  resolveManifest,
  type ModelLoadContext,
  type ModelLoadProgress,
} from '../src/engine/modelSources';
import {
  addModelFile,
  makeTempRoot,
  sha256,
  startFakeModelServer,
  writeBytes,
  writeCatalogue,
  writeFakeModel,
  type FakeModelServer,
} from './fakeModelServer';

const ID = 'fake-clip';
let server: FakeModelServer;
let manifest: ModelManifest;

beforeAll(async () => {
  const root = await makeTempRoot('loupe-sources-');
  manifest = await writeFakeModel(root, ID);
  await writeCatalogue(root, [manifest]);
  server = await startFakeModelServer(root);
});

afterAll(async () => {
  await server?.close();
});

function context(overrides: Partial<ModelLoadContext> = {}): ModelLoadContext {
  return { baseUrl: server.url, cache: new MemoryModelCache(), allowRemote: true, ...overrides };
}

/** A file that only the "remote" folder of the fake server has, so same-origin misses it. */
async function remoteOnlyFile(name: string, size = 20_000): Promise<ModelFile> {
  const bytes = randomBytes(size);
  await writeBytes(server.root, `remote/${name}`, bytes);
  return { path: `onnx/${name}`, bytes: size, sha256: sha256(bytes), urls: [`${server.url}remote/${name}`] };
}

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function requestsFor(path: string): number {
  return server.requests.filter((p) => p === path).length;
}

describe('loadModelFile', () => {
  it('loads a same-origin file with monotone progress that ends at the total', async () => {
    const file = manifest.vision.fp32 as ModelFile;
    const events: ModelLoadProgress[] = [];
    const result = await loadModelFile(manifest, file, context({ onProgress: (e) => events.push(e) }));

    expect(result.source).toBe('same-origin');
    expect(result.url).toBe(`${server.url}models/${ID}/${file.path}`);
    expect(result.bytes.byteLength).toBe(file.bytes);
    expect(await sha256Hex(result.bytes)).toBe(file.sha256);
    expect(events.length).toBeGreaterThan(2);
    for (const [i, e] of events.entries()) {
      expect(e).toMatchObject({ file: file.path, source: 'same-origin', total: file.bytes });
      if (i > 0) expect(e.loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
    }
    expect(events.at(-1)?.loaded).toBe(file.bytes);
  });

  it('serves the second load from the cache without a request', async () => {
    const file = manifest.text.int8 as ModelFile;
    const cache = new MemoryModelCache();
    const path = `/models/${ID}/${file.path}`;

    const first = await loadModelFile(manifest, file, context({ cache }));
    expect(first.source).toBe('same-origin');
    const requestsAfterFirst = requestsFor(path);

    const events: ModelLoadProgress[] = [];
    const second = await loadModelFile(manifest, file, context({ cache, onProgress: (e) => events.push(e) }));
    expect(second.source).toBe('cache');
    expect(Buffer.from(second.bytes).equals(first.bytes)).toBe(true);
    expect(requestsFor(path)).toBe(requestsAfterFirst);
    expect(events).toEqual([{ file: file.path, source: 'cache', loaded: file.bytes, total: file.bytes }]);
  });

  it('falls back to a remote URL when same-origin does not have the file, and caches it', async () => {
    const file = await remoteOnlyFile('remote_only.onnx');
    const cache = new MemoryModelCache();
    const result = await loadModelFile(manifest, file, context({ cache }));

    expect(result.source).toBe('remote');
    expect(result.url).toBe(file.urls?.[0]);
    expect(await sha256Hex(result.bytes)).toBe(file.sha256);
    expect(requestsFor(`/models/${ID}/${file.path}`)).toBe(1);
    expect(cache.entries.has(modelCacheKey(manifest, file) as string)).toBe(true);
  });

  it('does not take the SPA fallback page for a model, and says the file is not there', async () => {
    const file: ModelFile = { path: 'onnx/not_here.onnx', bytes: 1000 };
    const noSha: ModelFile = { path: 'onnx/also_not_here.onnx' };
    for (const f of [file, noSha]) {
      const error = await loadModelFile(manifest, f, context()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelUnavailableError);
      const sameOrigin = (error as ModelUnavailableError).attempts.find((a) => a.source === 'same-origin');
      expect(sameOrigin?.reason).toMatch(/not there \(the server answered with an HTML page\)/);
    }
  });

  it('treats a same-origin 404 as "not there" and uses the next source', async () => {
    const file = await remoteOnlyFile('after_404.onnx');
    server.behaviours.set(`/models/${ID}/${file.path}`, '404');
    const events: ModelLoadProgress[] = [];
    const result = await loadModelFile(manifest, file, context({ onProgress: (e) => events.push(e) }));
    expect(result.source).toBe('remote');
    expect(new Set(events.map((e) => e.source))).toEqual(new Set(['remote']));
  });

  it('refuses a file whose sha256 differs, naming the file', async () => {
    const file = await addModelFile(server.root, ID, 'onnx/corrupted.onnx', randomBytes(50_000));
    server.behaviours.set(`/models/${ID}/${file.path}`, 'corrupt');
    const cache = new MemoryModelCache();
    const error = await loadModelFile(manifest, file, context({ cache })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ModelUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('onnx/corrupted.onnx');
    expect(message).toMatch(/sha256 expected [0-9a-f]{64}, got [0-9a-f]{64}/);
    expect(cache.entries.size).toBe(0);
  });

  it('uses picked files, matched by relative path and then by base name', async () => {
    const bytes = randomBytes(30_000);
    const file: ModelFile = { path: 'onnx/picked_only.onnx', bytes: bytes.byteLength, sha256: sha256(bytes) };
    const wrong = randomBytes(30_000);

    const byPath = new Map<string, Blob>([
      ['clip-folder/other/picked_only.onnx', new Blob([wrong])],
      ['clip-folder/onnx/picked_only.onnx', new Blob([bytes])],
    ]);
    const events: ModelLoadProgress[] = [];
    const viaPath = await loadModelFile(manifest, file, context({ pickedFiles: byPath, onProgress: (e) => events.push(e) }));
    expect(viaPath).toMatchObject({ source: 'picked', url: 'clip-folder/onnx/picked_only.onnx' });
    expect(Buffer.from(viaPath.bytes).equals(bytes)).toBe(true);
    expect(events.at(-1)).toEqual({ file: file.path, source: 'picked', loaded: bytes.byteLength, total: bytes.byteLength });

    // A base-name match with the wrong content is refused; the one that verifies is used.
    const byName = new Map<string, Blob>([
      ['downloads/picked_only.onnx', new Blob([wrong])],
      ['picked_only.onnx', new Blob([bytes])],
    ]);
    const viaName = await loadModelFile(manifest, file, context({ pickedFiles: byName }));
    expect(viaName).toMatchObject({ source: 'picked', url: 'picked_only.onnx' });
  });

  it('prefers picked files over a remote download', async () => {
    const file = await remoteOnlyFile('picked_or_remote.onnx');
    const bytes = await (await fetch(file.urls?.[0] as string)).arrayBuffer();
    const before = requestsFor('/remote/picked_or_remote.onnx');
    const result = await loadModelFile(
      manifest,
      file,
      context({ pickedFiles: new Map([['picked_or_remote.onnx', new Blob([bytes])]]) }),
    );
    expect(result.source).toBe('picked');
    expect(requestsFor('/remote/picked_or_remote.onnx')).toBe(before);
  });

  it('stops on abort without trying other sources', async () => {
    const file = await remoteOnlyFile('stalls.onnx', 200_000);
    const path = `/models/${ID}/${file.path}`;
    await writeBytes(server.root, path, randomBytes(200_000));
    server.behaviours.set(path, 'stall');
    const controller = new AbortController();
    const remoteBefore = requestsFor('/remote/stalls.onnx');

    const loading = loadModelFile(
      manifest,
      file,
      context({
        signal: controller.signal,
        onProgress: (e) => {
          if (e.loaded > 0) controller.abort();
        },
      }),
    );
    await expect(loading).rejects.toMatchObject({ name: 'AbortError' });
    expect(requestsFor('/remote/stalls.onnx')).toBe(remoteBefore);
  });

  it('lists every source tried, why each failed, and how to fix it', async () => {
    const port = await closedPort();
    const file: ModelFile = {
      path: 'onnx/nowhere.onnx',
      bytes: 10,
      sha256: 'a'.repeat(64),
      urls: [`http://127.0.0.1:${port}/nowhere.onnx`, `${server.url}remote/answers-500`],
    };
    server.behaviours.set('/remote/answers-500', '500');
    const error = await loadModelFile(
      manifest,
      file,
      context({ pickedFiles: new Map([['unrelated.bin', new Blob(['x'])]]) }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ModelUnavailableError);
    const { message, attempts } = error as ModelUnavailableError;
    expect(attempts.map((a) => a.source)).toEqual(['cache', 'same-origin', 'picked', 'remote', 'remote']);
    expect(message).toContain('onnx/nowhere.onnx');
    expect(message).toContain('cache: not cached yet');
    expect(message).toContain(`same-origin ${server.url}models/${ID}/onnx/nowhere.onnx: not there`);
    expect(message).toContain('picked: none of the 1 picked files');
    expect(message).toContain(`cannot reach 127.0.0.1:${port}: connection refused`);
    expect(message).toContain(`${server.url}remote/answers-500 answered 500`);
    expect(message).toContain('run `npm run models:fetch` while online, or pick the model folder');
  });

  it('says so when remote downloads are off and nothing was picked', async () => {
    const file = await remoteOnlyFile('remote_off.onnx');
    const error = await loadModelFile(manifest, file, context({ allowRemote: false, cache: null })).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/cache: no cache on this page/);
    expect((error as Error).message).toMatch(/picked: no model folder or files picked/);
    expect((error as Error).message).toMatch(/remote: remote downloads are turned off/);
  });

  it('still loads when the cache is full, and reports it', async () => {
    const file = manifest.vision.int8 as ModelFile;
    const cache = new MemoryModelCache({ quotaBytes: 1000 });
    const warnings: string[] = [];
    const result = await loadModelFile(manifest, file, context({ cache, onWarning: (w) => warnings.push(w) }));

    expect(result.source).toBe('same-origin');
    expect(result.bytes.byteLength).toBe(file.bytes);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Not enough browser storage to keep onnx\/vision_model_quantized\.onnx/);
    expect(result.warnings).toEqual(warnings);
    expect(cache.entries.size).toBe(0);
  });

  it('drops a cached copy of the wrong size and loads it again', async () => {
    const file = manifest.tokenizer;
    const cache = new MemoryModelCache();
    const key = modelCacheKey(manifest, file) as string;
    await cache.put(key, new Uint8Array(3), { modelId: ID, path: file.path });
    const result = await loadModelFile(manifest, file, context({ cache }));
    expect(result.source).toBe('same-origin');
    expect((await cache.get(key))?.byteLength).toBe(file.bytes);
  });
});

describe('downloadWithProgress', () => {
  it('names the file, the URL, and expected vs got on a sha256 mismatch', async () => {
    const file = manifest.text.fp32 as ModelFile;
    const url = `${server.url}models/${ID}/${file.path}`;
    const error = await downloadWithProgress(url, { expected: { sha256: 'b'.repeat(64) }, name: file.path }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).kind).toBe('sha256');
    expect((error as Error).message).toBe(
      `${file.path} from ${url} is not the expected file: sha256 expected ${'b'.repeat(64)}, got ${file.sha256}`,
    );
  });

  it('refuses a wrong size before reading the body', async () => {
    const file = manifest.text.fp32 as ModelFile;
    const url = `${server.url}models/${ID}/${file.path}`;
    const events: number[] = [];
    const error = await downloadWithProgress(url, {
      expected: { bytes: 123 },
      onProgress: (p) => events.push(p.loaded),
    }).catch((e: unknown) => e);
    expect((error as DownloadError).kind).toBe('size');
    expect((error as Error).message).toContain(`text_model.onnx from ${url} has the wrong size: expected 123 bytes, got ${file.bytes}`);
    expect(events).toEqual([]);
  });

  it('stops reading once a body without Content-Length outgrows the expected size', async () => {
    const body = new Uint8Array(5000);
    const fetchImpl: typeof fetch = async () =>
      new Response(new Blob([body]).stream(), { headers: { 'content-type': 'application/octet-stream' } });
    const error = await downloadWithProgress('https://example.test/x.onnx', {
      expected: { bytes: 100 },
      fetchImpl,
    }).catch((e: unknown) => e);
    expect((error as DownloadError).kind).toBe('size');
    expect((error as Error).message).toMatch(/x\.onnx from https:\/\/example\.test\/x\.onnx has the wrong size: expected 100 bytes/);
  });

  it('says "cannot reach <host>" on a network error and "<url> answered <status>" otherwise', async () => {
    const port = await closedPort();
    await expect(downloadWithProgress(`http://127.0.0.1:${port}/x`)).rejects.toThrow(
      `cannot reach 127.0.0.1:${port}: connection refused`,
    );
    server.behaviours.set('/answers-404', '404');
    await expect(downloadWithProgress(`${server.url}answers-404`)).rejects.toThrow(
      `${server.url}answers-404 answered 404 Not Found`,
    );
  });

  it('gives up on a server that stops sending', async () => {
    const path = `/models/${ID}/onnx/stall_timeout.onnx`;
    await writeBytes(server.root, path, randomBytes(100_000));
    server.behaviours.set(path, 'stall');
    await expect(downloadWithProgress(`${server.url}${path.slice(1)}`, { stallTimeoutMs: 300 })).rejects.toThrow(
      /connection to 127\.0\.0\.1:\d+ broke while downloading .*: 127\.0\.0\.1:\d+ sent nothing for 0\.3 s/,
    );
  });
});

describe('catalogue and manifests', () => {
  it('reads the catalogue and finds a model outside it through models/<id>/manifest.json', async () => {
    const catalogue = await loadCatalogue(server.url);
    expect(catalogue.default).toBe(ID);
    expect(await resolveManifest(catalogue, ID, server.url)).toEqual(manifest);

    const extra = { ...manifest, id: 'clip-tiny' };
    await writeBytes(server.root, 'models/clip-tiny/manifest.json', new TextEncoder().encode(JSON.stringify(extra)));
    expect(await resolveManifest(catalogue, 'clip-tiny', server.url)).toEqual(extra);
  });

  it('refuses unknown and unsafe model ids with a clear message', async () => {
    const catalogue = await loadCatalogue(server.url);
    await expect(resolveManifest(catalogue, 'no-such-model', server.url)).rejects.toThrow(
      /Unknown model "no-such-model": not in the catalogue \(fake-clip\) and .*: not there/,
    );
    await expect(resolveManifest(catalogue, '../secrets', server.url)).rejects.toThrow(/not a valid model id/);
  });

  it('chooses the first available dtype in preference order', () => {
    expect(chooseDtypeFile(manifest, 'vision', ['fp16', 'int8', 'fp32']).dtype).toBe('int8');
    expect(chooseDtypeFile(manifest, 'text', ['fp32', 'int8'])).toEqual({ dtype: 'fp32', file: manifest.text.fp32 });
    expect(() => chooseDtypeFile(manifest, 'vision', ['fp16'])).toThrow(/no vision encoder in fp16; it has fp32, int8/);
  });

  it('builds hub URLs at the pinned revision unless the file lists its own', () => {
    const hubbed = { ...manifest, hub: { repo: 'Xenova/clip-vit-base-patch32', revision: 'abc123' } };
    expect(remoteUrls(hubbed, { path: 'onnx/vision_model.onnx' })).toEqual([
      'https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/abc123/onnx/vision_model.onnx',
    ]);
    expect(remoteUrls(hubbed, { path: 'x.pth', urls: ['https://raw.example/x.pth'] })).toEqual(['https://raw.example/x.pth']);
    expect(hubUrl('a/b', 'r', 'p')).toBe('https://huggingface.co/a/b/resolve/r/p');
  });
});

describe('model cache', () => {
  it('keys by content: digest when known, else pinned revision, else not cacheable', () => {
    const base = { id: 'm' };
    expect(modelCacheKey(base, { path: 'onnx/v.onnx', sha256: 'AB'.repeat(32) })).toBe(
      `https://model-cache.loupe.invalid/v1/m/onnx/v.onnx?sha256=${'ab'.repeat(32)}`,
    );
    expect(modelCacheKey({ id: 'm', hub: { repo: 'r/x', revision: 'rev1' } }, { path: 'onnx/v.onnx' })).toBe(
      'https://model-cache.loupe.invalid/v1/m/onnx/v.onnx?revision=rev1',
    );
    expect(modelCacheKey(base, { path: 'onnx/v.onnx' })).toBeUndefined();
  });

  it('stores bytes in Cache Storage with their digest and drops entries that do not match it', async () => {
    const storage = fakeCacheStorage();
    const cache = new CacheStorageModelCache(storage.api, 'loupe-models-v1');
    const bytes = randomBytes(5000);
    const key = modelCacheKey({ id: 'm' }, { path: 'a.onnx', sha256: sha256(bytes) }) as string;

    await cache.put(key, bytes, { modelId: 'm', path: 'a.onnx', sha256: sha256(bytes), url: 'https://x/a.onnx' });
    expect(storage.opened).toEqual(['loupe-models-v1']);
    expect(Buffer.from((await cache.get(key)) as Uint8Array).equals(bytes)).toBe(true);

    const otherKey = modelCacheKey({ id: 'm' }, { path: 'b.onnx', sha256: 'c'.repeat(64) }) as string;
    await cache.put(otherKey, bytes, { modelId: 'm', path: 'b.onnx', sha256: sha256(bytes) });
    expect(await cache.get(otherKey)).toBeUndefined();
    expect(storage.entries.has(otherKey)).toBe(false);
    expect(await cache.delete(key)).toBe(true);
    expect(await cache.get(key)).toBeUndefined();
  });
});

/** Just enough of CacheStorage for CacheStorageModelCache; Node has no Cache Storage. */
function fakeCacheStorage(): { api: CacheStorage; entries: Map<string, Response>; opened: string[] } {
  const entries = new Map<string, Response>();
  const opened: string[] = [];
  const cache = {
    async match(key: string) {
      return entries.get(key)?.clone();
    },
    async put(key: string, response: Response) {
      entries.set(key, new Response(await response.arrayBuffer(), { headers: response.headers }));
    },
    async delete(key: string) {
      return entries.delete(key);
    },
  };
  const api = {
    async open(name: string) {
      opened.push(name);
      return cache;
    },
  };
  // The cast is the point of a fake: only the three methods the class calls exist.
  return { api: api as unknown as CacheStorage, entries, opened };
}
