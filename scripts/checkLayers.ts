/**
 * The layering check (`npx tsx scripts/checkLayers.ts [repoRoot]`, a step of `npm test`): prints each
 * wrong-way import and exits 1 when there is one.
 *
 * Layers of src/, top to bottom. A file may import its own layer or any layer with a higher number; layers that
 * share a number are siblings and may not import each other.
 *
 *   0  main.tsx   the app page's entry: wires everything together
 *   0  lab/       the bench and test pages (lab.html): an entry like main.tsx, which never imports it
 *   0  sw.ts      the service worker's entry (offline/precache.ts holds its rules)
 *   1  ui/        React components and hooks
 *   2  state/     zustand stores, the pipeline and its background passes
 *   3  library/   files: collecting, decoding, metadata, quality figures, persistence, export
 *   3  offline/   service-worker registration and precache rules (imports nothing of the app)
 *   4  engine/    workers and their clients: models, inference, faces, taste training, grouping
 *   5  scoring/   pure numerics: heads, ranking, metrics, groups, faces, taste, technical quality
 *   6  codecs/    file formats: zip read/write, pickle, npy, the ONNX writer; imports only codecs
 *   6  platform/  thin wrappers over web-platform APIs (SHA-256, storage quota errors); imports nothing
 *
 * library sits above engine because the decode worker runs engine's CLIP preprocessing.
 *
 * Also:
 *   - nothing in src/ imports a file outside src/ (bench/, cli/, training/, e2e/, test/, scripts/, build/);
 *   - cli/ and training/ import no zustand store: neither `zustand` nor src/state/, src/ui/ or src/main.tsx;
 *   - every file in src/ belongs to a layer of the table (a new folder is placed in it on purpose).
 * Type-only imports count: a type from a higher layer is still a wrong-way dependency.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importSpecifiers, type ImportSpecifier } from './importSpecifiers';

interface Layer {
  name: string;
  rank: number;
  /** Whether a repo-relative path (posix separators) belongs to this layer. */
  holds: (path: string) => boolean;
}

const folder = (dir: string): ((path: string) => boolean) => (path) => path.startsWith(`src/${dir}/`);
const file = (name: string): ((path: string) => boolean) => (path) => path === `src/${name}`;

export const LAYERS: readonly Layer[] = [
  { name: 'main.tsx', rank: 0, holds: file('main.tsx') },
  { name: 'lab', rank: 0, holds: folder('lab') },
  { name: 'sw.ts', rank: 0, holds: file('sw.ts') },
  { name: 'ui', rank: 1, holds: folder('ui') },
  { name: 'state', rank: 2, holds: folder('state') },
  { name: 'library', rank: 3, holds: folder('library') },
  { name: 'offline', rank: 3, holds: folder('offline') },
  { name: 'engine', rank: 4, holds: folder('engine') },
  { name: 'scoring', rank: 5, holds: folder('scoring') },
  { name: 'codecs', rank: 6, holds: folder('codecs') },
  { name: 'platform', rank: 6, holds: folder('platform') },
];

export type LayerRule = 'layer-order' | 'src-imports-outside' | 'no-store-outside-app' | 'unplaced-file';

export interface LayerViolation {
  /** Repo-relative, posix separators. */
  file: string;
  line: number;
  rule: LayerRule;
  specifier: string;
  message: string;
}

const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|mjs)$/;
const RESOLVE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.tsx'];
/** Folders whose files may not use a zustand store (command-line and training tools run without the app). */
const STORE_FREE_DIRS = ['cli', 'training'];

export function layerOf(path: string): Layer | undefined {
  return LAYERS.find((layer) => layer.holds(path));
}

function sourceFiles(root: string, dir: string): string[] {
  const start = join(root, dir);
  if (!existsSync(start)) return [];
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const child = join(abs, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(child);
    }
  };
  walk(start);
  return out.map((abs) => toRepoPath(root, abs)).sort();
}

