import { describe, expect, it } from 'vitest';
import { chooseBackend, parseBackendPreference, type AdapterFacts } from '../src/engine/backend';

const swiftshader: AdapterFacts = { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: false, hasShaderF16: false };
const nvidia: AdapterFacts = { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false, hasShaderF16: true };
const isolated = { crossOriginIsolated: true, hardwareConcurrency: 2 };

describe('chooseBackend', () => {
  it('never picks a software adapter on its own', () => {
    const c = chooseBackend('auto', swiftshader, isolated);
    expect(c.backend).toBe('wasm');
    expect(c.reason).toMatch(/software fallback/);
    expect(chooseBackend('auto', { ...nvidia, isFallbackAdapter: true }, isolated).backend).toBe('wasm');
  });

  it('uses a real GPU with fp16 when shader-f16 exists, fp32 otherwise', () => {
    expect(chooseBackend('auto', nvidia, isolated)).toMatchObject({ backend: 'webgpu', dtypes: ['fp16', 'fp32'] });
    expect(chooseBackend('auto', { ...nvidia, hasShaderF16: false }, isolated).dtypes).toEqual(['fp32']);
  });

  it('lets a forced WebGPU run on the software adapter, and says it is slow', () => {
    const c = chooseBackend('webgpu', swiftshader, isolated);
    expect(c).toMatchObject({ backend: 'webgpu', dtypes: ['fp32'] });
    expect(c.reason).toMatch(/forced.*software/);
  });

  it('falls back to WASM when WebGPU is asked for but absent', () => {
    const c = chooseBackend('webgpu', null, isolated);
    expect(c.backend).toBe('wasm');
    expect(c.reason).toMatch(/no adapter/);
  });

  it('uses WASM threads only when cross-origin isolated', () => {
    expect(chooseBackend('wasm', null, isolated).wasmThreads).toBe(2);
    const c = chooseBackend('wasm', null, { crossOriginIsolated: false, hardwareConcurrency: 8 });
    expect(c.wasmThreads).toBe(1);
    expect(c.reason).toMatch(/not cross-origin isolated/);
  });

  it('reads the URL parameter strictly', () => {
    expect(parseBackendPreference('webgpu')).toBe('webgpu');
    expect(parseBackendPreference('WASM')).toBe('auto');
    expect(parseBackendPreference(null)).toBe('auto');
  });
});
