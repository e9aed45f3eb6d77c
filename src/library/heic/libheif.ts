/**
 * One libheif (WebAssembly) instance per worker or Node process, loaded on the first HEIC only.
 *
 * The variant is libheif-js's ES-module bundle (libheif-wasm/libheif-bundle.mjs): its .wasm is embedded in
 * the module (base64), so there is no URL to resolve and nothing is fetched at run time; the same file runs
 * in a module worker and in Node. The dynamic import makes it its own chunk, which the service worker
 * precaches with every other emitted file, so HEIC decoding works offline. It compiles its wasm with
 * WebAssembly.instantiate and uses no eval or new Function: the CSP's 'wasm-unsafe-eval' is enough.
 */
import type { Libheif } from './libheifApi';

/**
 * A heap above this after a decode is dropped with its instance (a WebAssembly heap never shrinks). A 12-MP
 * photo peaks near 100 MB, so a worker keeps its instance for ordinary photos and frees what a huge one grew.
 */
const KEEP_HEAP_BYTES = 256 * 2 ** 20;

let loading: Promise<Libheif> | null = null;
let current: Libheif | null = null;

/** The instance, made on the first call; a failed load is retried on the next call. */
export function loadLibheif(): Promise<Libheif> {
  loading ??= instantiate().then(
    (libheif) => (current = libheif),
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

async function instantiate(): Promise<Libheif> {
  const { default: factory } = await import('libheif-js/libheif-wasm/libheif-bundle.mjs');
  let ready!: () => void;
  let failed!: (error: Error) => void;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  // The factory returns at once; the wasm compiles asynchronously and the calls work after this callback.
  const libheif = factory({
    onRuntimeInitialized: () => ready(),
    onAbort: (what) => failed(new Error(`libheif did not start: ${String(what)}`)),
  });
  await started;
  return libheif;
}

/**
 * Forget `libheif` so that the next HEIC gets a fresh instance: after a trap (an aborted Emscripten module
 * is unusable) or when its heap has grown past KEEP_HEAP_BYTES. Calls still holding it finish with it.
 */
export function discardLibheif(libheif: Libheif): void {
  if (current !== libheif) return;
  current = null;
  loading = null;
}

/** Drops the instance if one big image grew its heap beyond what is worth keeping. */
export function trimLibheif(libheif: Libheif): void {
  if (libheif.HEAPU8.length > KEEP_HEAP_BYTES) discardLibheif(libheif);
}
