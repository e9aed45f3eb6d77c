/**
 * Builds the service worker (src/sw.ts → /sw.js, at the site root so its scope is the whole app) and
 * injects into it the list of files it precaches: everything the build emitted (HTML, JS, CSS, the
 * .wasm and .mjs files of onnxruntime-web and TF.js, fonts, icons) and the public files, each with its
 * sha256. The list's version names the worker's cache, so a build that changes any file installs a new
 * cache and the old one is deleted. Models are left out: the engine keeps them in its own cache, and the
 * full-size encoders must never be downloaded just because the app was opened. Only the models' small
 * JSON manifests are listed (network-first), because the engine fetches them before its cache lookup.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';
import type { PrecacheEntry, PrecacheManifest } from '../src/offline/precache';

/** What src/sw.ts reads its list from; the build replaces it with the list itself. */
export const PLACEHOLDER = 'self.__LOUPE_PRECACHE__';

export interface BuiltFile {
  /** Path relative to the output folder, `/` separators. */
  url: string;
  bytes: Uint8Array | string;
}

/** How the worker treats a file of the output folder, or null when it is not precached. */
export function precacheStrategy(url: string, swFileName = 'sw.js'): PrecacheEntry['strategy'] | null {
  if (url === swFileName) return null; // the browser fetches the worker itself, bypassing it
  if (url.endsWith('.map') || url.startsWith('.vite/')) return null;
  if (url.startsWith('models/')) {
    // The catalogue and each model's manifest: small, fetched by the engine before its cache lookup.
    return /^models\/(?:[^/]+\/)?manifest\.json$/.test(url) ? 'network-first' : null;
  }
  return 'cache-first';
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The sorted list with each file's digest, and a version that changes when any listed file does. */
export function buildPrecacheManifest(files: readonly BuiltFile[], swFileName = 'sw.js'): PrecacheManifest {
  const byUrl = new Map<string, PrecacheEntry>();
  for (const file of files) {
    const strategy = precacheStrategy(file.url, swFileName);
    if (strategy === null) continue;
    const bytes = typeof file.bytes === 'string' ? Buffer.byteLength(file.bytes) : file.bytes.byteLength;
    const entry: PrecacheEntry = { url: file.url, sha256: sha256Hex(file.bytes), bytes };
    if (strategy === 'network-first') entry.strategy = strategy;
    byUrl.set(file.url, entry);
  }
  const entries = [...byUrl.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const version = sha256Hex(entries.map((e) => `${e.url}\0${e.sha256}\0${e.strategy ?? ''}\n`).join('')).slice(0, 16);
  return { version, entries };
}

/** The worker's code with the list in place of the placeholder, which must occur exactly once. */
export function injectManifest(code: string, manifest: PrecacheManifest): string {
  const parts = code.split(PLACEHOLDER);
  if (parts.length !== 2) {
    throw new Error(`precache: expected "${PLACEHOLDER}" once in the service worker, found it ${parts.length - 1} times`);
  }
  return parts.join(`(${JSON.stringify(manifest)})`);
}

/** Files under `dir` (recursively), as paths relative to it with `/` separators. */
function walk(dir: string, keep: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const visit = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const rel = relative(dir, path).split(sep).join('/');
      if (statSync(path).isDirectory()) visit(path);
      else if (keep(rel)) out.push(rel);
    }
  };
  visit(dir);
  return out;
}

export interface PrecacheOptions {
  /** The worker's source, relative to the project root. */
  swSrc?: string;
  /** Its output name; at the output's root, so its scope is the whole app. */
  swFileName?: string;
}

export function precacheManifest(options: PrecacheOptions = {}): Plugin {
  const swFileName = options.swFileName ?? 'sw.js';
  let config: ResolvedConfig;
  return {
    name: 'loupe-precache-manifest',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: resolve(config.root, options.swSrc ?? 'src/sw.ts'), fileName: swFileName });
    },
    generateBundle: {
      // After Vite's own plugins have added the HTML pages and the workers' files to the bundle.
      order: 'post',
      handler(_options, bundle) {
        const sw = bundle[swFileName];
        if (sw === undefined || sw.type !== 'chunk') throw new Error(`precache: ${swFileName} was not built`);
        // The worker is registered as a classic script: it must stand alone.
        if (sw.imports.length > 0 || sw.dynamicImports.length > 0) {
          throw new Error(`precache: ${swFileName} imports other chunks (${[...sw.imports, ...sw.dynamicImports].join(', ')})`);
        }
        const files: BuiltFile[] = [];
        for (const item of Object.values(bundle)) {
          if (item.fileName === swFileName) continue;
          files.push({ url: item.fileName, bytes: item.type === 'chunk' ? item.code : item.source });
        }
        const publicDir = config.publicDir;
        if (publicDir && config.build.copyPublicDir) {
          const listed = (rel: string): boolean => precacheStrategy(rel, swFileName) !== null && !(rel in bundle);
          for (const rel of walk(publicDir, listed)) files.push({ url: rel, bytes: readFileSync(join(publicDir, rel)) });
        }
        const manifest = buildPrecacheManifest(files, swFileName);
        for (const page of ['index.html']) {
          if (!manifest.entries.some((e) => e.url === page)) throw new Error(`precache: ${page} is not in the bundle`);
        }
        sw.code = injectManifest(sw.code, manifest);
        const total = manifest.entries.reduce((sum, e) => sum + e.bytes, 0);
        config.logger.info(
          `precache: ${manifest.entries.length} files, ${(total / 1e6).toFixed(1)} MB, version ${manifest.version} → ${swFileName}`,
        );
      },
    },
  };
}
