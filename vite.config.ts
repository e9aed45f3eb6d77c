import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { defineConfig, type Connect, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { CSP_HEADER, contentSecurityPolicyPlugin } from './build/csp.ts';
import { precacheManifest } from './build/precacheManifest.ts';
import { humanAssetsPlugin } from './build/humanAssets.ts';

// Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Serves /models/<id>/… from bench/models/<id>/ when that folder exists. The full-size random model
 * used by benchmarks (~600 MB) lives there so that builds do not copy it into dist/.
 */
function benchModels(): Plugin {
  const root = resolve(import.meta.dirname, 'bench/models');
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    const url = req.url?.split('?')[0] ?? '';
    if (!url.startsWith('/models/')) return next();
    const file = normalize(join(root, decodeURIComponent(url.slice('/models/'.length))));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return next();
    res.setHeader('Content-Length', statSync(file).size);
    res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
    createReadStream(file).pipe(res);
  };
  return {
    name: 'loupe-bench-models',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

/**
 * LOUPE_ASSET_TAG: a build whose every emitted file name differs from the usual one's, as after a deploy that
 * changed every file (e2e/updates.e2e.ts deploys it over a running tab).
 */
const assetTag = process.env.LOUPE_ASSET_TAG ? `-${process.env.LOUPE_ASSET_TAG.replace(/[^a-z0-9]/gi, '')}` : '';
const taggedNames = assetTag
  ? {
      entryFileNames: `assets/[name]-[hash]${assetTag}.js`,
      chunkFileNames: `assets/[name]-[hash]${assetTag}.js`,
      assetFileNames: `assets/[name]-[hash]${assetTag}[extname]`,
    }
  : {};

export default defineConfig({
  // precacheManifest: builds src/sw.ts to /sw.js and lists in it the files it precaches (offline use).
  plugins: [react(), benchModels(), contentSecurityPolicyPlugin(), precacheManifest(), humanAssetsPlugin()],
  resolve: {
    // The non-bundled ORT build loads its wasm glue (.mjs) from wasmPaths: same-origin files we serve.
    alias: [{ find: /^onnxruntime-web$/, replacement: resolve(import.meta.dirname, 'node_modules/onnxruntime-web/dist/ort.min.mjs') }],
  },
  server: { host: '127.0.0.1', port: 5173, headers: isolationHeaders },
  // The built pages carry the CSP as a <meta>; the header is what reaches the workers (docs/security.md).
  preview: { host: '127.0.0.1', port: 4173, headers: { ...isolationHeaders, 'Content-Security-Policy': CSP_HEADER } },
  // ORT ships its own wasm loader; pre-bundling breaks its relative asset URLs.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es', rollupOptions: { output: taggedNames } },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, 'index.html'), lab: resolve(import.meta.dirname, 'lab.html') },
      output: taggedNames,
    },
  },
});
