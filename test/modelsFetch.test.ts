import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelFile, ModelManifest } from '../src/engine/manifest';
import {
  makeTempRoot,
  startFakeModelServer,
  writeBytes,
  writeCatalogue,
  writeFakeModel,
  type FakeModelServer,
} from './fakeModelServer';

const REPO = resolve(import.meta.dirname, '..');
const TSX = join(REPO, 'node_modules', '.bin', 'tsx');
const CLI = join(REPO, 'cli', 'models-fetch.ts');

let server: FakeModelServer;
let good: ModelManifest;
let out: string;

beforeAll(async () => {
  const root = await makeTempRoot('loupe-fetch-server-');
  good = await writeFakeModel(root, 'fake-clip');
  const bad = await writeFakeModel(root, 'fake-bad');
  bad.tokenizer = { ...bad.tokenizer, sha256: '0'.repeat(64) };
  await writeCatalogue(root, [good, bad]);
  server = await startFakeModelServer(root);
  out = await makeTempRoot('loupe-fetch-out-');
});

afterAll(async () => {
  await server?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}

/** Asynchronous on purpose: the fake server lives in this process and must keep answering. */
function runCli(args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(TSX, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr, ms: Date.now() - started }));
  });
}

function defaultFiles(m: ModelManifest): ModelFile[] {
  return [
    m.vision.fp32 as ModelFile,
    m.vision.int8 as ModelFile,
    m.text.fp32 as ModelFile,
    m.text.int8 as ModelFile,
    m.tokenizer,
    m.aestheticHead as ModelFile,
  ];
}

function modelRequests(id: string): string[] {
  return server.requests.filter((p) => p.startsWith(`/models/${id}/`));
}

describe('models-fetch CLI', () => {
  it('downloads the default dtypes, tokenizer and head with the right sizes', async () => {
    const run = await runCli(['--base-url', server.url, '--out', out]);
    expect(run.stderr).toContain('fake-clip: 6 downloaded, 0 already present, 0 failed');
    expect(run.code).toBe(0);
    for (const file of defaultFiles(good)) {
      expect((await stat(join(out, 'fake-clip', file.path))).size).toBe(file.bytes);
    }
    expect(run.stderr).toMatch(/✓ onnx\/vision_model\.onnx \(600\.0 kB\) downloaded from 127\.0\.0\.1:\d+/);
    const onnx = await readdir(join(out, 'fake-clip', 'onnx'));
    expect(onnx.sort()).toEqual(
      ['text_model.onnx', 'text_model_quantized.onnx', 'vision_model.onnx', 'vision_model_quantized.onnx'],
    );
  });

  it('skips files already present on a second run', async () => {
    const before = modelRequests('fake-clip').length;
    const run = await runCli(['--base-url', server.url, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('fake-clip: 0 downloaded, 6 already present, 0 failed');
    expect(modelRequests('fake-clip').length).toBe(before);
  });

  it('downloads again a present file whose content is wrong', async () => {
    const file = good.text.int8 as ModelFile;
    const path = join(out, 'fake-clip', file.path);
    await writeFile(path, randomBytes(file.bytes as number));
    const run = await runCli(['--base-url', server.url, '--out', out, '--dtype', 'int8']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/text_model_quantized\.onnx exists but its sha256 is [0-9a-f]{64}, not/);
    expect(run.stderr).toContain('fake-clip: 1 downloaded, 3 already present, 0 failed');
    expect((await readFile(path)).equals(await readFile(join(server.root, 'models', 'fake-clip', file.path)))).toBe(true);
  });

  it('exits 1 naming the file when a download has the wrong sha256, and leaves no file behind', async () => {
    const run = await runCli(['--base-url', server.url, '--out', out, '--model', 'fake-bad']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /✗ tokenizer\.json: tokenizer\.json from http:\/\/127\.0\.0\.1:\d+\/models\/fake-bad\/tokenizer\.json is not the expected file: sha256 expected 0{64}, got [0-9a-f]{64}/,
    );
    expect(run.stderr).toContain('fake-bad: 5 downloaded, 0 already present, 1 failed');
    const names = await readdir(join(out, 'fake-bad'));
    expect(names.sort()).toEqual(['onnx', 'sa_0_4_vit_b_32_linear.pth']);
  });

  it('writes the manifest of a model found outside the catalogue, so the app can find it too', async () => {
    const extra = { ...good, id: 'clip-tiny' };
    for (const file of defaultFiles(good)) {
      await writeBytes(server.root, `models/clip-tiny/${file.path}`, await readFile(join(server.root, 'models', 'fake-clip', file.path)));
    }
    await writeBytes(server.root, 'models/clip-tiny/manifest.json', new TextEncoder().encode(JSON.stringify(extra)));
    const run = await runCli(['--base-url', server.url, '--out', out, '--model', 'clip-tiny']);
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'clip-tiny', 'manifest.json'), 'utf8'))).toEqual(extra);
  });

  it('fails fast with "cannot reach" when the host is unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((done) => probe.close(() => done()));

    for (const base of ['http://127.0.0.1:9/', `http://127.0.0.1:${port}/`, 'http://loupe-models.invalid/']) {
      const target = await makeTempRoot('loupe-fetch-unreachable-');
      const run = await runCli(['--base-url', base, '--out', target]);
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^cannot reach ${new URL(base).host.replace(/\./g, '\\.')}: .+\\. Models were not downloaded\\. Run this on a machine with internet access, or copy the files into .+ \\(see README\\)\\.$`),
      );
      expect(run.ms).toBeLessThan(15_000);
      expect(await readdir(target)).toEqual([]);
      await rm(target, { recursive: true, force: true });
    }
  });

  it('refuses an unknown dtype with usage', async () => {
    const run = await runCli(['--dtype', 'fp8']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown dtype: fp8');
    expect(run.stderr).toContain('usage:');
  });
});

describe('models-fetch CLI on the generated clip-tiny', () => {
  it('fetches the real generated model files from a local server, and they load in onnxruntime-node', async () => {
    const publicDir = join(REPO, 'public');
    const manifestPath = join(publicDir, 'models', 'clip-tiny', 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8').catch(() => {
      throw new Error('public/models/clip-tiny is missing: run `npm run models:test` first');
    })) as ModelManifest;
    // The fake server deletes its root on close: serve a copy, never public/ itself.
    const served = await makeTempRoot('loupe-fetch-public-');
    await cp(join(publicDir, 'models', 'manifest.json'), join(served, 'models', 'manifest.json'));
    await cp(join(publicDir, 'models', 'clip-tiny'), join(served, 'models', 'clip-tiny'), { recursive: true });
    const local = await startFakeModelServer(served);
    const dest = await makeTempRoot('loupe-fetch-tiny-');
    try {
      const run = await runCli(['--base-url', local.url, '--out', dest, '--model', 'clip-tiny', '--dtype', 'fp32']);
      expect(run.code, run.stderr).toBe(0);
      for (const file of [manifest.vision.fp32!, manifest.text.fp32!, manifest.tokenizer, manifest.aestheticHead!]) {
        const bytes = await readFile(join(dest, 'clip-tiny', file.path));
        expect(bytes.length).toBe(file.bytes);
      }
      const ort = await import('onnxruntime-node');
      const session = await ort.InferenceSession.create(join(dest, 'clip-tiny', manifest.vision.fp32!.path));
      expect(session.inputNames).toEqual(['pixel_values']);
      expect(session.outputNames).toContain('image_embeds');
    } finally {
      await local.close();
      await rm(dest, { recursive: true, force: true });
    }
  });
});
