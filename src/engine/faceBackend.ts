import { isSoftwareAdapter, type AdapterFacts, type BackendPreference } from './backend';
import type { FaceBackend } from './faceProtocol';

/**
 * The face worker's TF.js backend: WASM unless a real GPU adapter exists. On a software adapter
 * (SwiftShader) Human's models ran 50–80× slower than on WASM (REFERENCE §8). 'webgpu' forces WebGPU
 * wherever an adapter exists (tests), 'wasm' forces WASM.
 */
export function chooseFaceBackend(preference: BackendPreference, adapter: AdapterFacts | null): { backend: FaceBackend; reason: string } {
  const name = (a: AdapterFacts) => [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  if (preference === 'wasm') return { backend: 'wasm', reason: 'WASM chosen (setting or test)' };
  if (!adapter) {
    return { backend: 'wasm', reason: preference === 'webgpu' ? 'WebGPU was requested but there is no adapter: WASM' : 'no WebGPU adapter: WASM' };
  }
  if (preference === 'webgpu') return { backend: 'webgpu', reason: `WebGPU forced (${name(adapter)})` };
  if (isSoftwareAdapter(adapter)) {
    return { backend: 'wasm', reason: `the WebGPU adapter is a software one (${name(adapter)}), far slower than WASM` };
  }
  return { backend: 'webgpu', reason: `GPU adapter ${name(adapter)}` };
}
