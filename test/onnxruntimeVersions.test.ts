/**
 * One onnxruntime (issue 15): the browser (onnxruntime-web), the CLI (onnxruntime-node) and their shared API
 * (onnxruntime-common) are one exact version, so the parity tests compare the same runtime on both sides. A
 * range ("^1.30.0") would let an install without the lock file put the browser on one release and the CLI on
 * another.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const PACKAGES = ['onnxruntime-common', 'onnxruntime-web', 'onnxruntime-node'] as const;

interface Manifest {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const read = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as unknown;
const declared = (m: Manifest, name: string) => m.dependencies?.[name] ?? m.devDependencies?.[name];

describe('onnxruntime versions', () => {
  const pkg = read('package.json') as Manifest;
  const version = declared(pkg, 'onnxruntime-web');

  it('package.json pins onnxruntime-web, -common and -node to the same exact version', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const name of PACKAGES) expect(declared(pkg, name), name).toBe(version);
  });

  it('the lock file holds that version and no other, wherever the packages appear', () => {
    const lock = read('package-lock.json') as { packages: Record<string, Manifest> };
    for (const name of PACKAGES) expect(declared(lock.packages[''], name), `lock root: ${name}`).toBe(version);
    const found = Object.entries(lock.packages).filter(([path]) => PACKAGES.some((name) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`)));
    expect(found.map(([path]) => path).sort()).toEqual(PACKAGES.map((name) => `node_modules/${name}`).sort());
    for (const [path, entry] of found) {
      expect(entry.version, path).toBe(version);
      // -web and -node name the -common they were built against.
      const common = entry.dependencies?.['onnxruntime-common'];
      if (common !== undefined) expect(common, `${path} → onnxruntime-common`).toBe(version);
    }
  });

  it('node_modules has that version installed', () => {
    for (const name of PACKAGES) expect((read(`node_modules/${name}/package.json`) as Manifest).version, name).toBe(version);
  });
});
