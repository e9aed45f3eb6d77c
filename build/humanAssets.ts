/**
 * Serves (dev server) and emits (build) the files the face worker loads, from node_modules, under
 * `<base>human/`:
 *   human/models/{blazeface,facemesh,iris}.json and the .bin files their manifests name
 *       (from @vladmandic/human/models, ≈ 5 MB);
 *   human/wasm/tfjs-backend-wasm{,-simd}.wasm
 *       (from @tensorflow/tfjs-backend-wasm, which must be the version Human's bundled TF.js was built with).
 * Same origin, so the CSP's connect-src 'self' and script-src 'wasm-unsafe-eval' cover them, no CDN is
 * ever contacted, and a fresh `npm ci` is all a machine needs. Being part of the build's output, the files are
 * in the service worker's precache list (build/precacheManifest.ts lists every emitted file outside
 * `models/`), so faces work offline after the first visit.
 *
 * `vite preview` serves the built copies from the output folder like any other file; only the dev server
 * needs the middleware.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Connect, Plugin, ResolvedConfig } from 'vite';

/** The models the face worker enables (face.worker.ts): detector, mesh, iris. */
const HUMAN_MODELS = ['blazeface', 'facemesh', 'iris'] as const;
/**
 * TF.js's WASM binaries: SIMD, and the plain build for engines without SIMD. The threaded build is left out:
 * its pthreads start from a blob: script that the CSP (worker-src 'self') refuses, so the worker turns
 * threads off.
 */
export const HUMAN_WASM_FILES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'] as const;
/** Output folder, relative to the base URL. */
export const HUMAN_ASSETS_DIR = 'human';

export interface HumanAsset {
  /** Path under the output folder, e.g. `human/models/iris.bin`. */
  url: string;
  /** Absolute path of the source file in node_modules. */
  file: string;
}

/** The installed package's folder (Human's `exports` hide its package.json from require.resolve). */
function packageDir(name: string, root: string): string {
  const dir = join(root, 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) throw new Error(`humanAssets: ${name} is not installed in ${root}/node_modules (npm ci)`);
  return dir;
}

/** The @tensorflow/tfjs-backend-wasm version Human's bundle was built with (dist/tfjs.version.js). */
export function humanBundledWasmVersion(humanDir: string): string {
  const text = readFileSync(join(humanDir, 'dist/tfjs.version.js'), 'utf8');
  // `var r="4.22.0"; … "tfjs-backend-wasm":r …`: find the variable, then its value.
  const ref = /"tfjs-backend-wasm":\s*([A-Za-z_$][\w$]*|"[^"]+")/.exec(text)?.[1];
  if (!ref) throw new Error('humanAssets: cannot read the tfjs-backend-wasm version from @vladmandic/human/dist/tfjs.version.js');
  if (ref.startsWith('"')) return ref.slice(1, -1);
  const value = new RegExp(`(?:var|let|const)\\s+${ref.replace('$', '\\$')}\\s*=\\s*"([^"]+)"`).exec(text)?.[1];
  if (!value) throw new Error(`humanAssets: cannot resolve ${ref} in @vladmandic/human/dist/tfjs.version.js`);
  return value;
}

/**
 * Every file to serve, with its source. Throws when the installed @tensorflow/tfjs-backend-wasm is not the
 * version Human's TF.js expects: the .wasm binary and the JS glue bundled in Human must match exactly.
 */
export function humanAssets(root: string): HumanAsset[] {
  const humanDir = packageDir('@vladmandic/human', root);
  const wasmDir = packageDir('@tensorflow/tfjs-backend-wasm', root);
  const want = humanBundledWasmVersion(humanDir);
  const have = (JSON.parse(readFileSync(join(wasmDir, 'package.json'), 'utf8')) as { version: string }).version;
  if (want !== have) {
    throw new Error(
      `humanAssets: @vladmandic/human bundles TF.js's WASM backend ${want}, but @tensorflow/tfjs-backend-wasm ${have} is installed; ` +
        'the .wasm files must come from the same version (install @tensorflow/tfjs-backend-wasm@' + want + ')',
    );
  }
  const assets: HumanAsset[] = [];
  for (const model of HUMAN_MODELS) {
    const json = join(humanDir, 'models', `${model}.json`);
    assets.push({ url: `${HUMAN_ASSETS_DIR}/models/${model}.json`, file: json });
    const manifest = JSON.parse(readFileSync(json, 'utf8')) as { weightsManifest?: { paths: string[] }[] };
    for (const group of manifest.weightsManifest ?? []) {
      for (const path of group.paths) {
        if (path.includes('/') || path.includes('\\')) throw new Error(`humanAssets: ${model}.json names a weights file outside its folder: ${path}`);
        assets.push({ url: `${HUMAN_ASSETS_DIR}/models/${path}`, file: join(humanDir, 'models', path) });
      }
    }
  }
  for (const name of HUMAN_WASM_FILES) assets.push({ url: `${HUMAN_ASSETS_DIR}/wasm/${name}`, file: join(wasmDir, 'dist', name) });
  for (const a of assets) statSync(a.file); // fail the build now, not the user's first face question
  return assets;
}

export function contentType(url: string): string {
  if (url.endsWith('.json')) return 'application/json';
  if (url.endsWith('.wasm')) return 'application/wasm';
  return 'application/octet-stream';
}

export function humanAssetsPlugin(): Plugin {
  let config: ResolvedConfig;
  let byUrl = new Map<string, HumanAsset>();
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    const path = req.url?.split('?')[0] ?? '';
    if (!path.startsWith(base)) return next();
    const asset = byUrl.get(path.slice(base.length));
    if (!asset) return next();
    const bytes = readFileSync(asset.file);
    res.setHeader('Content-Type', contentType(asset.url));
    res.setHeader('Content-Length', bytes.byteLength);
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.end(bytes);
  };
  return {
    name: 'loupe-human-assets',
    configResolved(resolved) {
      config = resolved;
      byUrl = new Map(humanAssets(resolved.root).map((a) => [a.url, a]));
    },
    configureServer: (server) => void server.middlewares.use(middleware),
    generateBundle() {
      if (config.command !== 'build') return;
      for (const asset of byUrl.values()) {
        this.emitFile({ type: 'asset', fileName: asset.url, source: readFileSync(asset.file) });
      }
    },
  };
}
