import type { Dtype } from './manifest';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';
export type Backend = 'webgpu' | 'wasm';

/** What the page could learn about the WebGPU adapter; null when there is none. */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  isFallbackAdapter: boolean;
  hasShaderF16: boolean;
}

export interface BackendChoice {
  backend: Backend;
  /** Model dtypes to try, best first. */
  dtypes: Dtype[];
  /** One sentence for the UI: why this backend. */
  reason: string;
  wasmThreads: number;
}

export interface RuntimeFacts {
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
}

/** SwiftShader and other CPU adapters run WebGPU ~500× slower than WASM (REFERENCE §7). */
export function isSoftwareAdapter(a: AdapterFacts): boolean {
  return a.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|software/i.test(`${a.architecture} ${a.vendor}`);
}

export function chooseBackend(
  preference: BackendPreference,
  adapter: AdapterFacts | null,
  runtime: RuntimeFacts,
): BackendChoice {
  const wasmThreads = runtime.crossOriginIsolated ? Math.max(1, Math.min(4, runtime.hardwareConcurrency)) : 1;
  const threadNote = runtime.crossOriginIsolated
    ? `${wasmThreads} thread${wasmThreads === 1 ? '' : 's'}`
    : '1 thread (page is not cross-origin isolated)';
  // int8 files are not used until their embeddings are checked against fp32 (REFERENCE §3).
  const wasm = (reason: string): BackendChoice => ({
    backend: 'wasm',
    dtypes: ['fp32'],
    reason: `${reason}; WASM SIMD, ${threadNote}`,
    wasmThreads,
  });
  const webgpu = (reason: string, a: AdapterFacts): BackendChoice => ({
    backend: 'webgpu',
    // fp16 needs shader-f16; without it the fp16 graph cannot run on the GPU.
    dtypes: a.hasShaderF16 ? ['fp16', 'fp32'] : ['fp32'],
    reason: `${reason}; ${a.hasShaderF16 ? 'fp16 (shader-f16 available)' : 'fp32 (no shader-f16)'}`,
    wasmThreads,
  });
  const name = (a: AdapterFacts) => [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';

  if (preference === 'wasm') return wasm('WASM chosen (setting or URL)');
  if (!adapter) {
    return wasm(preference === 'webgpu' ? 'WebGPU was requested but no adapter is available' : 'no WebGPU adapter');
  }
  if (preference === 'webgpu') {
    return webgpu(
      isSoftwareAdapter(adapter)
        ? `WebGPU forced on a software adapter (${name(adapter)}): correct but very slow`
        : `WebGPU forced (${name(adapter)})`,
      adapter,
    );
  }
  if (isSoftwareAdapter(adapter)) {
    return wasm(`WebGPU adapter is a software fallback (${name(adapter)}), about 500× slower than WASM`);
  }
  return webgpu(`GPU adapter ${name(adapter)}`, adapter);
}

export function parseBackendPreference(value: string | null | undefined): BackendPreference {
  return value === 'webgpu' || value === 'wasm' ? value : 'auto';
}
