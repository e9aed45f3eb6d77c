import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Connect, ResolvedConfig, ViteDevServer } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { contentType, humanAssets, humanAssetsPlugin, humanBundledWasmVersion } from '../build/humanAssets';
import { precacheStrategy } from '../build/precacheManifest';

const ROOT = resolve(import.meta.dirname, '..');

describe('humanAssets', () => {
  const assets = humanAssets(ROOT);

  it('lists the three models with the weights their manifests name, and the two single-threaded wasm builds', () => {
    expect(assets.map((a) => a.url).sort()).toEqual(
      [
        'human/models/blazeface.bin',
        'human/models/blazeface.json',
        'human/models/facemesh.bin',
        'human/models/facemesh.json',
        'human/models/iris.bin',
        'human/models/iris.json',
        'human/wasm/tfjs-backend-wasm-simd.wasm',
        'human/wasm/tfjs-backend-wasm.wasm',
      ].sort(),
    );
    for (const a of assets) expect(a.file.startsWith(join(ROOT, 'node_modules'))).toBe(true);
    const models = assets.filter((a) => a.url.startsWith('human/models/')).reduce((s, a) => s + statSync(a.file).size, 0);
    // REFERENCE §8: ≈ 4.9 MB for the three models.
    expect(models / 1e6).toBeGreaterThan(4.5);
    expect(models / 1e6).toBeLessThan(5.5);
  });

  it('are all precached by the service worker (they live outside models/)', () => {
    for (const a of assets) expect(precacheStrategy(a.url), a.url).toBe('cache-first');
  });

  it("reads the TF.js WASM version Human's bundle was built with", () => {
    expect(humanBundledWasmVersion(join(ROOT, 'node_modules/@vladmandic/human'))).toBe(
      (JSON.parse(readFileSync(join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it('gives JSON, wasm and binary content types', () => {
    expect(contentType('human/models/iris.json')).toBe('application/json');
    expect(contentType('human/wasm/tfjs-backend-wasm.wasm')).toBe('application/wasm');
    expect(contentType('human/models/iris.bin')).toBe('application/octet-stream');
  });
});

describe('a mismatched install', () => {
  const root = mkdtempSync(join(tmpdir(), 'loupe-human-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function fakeInstall(bundled: string, installed: string): void {
    const human = join(root, 'node_modules/@vladmandic/human');
    mkdirSync(join(human, 'dist'), { recursive: true });
    mkdirSync(join(human, 'models'), { recursive: true });
    writeFileSync(join(human, 'package.json'), '{"name":"@vladmandic/human"}');
    writeFileSync(join(human, 'dist/tfjs.version.js'), `var e="4.22.0";var r="${bundled}";var h={tfjs:e,"tfjs-backend-wasm":r};export{h as version};`);
    const wasm = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm');
    mkdirSync(join(wasm, 'dist'), { recursive: true });
    writeFileSync(join(wasm, 'package.json'), JSON.stringify({ version: installed }));
  }

  it('fails the build: the .wasm files must match the JS glue bundled in Human', () => {
    fakeInstall('4.22.0', '4.21.0');
    expect(() => humanAssets(root)).toThrow(/bundles TF.js's WASM backend 4\.22\.0, but @tensorflow\/tfjs-backend-wasm 4\.21\.0 is installed/);
  });

  it('fails the build when a file is missing, naming it', () => {
    fakeInstall('4.21.0', '4.21.0');
    expect(() => humanAssets(root)).toThrow(/blazeface\.json/);
  });

  it('reads a version written as a literal too', () => {
    const dir = join(root, 'literal');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'dist/tfjs.version.js'), 'export const version={"tfjs-backend-wasm":"4.30.1"};');
    expect(humanBundledWasmVersion(dir)).toBe('4.30.1');
  });
});

describe('the Vite plugin', () => {
  const config = (command: 'build' | 'serve') => ({ root: ROOT, base: '/', command }) as unknown as ResolvedConfig;

  it('emits every file under human/ in a build', () => {
    const plugin = humanAssetsPlugin();
    (plugin.configResolved as (c: ResolvedConfig) => void)(config('build'));
    const emitted: { fileName: string; size: number }[] = [];
    const context = { emitFile: (f: { fileName: string; source: Uint8Array }) => void emitted.push({ fileName: f.fileName, size: f.source.byteLength }) };
    (plugin.generateBundle as (this: unknown) => void).call(context);
    expect(emitted.map((e) => e.fileName).sort()).toEqual(humanAssets(ROOT).map((a) => a.url).sort());
    const iris = emitted.find((e) => e.fileName === 'human/models/iris.bin');
    expect(iris?.size).toBe(statSync(join(ROOT, 'node_modules/@vladmandic/human/models/iris.bin')).size);
  });

  it('serves them on the dev server with their content type, and passes anything else on', () => {
    const plugin = humanAssetsPlugin();
    (plugin.configResolved as (c: ResolvedConfig) => void)(config('serve'));
    let middleware: Connect.NextHandleFunction | null = null;
    const server = { middlewares: { use: (m: Connect.NextHandleFunction) => void (middleware = m) } } as unknown as ViteDevServer;
    (plugin.configureServer as (s: ViteDevServer) => void)(server);
    expect(middleware).not.toBeNull();
    const headers: Record<string, unknown> = {};
    let body: Buffer | null = null;
    const res = { setHeader: (k: string, v: unknown) => void (headers[k] = v), end: (b: Buffer) => void (body = b) };
    let passed = 0;
    middleware!({ url: '/human/wasm/tfjs-backend-wasm-simd.wasm?v=1' } as Connect.IncomingMessage, res as never, () => void passed++);
    expect(headers['Content-Type']).toBe('application/wasm');
    expect((body as Buffer | null)?.byteLength).toBe(statSync(join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')).size);
    middleware!({ url: '/human/models/../../package.json' } as Connect.IncomingMessage, res as never, () => void passed++);
    middleware!({ url: '/src/main.tsx' } as Connect.IncomingMessage, res as never, () => void passed++);
    expect(passed).toBe(2);
  });
});
