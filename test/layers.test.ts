import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLayerViolations, formatViolation, type LayerViolation } from '../scripts/checkLayers';
import { importSpecifiers } from '../scripts/importSpecifiers';

const REPO = resolve(__dirname, '..');

describe('the layering of this repository', () => {
  it('has no wrong-way import', () => {
    expect(findLayerViolations(REPO).map(formatViolation)).toEqual([]);
  });
});

describe('importSpecifiers', () => {
  it('finds every kind of module reference, with its line', () => {
    const source = [
      "import { a } from './a';", // 1
      "import type { B } from '../b';", // 2
      "import './side-effect';", // 3
      'import {', // 4
      '  c,', // 5
      "} from './c';", // 6
      "export * from './d';", // 7
      "export type { E } from './e';", // 8
      "const f = await import('./f');", // 9
      "type G = typeof import('./g');", // 10
      "new Worker(new URL('./h.worker.ts', import.meta.url), { type: 'module' });", // 11
      "import Default, * as ns from 'pkg';", // 12
    ].join('\n');
    expect(importSpecifiers(source).map((s) => [s.specifier, s.line, s.kind, s.typeOnly])).toEqual([
      ['./a', 1, 'static', false],
      ['../b', 2, 'static', true],
      ['./side-effect', 3, 'static', false],
      ['./c', 6, 'static', false],
      ['./d', 7, 're-export', false],
      ['./e', 8, 're-export', true],
      ['./f', 9, 'dynamic', false],
      ['./g', 10, 'dynamic', false],
      ['./h.worker.ts', 11, 'worker-url', false],
      ['pkg', 12, 'static', false],
    ]);
  });

  it('skips imports written in comments, strings, templates and regexes', () => {
    const source = [
      "// import { a } from '../ui/a';",
      "/* import { b } from '../ui/b'; */",
      "const s = \"import { c } from '../ui/c'\";",
      "const t = `import { d } from '../ui/d' ${1 + 1} ${`nested ${'x'}`}`;",
      "const r = /['\"`]/g; const q = a / b / c;",
      "export const meta = import.meta.url; export { s, t };",
      "import { real } from './real';",
    ].join('\n');
    expect(importSpecifiers(source).map((s) => [s.specifier, s.line])).toEqual([['./real', 7]]);
  });

  it('does not read a re-export clause into the next statement', () => {
    const source = "const x = 1;\nexport { x }\nexport const from = 'y';\nimport { z } from './z';";
    expect(importSpecifiers(source).map((s) => s.specifier)).toEqual(['./z']);
  });
});

describe('findLayerViolations on a planted tree', () => {
  let root = '';
  const plant = (path: string, lines: string[]): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), `${lines.join('\n')}\n`);
  };
  let found: LayerViolation[] = [];
  const at = (file: string): [number, string][] => found.filter((v) => v.file === file).map((v) => [v.line, v.rule]);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'loupe-layers-'));
    plant('src/main.tsx', ["import { App } from './ui/App';", "import { decode } from './library/decode';"]);
    plant('src/ui/App.tsx', ["import { useStore } from '../state/store';", "import { sharpness } from '../scoring/sharpness';"]);
    plant('src/state/store.ts', ["import { create } from 'zustand';", "export const useStore = create(() => ({}));"]);
    // library → engine is allowed (the decode worker runs the engine's preprocessing)
    plant('src/library/decode.ts', ["import { preprocess } from '../engine/preprocess';", "export const decode = preprocess;"]);
    plant('src/engine/preprocess.ts', [
      'export const preprocess = 1;',
      "import type { Decoded } from '../library/decode';", // line 2: a type from a higher layer still counts
      "const worker = new Worker(new URL('../ui/paint.worker.ts', import.meta.url));", // line 3
    ]);
    plant('src/scoring/sharpness.ts', [
      '// scoring is pure: nothing above it',
      "import { useStore } from '../state/store';", // line 2
      "export { preprocess } from '../engine/preprocess';", // line 3
      "import { readZip } from '../codecs/zip';",
    ]);
    plant('src/codecs/zip.ts', ["export const readZip = () => import('../scoring/sharpness');"]); // line 1
    plant('src/library/cache.ts', ["import { precache } from '../offline/precache';"]); // siblings do not import each other
    plant('src/offline/precache.ts', ['export const precache = 1;']);
    plant('src/lab/page.ts', ["import { seededPixels } from '../../bench/pixels';", "import { App } from '../ui/App';"]);
    plant('src/misc/helper.ts', ['export const helper = 1;']);
    plant('cli/tool.ts', [
      "import { sharpness } from '../src/scoring/sharpness';",
      "import { create } from 'zustand';", // line 2
      "import { useStore } from '../src/state/store';", // line 3
    ]);
    plant('training/embed.ts', ["import type { StoreApi } from 'zustand/vanilla';"]);
    plant('bench/pixels.ts', ["import { useStore } from '../src/state/store';"]); // bench is not checked
    found = findLayerViolations(root);
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('reports each wrong-way import with its file, line and rule, and nothing else', () => {
    expect(found.map((v) => [v.file, v.line, v.rule])).toEqual([
      ['cli/tool.ts', 2, 'no-store-outside-app'],
      ['cli/tool.ts', 3, 'no-store-outside-app'],
      ['src/codecs/zip.ts', 1, 'layer-order'],
      ['src/engine/preprocess.ts', 2, 'layer-order'],
      ['src/engine/preprocess.ts', 3, 'layer-order'],
      ['src/lab/page.ts', 1, 'src-imports-outside'],
      ['src/library/cache.ts', 1, 'layer-order'],
      ['src/misc/helper.ts', 1, 'unplaced-file'],
      ['src/scoring/sharpness.ts', 2, 'layer-order'],
      ['src/scoring/sharpness.ts', 3, 'layer-order'],
      ['training/embed.ts', 1, 'no-store-outside-app'],
    ]);
  });

  it('says in words which layer may not import which', () => {
    expect(at('src/scoring/sharpness.ts')).toEqual([[2, 'layer-order'], [3, 'layer-order']]);
    const [scoringToState] = found.filter((v) => v.file === 'src/scoring/sharpness.ts');
    expect(scoringToState.message).toContain('scoring (layer 5) may not import state (layer 2)');
    expect(found.find((v) => v.file === 'src/engine/preprocess.ts' && v.line === 2)?.message).toMatch(
      /^type-only import '\.\.\/library\/decode': engine \(layer 4\) may not import library \(layer 3\)/,
    );
    expect(found.find((v) => v.file === 'src/lab/page.ts')?.message).toContain('src/ may not import bench/');
    expect(found.find((v) => v.file === 'cli/tool.ts' && v.line === 2)?.message).toContain('may not use zustand');
  });

  it('fails the command line with the list, and passes once the imports are gone', async () => {
    const run = promisify(execFile);
    const cli = (dir: string) => run(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/checkLayers.ts'), dir]);
    const failed = await cli(root).then(() => null, (error: { code: number; stdout: string }) => error);
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain('src/scoring/sharpness.ts:2  [layer-order]');
    expect(failed?.stdout).toContain('11 wrong-way imports');

    const clean = mkdtempSync(join(tmpdir(), 'loupe-layers-clean-'));
    try {
      mkdirSync(join(clean, 'src/ui'), { recursive: true });
      writeFileSync(join(clean, 'src/ui/App.tsx'), "import { x } from '../scoring/x';\n");
      const { stdout } = await cli(clean);
      expect(stdout).toContain('layers hold');
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });
});
