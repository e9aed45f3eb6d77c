import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildPrecacheManifest, injectManifest, PLACEHOLDER, precacheStrategy } from '../build/precacheManifest';
import {
  appCacheName,
  ISOLATION_HEADERS,
  releaseRetained,
  retainOnActivate,
  routeRequest,
  staleAppCaches,
  withIsolationHeaders,
  type PrecacheManifest,
} from '../src/offline/precache';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const BUILD = [
  { url: 'index.html', bytes: '<!doctype html>…' },
  { url: 'lab.html', bytes: '<!doctype html>lab' },
  { url: 'assets/main-1a2b.js', bytes: 'console.log(1)' },
  { url: 'assets/main-3c4d.css', bytes: 'body{}' },
  { url: 'assets/ort-wasm-simd-threaded.jsep-x1.wasm', bytes: new Uint8Array([0, 97, 115, 109]) },
  { url: 'assets/ort-wasm-simd-threaded.jsep-x2.mjs', bytes: 'export {}' },
  { url: 'assets/tfjs-backend-wasm-simd-x3.wasm', bytes: new Uint8Array([0, 97, 115, 109, 1]) },
  { url: 'assets/font-x4.woff2', bytes: new Uint8Array([1, 2, 3]) },
  { url: 'assets/main-1a2b.js.map', bytes: '{}' },
  { url: 'sw.js', bytes: 'self.addEventListener' },
  { url: 'favicon.svg', bytes: '<svg/>' },
  { url: 'icons/icon-192.png', bytes: new Uint8Array([137, 80]) },
  { url: 'manifest.webmanifest', bytes: '{}' },
  { url: 'models/manifest.json', bytes: '{"schema":1}' },
  { url: 'models/clip-tiny/manifest.json', bytes: '{"id":"clip-tiny"}' },
  { url: 'models/clip-tiny/onnx/vision_model.onnx', bytes: new Uint8Array(64) },
  { url: 'models/clip-tiny/tokenizer.json', bytes: '{}' },
  { url: 'models/clip-vit-base-patch32/onnx/vision_model.onnx', bytes: new Uint8Array(128) },
  { url: '.vite/manifest.json', bytes: '{}' },
];

describe('the precache list', () => {
  it('lists every emitted file with its sha256 and size, but not the worker, source maps or model files', () => {
    const m = buildPrecacheManifest(BUILD);
    expect(m.entries.map((e) => e.url)).toEqual([
      'assets/font-x4.woff2',
      'assets/main-1a2b.js',
      'assets/main-3c4d.css',
      'assets/ort-wasm-simd-threaded.jsep-x1.wasm',
      'assets/ort-wasm-simd-threaded.jsep-x2.mjs',
      'assets/tfjs-backend-wasm-simd-x3.wasm',
      'favicon.svg',
      'icons/icon-192.png',
      'index.html',
      'lab.html',
      'manifest.webmanifest',
      'models/clip-tiny/manifest.json',
      'models/manifest.json',
    ]);
    const js = m.entries.find((e) => e.url === 'assets/main-1a2b.js')!;
    expect(js).toEqual({ url: 'assets/main-1a2b.js', sha256: sha('console.log(1)'), bytes: 14 });
    expect(m.entries.find((e) => e.url === 'index.html')!.bytes).toBe(Buffer.byteLength('<!doctype html>…'));
    // Only the models' JSON manifests, served network-first.
    expect(m.entries.filter((e) => e.strategy === 'network-first').map((e) => e.url)).toEqual([
      'models/clip-tiny/manifest.json',
      'models/manifest.json',
    ]);
  });

  it('has a version that changes with any file, and not with the order files come in', () => {
    const a = buildPrecacheManifest(BUILD);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect(buildPrecacheManifest([...BUILD].reverse()).version).toBe(a.version);
    const edited = BUILD.map((f) => (f.url === 'index.html' ? { ...f, bytes: '<!doctype html>v2' } : f));
    expect(buildPrecacheManifest(edited).version).not.toBe(a.version);
    const renamed = BUILD.map((f) => (f.url === 'assets/main-1a2b.js' ? { ...f, url: 'assets/main-9z9z.js' } : f));
    expect(buildPrecacheManifest(renamed).version).not.toBe(a.version);
    // Files that are not precached do not change it.
    const modelChanged = BUILD.map((f) => (f.url.endsWith('vision_model.onnx') ? { ...f, bytes: new Uint8Array(3) } : f));
    expect(buildPrecacheManifest(modelChanged).version).toBe(a.version);
  });

  it('classifies paths', () => {
    expect(precacheStrategy('sw.js')).toBeNull();
    expect(precacheStrategy('service-worker.js', 'service-worker.js')).toBeNull();
    expect(precacheStrategy('assets/x.wasm')).toBe('cache-first');
    expect(precacheStrategy('models/a/b/manifest.json')).toBeNull();
    expect(precacheStrategy('models/a/generator.json')).toBeNull();
    expect(precacheStrategy('models/a/manifest.json')).toBe('network-first');
  });

  it('injects the list in place of the placeholder, exactly once', () => {
    const m = buildPrecacheManifest(BUILD);
    const code = `var e=${PLACEHOLDER},t=\`loupe-app-\${e.version}\`;`;
    const out = injectManifest(code, m);
    expect(out).not.toContain(PLACEHOLDER);
    const injected = new Function(`${out} return e;`)() as PrecacheManifest;
    expect(injected).toEqual(m);
    expect(() => injectManifest('no placeholder here', m)).toThrow(/found it 0 times/);
    expect(() => injectManifest(`${PLACEHOLDER};${PLACEHOLDER}`, m)).toThrow(/found it 2 times/);
  });
});

