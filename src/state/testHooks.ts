/**
 * Hooks for end-to-end tests, installed only with `?testHooks=1`: faults a user's machine produces on its
 * own (a GPU reset) but a test has to cause.
 */
import { inferenceClient } from './engineController';

export interface LoupeTestHooks {
  /** Destroys the inference worker's WebGPU device, as a driver reset would. */
  loseGpuDevice(): Promise<void>;
}

export function installTestHooks(): void {
  const hooks: LoupeTestHooks = {
    loseGpuDevice: async () => {
      const client = inferenceClient();
      if (!client) throw new Error('no inference worker');
      await client.loseGpuDevice();
    },
  };
  (window as unknown as { loupeTestHooks: LoupeTestHooks }).loupeTestHooks = hooks;
}