function toRepoPath(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

/**
 * The repo-relative file a relative specifier names (its query, such as `?worker`, dropped), trying the
 * extensions the bundler would; the bare joined path when no file matches, which still names its folder.
 */
function resolveRelative(root: string, fromFile: string, specifier: string): string {
  const bare = specifier.replace(/[?#].*$/, '');
  const joined = posix.normalize(posix.join(posix.dirname(fromFile), bare));
  for (const suffix of RESOLVE_SUFFIXES) {
    const candidate = joined + suffix;
    const abs = join(root, candidate);
    if (existsSync(abs) && statSync(abs).isFile()) return candidate;
  }
  return joined;
}

const isRelative = (specifier: string): boolean => specifier.startsWith('./') || specifier.startsWith('../');
const describe = (spec: ImportSpecifier): string => `${spec.typeOnly ? 'type-only ' : ''}${spec.kind === 'worker-url' ? 'worker reference' : 'import'} '${spec.specifier}'`;

function checkSrcFile(path: string, specs: ImportSpecifier[], root: string): LayerViolation[] {
  const from = layerOf(path);
  if (from === undefined) {
    return [{ file: path, line: 1, rule: 'unplaced-file', specifier: '', message: `${path} is in no layer: place its folder in the table of scripts/checkLayers.ts` }];
  }
  const violations: LayerViolation[] = [];
  for (const spec of specs) {
    if (!isRelative(spec.specifier)) continue; // packages are not layers
    const target = resolveRelative(root, path, spec.specifier);
    const at = { file: path, line: spec.line, specifier: spec.specifier };
    if (!target.startsWith('src/')) {
      violations.push({ ...at, rule: 'src-imports-outside', message: `${describe(spec)}: src/ may not import ${target.split('/')[0]}/ (${target})` });
      continue;
    }
    const to = layerOf(target);
    if (to === undefined || to === from || to.rank > from.rank) continue; // an unplaced target is reported on its own
    violations.push({
      ...at,
      rule: 'layer-order',
      message: `${describe(spec)}: ${from.name} (layer ${from.rank}) may not import ${to.name} (layer ${to.rank}), ${target}`,
    });
  }
  return violations;
}

function checkStoreFreeFile(path: string, specs: ImportSpecifier[], root: string): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const spec of specs) {
    const at = { file: path, line: spec.line, specifier: spec.specifier, rule: 'no-store-outside-app' as const };
    if (spec.specifier === 'zustand' || spec.specifier.startsWith('zustand/')) {
      violations.push({ ...at, message: `${describe(spec)}: ${path.split('/')[0]}/ may not use zustand` });
      continue;
    }
    if (!isRelative(spec.specifier)) continue;
    const target = resolveRelative(root, path, spec.specifier);
    if (target.startsWith('src/state/') || target.startsWith('src/ui/') || target.startsWith('src/main.')) {
      violations.push({ ...at, message: `${describe(spec)}: ${path.split('/')[0]}/ may not import the app's stores or UI (${target})` });
    }
  }
  return violations;
}

/** Every wrong-way import under repoRoot, in file and line order. Reads files only; changes nothing. */
export function findLayerViolations(repoRoot: string): LayerViolation[] {
  const root = resolve(repoRoot);
  const violations: LayerViolation[] = [];
  const specsOf = (path: string): ImportSpecifier[] => importSpecifiers(readFileSync(join(root, path), 'utf8'));
  for (const path of sourceFiles(root, 'src')) violations.push(...checkSrcFile(path, specsOf(path), root));
  for (const dir of STORE_FREE_DIRS) {
    for (const path of sourceFiles(root, dir)) violations.push(...checkStoreFreeFile(path, specsOf(path), root));
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

export function formatViolation(v: LayerViolation): string {
  return `${v.file}:${v.line}  [${v.rule}]  ${v.message}`;
}

/** `npx tsx scripts/checkLayers.ts [repoRoot]`: the repository this script is in unless another is named. */
function main(): void {
  const root = process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const violations = findLayerViolations(root);
  for (const v of violations) console.log(formatViolation(v));
  if (violations.length > 0) {
    console.log(`${violations.length} wrong-way import${violations.length === 1 ? '' : 's'} (layer table: scripts/checkLayers.ts)`);
    process.exit(1);
  }
  console.log('layers hold: no wrong-way imports');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
