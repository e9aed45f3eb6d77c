import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogueDefault, modelInventory, staleReason } from '../cli/lib/demoModels';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-demo-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function manifest(id: string, synthetic: boolean) {
  return {
    schema: 1,
    id,
    description: id,
    synthetic,
    embedDim: 512,
    imageSize: 224,
    contextLength: 77,
    vision: { fp32: { path: 'onnx/vision_model.onnx', bytes: 4 }, int8: { path: 'onnx/vision_model_quantized.onnx', bytes: 2 } },
    text: { fp32: { path: 'onnx/text_model.onnx' } },
    tokenizer: { path: 'tokenizer.json' },
    aestheticHead: { path: 'head.pth', format: 'pth-linear', scale: '1-10' },
  };
}

function put(dir: string, rel: string, bytes: number): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), new Uint8Array(bytes));
}

describe('demo model inventory', () => {
  it('lists catalogue models and generated ones, with what is on disk', () => {
    const models = tempDir();
    writeFileSync(join(models, 'manifest.json'), JSON.stringify({ schema: 1, default: 'real', models: [manifest('real', false)] }));
    mkdirSync(join(models, 'tiny'));
    writeFileSync(join(models, 'tiny', 'manifest.json'), JSON.stringify(manifest('tiny', true)));
    put(join(models, 'tiny'), 'onnx/vision_model.onnx', 4);
    put(join(models, 'tiny'), 'onnx/vision_model_quantized.onnx', 3); // wrong size: not counted
    put(join(models, 'tiny'), 'head.pth', 10);
    expect(catalogueDefault(models)).toBe('real');
    const inv = modelInventory(models);
    expect(inv.map((m) => m.id)).toEqual(['real', 'tiny']);
    expect(inv[0]).toMatchObject({ synthetic: false, vision: [], canScore: false, canTag: false });
    expect(inv[1]).toMatchObject({ synthetic: true, vision: ['fp32'], text: [], aestheticHead: true, tokenizer: false, canScore: true, canTag: false });
  });

  it('is empty without a models folder', () => {
    expect(modelInventory(join(tempDir(), 'nope'))).toEqual([]);
  });
});

describe('demo build staleness', () => {
  it('rebuilds a missing build, one without a service worker, and one older than its sources', () => {
    const root = tempDir();
    const out = join(root, 'dist');
    const src = join(root, 'src');
    put(src, 'main.ts', 1);
    expect(staleReason(out, [src])).toMatch(/no build/);
    put(out, 'index.html', 1);
    expect(staleReason(out, [src])).toMatch(/no service worker/);
    put(out, 'sw.js', 1);
    const old = new Date(Date.now() - 60_000);
    const built = new Date(Date.now() - 30_000);
    utimesSync(join(src, 'main.ts'), old, old);
    utimesSync(src, old, old);
    utimesSync(join(out, 'index.html'), built, built);
    expect(staleReason(out, [src])).toBeNull();
    put(src, 'new.ts', 1); // newer than the build
    expect(staleReason(out, [src])).toMatch(/sources changed/);
  });
});
