/**
 * A fake model host for the loader and downloader tests: a folder in the OS temp dir laid out like the
 * app's public/ (models/manifest.json, models/<id>/...), served by node:http on 127.0.0.1 with the
 * failure modes real hosts have. Random bytes stand in for ONNX files: these tests are about bytes
 * arriving intact, not about what they contain.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, sep } from 'node:path';
import type { ModelCatalogue, ModelFile, ModelManifest } from '../src/engine/manifest';

/**
 * `stall`: headers and half the body, then silence; `corrupt`: right length, one byte changed;
 * `html`: the SPA fallback page even though the file exists; `404` / `500`: that status.
 */
export type Behaviour = 'stall' | 'corrupt' | 'html' | '404' | '500';

export interface FakeModelServer {
  /** Base URL ending in `/`, like the app's. */
  url: string;
  root: string;
  /** Every request path, in order. */
  requests: string[];
  behaviours: Map<string, Behaviour>;
  close(): Promise<void>;
}

const SPA_PAGE = '<!doctype html><html><head><title>Loupe</title></head><body><div id="root"></div></body></html>';

export async function makeTempRoot(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function writeBytes(root: string, path: string, bytes: Uint8Array): Promise<void> {
  const full = join(root, ...path.split('/'));
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, bytes);
}

/** A file entry with the size and digest of `bytes`, written at `models/<id>/<path>` under `root`. */
export async function addModelFile(root: string, id: string, path: string, bytes: Uint8Array): Promise<ModelFile> {
  await writeBytes(root, `models/${id}/${path}`, bytes);
  return { path, bytes: bytes.byteLength, sha256: sha256(bytes) };
}

/** A manifest of the real schema over random files; sizes chosen so the bigger ones arrive in many chunks. */
export async function writeFakeModel(root: string, id: string): Promise<ModelManifest> {
  const file = (path: string, size: number): Promise<ModelFile> => addModelFile(root, id, path, randomBytes(size));
  const tokenizer = new TextEncoder().encode(JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 } } }));
  const head = await file('sa_0_4_vit_b_32_linear.pth', 3047);
  return {
    schema: 1,
    id,
    description: `fake model ${id} for loader tests (random bytes)`,
    synthetic: true,
    embedDim: 512,
    imageSize: 224,
    contextLength: 77,
    vision: {
      fp32: await file('onnx/vision_model.onnx', 600_000),
      int8: await file('onnx/vision_model_quantized.onnx', 150_000),
    },
    text: {
      fp32: await file('onnx/text_model.onnx', 400_000),
      int8: await file('onnx/text_model_quantized.onnx', 100_000),
    },
    tokenizer: await addModelFile(root, id, 'tokenizer.json', tokenizer),
    aestheticHead: { ...head, format: 'pth-linear', scale: 'fake 1–10' },
  };
}

export async function writeCatalogue(root: string, models: ModelManifest[]): Promise<ModelCatalogue> {
  const catalogue: ModelCatalogue = { schema: 1, default: models[0].id, models };
  await writeBytes(root, 'models/manifest.json', new TextEncoder().encode(JSON.stringify(catalogue)));
  return catalogue;
}

export async function startFakeModelServer(root: string): Promise<FakeModelServer> {
  const requests: string[] = [];
  const behaviours = new Map<string, Behaviour>();
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    void answer(root, path, behaviours.get(path), res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    root,
    requests,
    behaviours,
    async close() {
      // Stalled responses never end on their own.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function answer(root: string, path: string, behaviour: Behaviour | undefined, res: ServerResponse): Promise<void> {
  if (behaviour === '404' || behaviour === '500') {
    res.writeHead(Number(behaviour), { 'content-type': 'text/plain' }).end(behaviour === '404' ? 'Not Found' : 'Oops');
    return;
  }
  const bytes = behaviour === 'html' ? undefined : await readServed(root, path);
  if (bytes === undefined) {
    // What Vite's dev server does for any unknown path: the app's index.html, with a 200.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(SPA_PAGE) });
    res.end(SPA_PAGE);
    return;
  }
  const type = path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, 'content-length': bytes.byteLength });
  if (behaviour === 'stall') {
    res.write(bytes.subarray(0, bytes.byteLength >> 1));
    return;
  }
  if (behaviour === 'corrupt') {
    const copy = Buffer.from(bytes);
    copy[copy.byteLength >> 1] ^= 0xff;
    res.end(copy);
    return;
  }
  res.end(bytes);
}

async function readServed(root: string, path: string): Promise<Buffer | undefined> {
  const full = normalize(join(root, path));
  if (!full.startsWith(root + sep)) return undefined;
  return readFile(full).catch(() => undefined);
}
