import type { AdapterFacts } from './backend';

/** What this context's WebGPU adapter says about itself; null without WebGPU. Workers and pages alike. */
export async function adapterFacts(): Promise<AdapterFacts | null> {
  if (!('gpu' in navigator) || !navigator.gpu) return null;
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return null;
    const info = adapter.info;
    const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
    return {
      vendor: info.vendor,
      architecture: info.architecture,
      isFallbackAdapter: fallback,
      hasShaderF16: adapter.features.has('shader-f16'),
    };
  } catch {
    return null;
  }
}