describe('the service worker routes', () => {
  const m = buildPrecacheManifest(BUILD);
  const scope = 'http://127.0.0.1:4173/';
  const get = (path: string, mode = 'cors') => routeRequest(m, scope, { url: new URL(path, scope).href, method: 'GET', mode });
  const urlOf = (r: ReturnType<typeof get>) => ('entry' in r ? r.entry?.url : undefined);

  it('serves the app pages from the cache, whatever the query', () => {
    expect(get('/?model=clip-tiny&backend=wasm', 'navigate')).toMatchObject({ kind: 'cache-first' });
    expect(urlOf(get('/?model=clip-tiny', 'navigate'))).toBe('index.html');
    expect(urlOf(get('/index.html', 'navigate'))).toBe('index.html');
    expect(urlOf(get('/lab.html', 'navigate'))).toBe('lab.html');
    expect(urlOf(get('/lab', 'navigate'))).toBe('lab.html');
  });

  it('falls back to index.html for other app paths, and leaves opened files to the network', () => {
    expect(get('/some/route', 'navigate')).toEqual({ kind: 'navigation-fallback', entry: m.entries.find((e) => e.url === 'index.html') });
    expect(get('/models/manifest.json', 'navigate')).toEqual({ kind: 'pass' });
    expect(get('/photo.jpg', 'navigate')).toEqual({ kind: 'pass' });
  });

  it('serves precached assets cache-first, model manifests network-first, and passes model files through', () => {
    expect(get('/assets/ort-wasm-simd-threaded.jsep-x1.wasm')).toMatchObject({ kind: 'cache-first' });
    expect(get('/assets/main-1a2b.js?v=1')).toMatchObject({ kind: 'cache-first' });
    expect(get('/models/manifest.json')).toMatchObject({ kind: 'network-first' });
    expect(get('/models/clip-tiny/manifest.json')).toMatchObject({ kind: 'network-first' });
    expect(get('/models/clip-tiny/onnx/vision_model.onnx')).toEqual({ kind: 'pass' });
    // Not in this build: an older build's file, asked for by a page still running that build.
    expect(get('/assets/unknown.js')).toEqual({ kind: 'older-build' });
    expect(get('/assets/taste.worker-0ld.js?worker_file&type=module')).toEqual({ kind: 'older-build' });
    expect(get('/unknown.js')).toEqual({ kind: 'pass' });
    expect(get('/sw.js')).toEqual({ kind: 'pass' });
  });

  it('leaves other origins, other methods and paths outside the scope alone', () => {
    expect(routeRequest(m, scope, { url: 'https://huggingface.co/x/index.html', method: 'GET', mode: 'cors' })).toEqual({ kind: 'pass' });
    expect(routeRequest(m, scope, { url: `${scope}index.html`, method: 'POST', mode: 'cors' })).toEqual({ kind: 'pass' });
    const sub = 'http://127.0.0.1:4173/app/';
    expect(routeRequest(m, sub, { url: 'http://127.0.0.1:4173/index.html', method: 'GET', mode: 'navigate' })).toEqual({ kind: 'pass' });
    expect(urlOf(routeRequest(m, sub, { url: 'http://127.0.0.1:4173/app/?x', method: 'GET', mode: 'navigate' }))).toBe('index.html');
  });
});

describe('older builds kept for the pages running them', () => {
  it('keeps every older cache for the pages open at a new activation, adding to what was kept', () => {
    expect(retainOnActivate({}, ['loupe-app-a'], ['tab1', 'tab2'])).toEqual({ 'loupe-app-a': ['tab1', 'tab2'] });
    // A third build: the first build's pages still pin it; the second's pin it too (conservative).
    const kept = retainOnActivate({ 'loupe-app-a': ['tab1'] }, ['loupe-app-a', 'loupe-app-b'], ['tab1', 'tab3']);
    expect(kept).toEqual({ 'loupe-app-a': ['tab1', 'tab3'], 'loupe-app-b': ['tab1', 'tab3'] });
    // No page open: nothing to keep, the older cache goes at once.
    expect(releaseRetained(retainOnActivate({}, ['loupe-app-a'], []), [])).toEqual({ keep: {}, remove: ['loupe-app-a'] });
  });

  it('deletes an older cache once none of its pages is open (a reload gives the tab a new id)', () => {
    const retained = { 'loupe-app-a': ['tab1', 'tab2'], 'loupe-app-b': ['tab2'] };
    expect(releaseRetained(retained, ['tab1', 'tab2', 'tab9'])).toEqual({ keep: retained, remove: [] });
    expect(releaseRetained(retained, ['tab1', 'tab9'])).toEqual({ keep: { 'loupe-app-a': ['tab1'] }, remove: ['loupe-app-b'] });
    expect(releaseRetained(retained, ['tab9'])).toEqual({ keep: {}, remove: ['loupe-app-a', 'loupe-app-b'] });
  });
});

describe('caches and headers', () => {
  it('deletes older app caches only, never the engine model cache', () => {
    const current = appCacheName('bbbb');
    expect(staleAppCaches(['loupe-app-aaaa', current, 'loupe-models-v1', 'other'], current)).toEqual(['loupe-app-aaaa']);
  });

  it('adds the cross-origin isolation headers where missing and keeps the others', () => {
    const h = withIsolationHeaders(new Headers({ 'content-type': 'text/html', 'Cross-Origin-Opener-Policy': 'same-origin' }));
    expect(h.get('content-type')).toBe('text/html');
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) expect(h.get(name)).toBe(value);
  });
});
