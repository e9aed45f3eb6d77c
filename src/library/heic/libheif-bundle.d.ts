/**
 * libheif-js ships no types for its ES-module bundle (its libheif.d.ts sits beside the non-bundled file).
 * The factory returns the module at once; it is usable after onRuntimeInitialized (libheif.ts waits).
 */
declare module 'libheif-js/libheif-wasm/libheif-bundle.mjs' {
  const factory: (options?: import('./libheifApi').LibheifOptions) => import('./libheifApi').Libheif;
  export default factory;
}
