/**
 * For `npm run demo`: which models a build folder can serve, and whether the build is older than its
 * sources. Pure file-system reads, no network.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isModelManifest, type Dtype, type ModelFile, type ModelManifest } from '../../src/engine/manifest';

export interface ModelPresence {
  id: string;
  synthetic: boolean;
  description: string;
  /** Encoder dtypes whose file is there (with the manifest's size when it gives one). */
  vision: Dtype[];
  text: Dtype[];
  tokenizer: boolean;
  aestheticHead: boolean;
  /** Scores need an image encoder and the aesthetic head; tags need a text encoder and the tokenizer. */
  canScore: boolean;
  canTag: boolean;
}

function present(dir: string, file: ModelFile | undefined): boolean {
  if (file === undefined) return false;
  const path = join(dir, ...file.path.split('/'));
  if (!existsSync(path)) return false;
  const stat = statSync(path);
  return stat.isFile() && (file.bytes === undefined || stat.size === file.bytes);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The catalogue's default model id (the one `/` opens), if the folder has a catalogue. */
export function catalogueDefault(modelsDir: string): string | undefined {
  const catalogue = readJson(join(modelsDir, 'manifest.json')) as { default?: unknown } | undefined;
  return typeof catalogue?.default === 'string' ? catalogue.default : undefined;
}

/** Every model the folder's `models/` describes (the catalogue, then `models/<id>/manifest.json`), with what is there. */
export function modelInventory(modelsDir: string): ModelPresence[] {
  const manifests = new Map<string, ModelManifest>();
  const catalogue = readJson(join(modelsDir, 'manifest.json')) as { models?: unknown[] } | undefined;
  for (const m of catalogue?.models ?? []) if (isModelManifest(m)) manifests.set(m.id, m);
  if (existsSync(modelsDir)) {
    for (const name of readdirSync(modelsDir).sort()) {
      const own = readJson(join(modelsDir, name, 'manifest.json'));
      if (isModelManifest(own) && own.id === name && !manifests.has(name)) manifests.set(name, own);
    }
  }
  return [...manifests.values()].map((m) => {
    const dir = join(modelsDir, m.id);
    const dtypes = (part: 'vision' | 'text'): Dtype[] =>
      (Object.keys(m[part]) as Dtype[]).filter((d) => present(dir, m[part][d]));
    const vision = dtypes('vision');
    const text = dtypes('text');
    const tokenizer = present(dir, m.tokenizer);
    const aestheticHead = present(dir, m.aestheticHead);
    return {
      id: m.id,
      synthetic: m.synthetic,
      description: m.description,
      vision,
      text,
      tokenizer,
      aestheticHead,
      canScore: vision.length > 0 && aestheticHead,
      canTag: text.length > 0 && tokenizer,
    };
  });
}

/** The newest modification time (ms) of the files under `paths` (files or folders, missing ones skipped). */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs); // a deleted file changes its folder
      for (const name of readdirSync(path)) visit(join(path, name));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of paths) visit(path);
  return newest;
}

/**
 * Why the build in `outDir` must be (re)made, or null when it is current: missing, made before the
 * service worker existed, or older than any of `sources`.
 */
export function staleReason(outDir: string, sources: readonly string[]): string | null {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return `${outDir} has no build`;
  if (!existsSync(join(outDir, 'sw.js'))) return `${outDir} has no service worker (an older build)`;
  const built = statSync(index).mtimeMs;
  if (newestMtime(sources) > built) return 'the sources changed since the last build';
  return null;
}
