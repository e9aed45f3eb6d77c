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
import { build, type Plugin, type ResolvedConfig, type Rolldown } from 'vite';
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

/** Node's synchronous digest: the build hashes every emitted file inside a plugin hook (the app's is src/platform/sha256Hex.ts). */
function sha256HexSync(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The sorted list with each file's digest, and a version that changes when any listed file does. */
export function buildPrecacheManifest(files: readonly BuiltFile[], swFileName = 'sw.js'): PrecacheManifest {
  const byUrl = new Map<string, PrecacheEntry>();
  for (const file of files) {
    const strategy = precacheStrategy(file.url, swFileName);
    if (strategy === null) continue;
    const bytes = typeof file.bytes === 'string' ? Buffer.byteLength(file.bytes) : file.bytes.byteLength;
    const entry: PrecacheEntry = { url: file.url, sha256: sha256HexSync(file.bytes), bytes };
    if (strategy === 'network-first') entry.strategy = strategy;
    byUrl.set(file.url, entry);
  }
  const entries = [...byUrl.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const version = sha256HexSync(entries.map((e) => `${e.url}\0${e.sha256}\0${e.strategy ?? ''}\n`).join('')).slice(0, 16);
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

/**
 * The service worker as one self-contained script, from a build of its own. It is registered as a classic
 * script, so it may not import other chunks; as a chunk of the app's build it would, as soon as a page used a
 * module it uses too (src/platform/sha256Hex.ts), because the bundler puts shared modules in a shared chunk.
 */
async function buildServiceWorker(config: ResolvedConfig, entry: string): Promise<string> {
  const result = await build({
    configFile: false,
    root: config.root,
    mode: config.mode,
    logLevel: 'warn',
    publicDir: false,
    build: {
      write: false,
      target: config.build.target,
      minify: config.build.minify,
      sourcemap: false,
      copyPublicDir: false,
      modulePreload: false,
      rollupOptions: { input: entry, output: { format: 'iife', entryFileNames: '[name].js' } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
  const chunks = outputs.filter((o): o is Rolldown.OutputChunk => o.type === 'chunk');
  if (chunks.length !== 1) {
    throw new Error(`precache: the service worker built to ${chunks.length} scripts (${chunks.map((c) => c.fileName).join(', ')}), expected one`);
  }
  return chunks[0].code;
}

export function precacheManifest(options: PrecacheOptions = {}): Plugin {
  const swFileName = options.swFileName ?? 'sw.js';
  let config: ResolvedConfig;
  let serviceWorker: Promise<string> | undefined;
  return {
    name: 'loupe-precache-manifest',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      // Built beside the app; awaited once the app's files are known.
      serviceWorker = buildServiceWorker(config, resolve(config.root, options.swSrc ?? 'src/sw.ts'));
      serviceWorker.catch(() => undefined); // reported where it is awaited
    },
    generateBundle: {
      // After Vite's own plugins have added the HTML pages and the workers' files to the bundle.
      order: 'post',
      async handler(_options, bundle) {
        if (serviceWorker === undefined) throw new Error(`precache: ${swFileName} was not built`);
        const swCode = await serviceWorker;
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
        this.emitFile({ type: 'asset', fileName: swFileName, source: injectManifest(swCode, manifest) });
        const total = manifest.entries.reduce((sum, e) => sum + e.bytes, 0);
        config.logger.info(
          `precache: ${manifest.entries.length} files, ${(total / 1e6).toFixed(1)} MB, version ${manifest.version} → ${swFileName}`,
        );
      },
    },
  };
}
