/// <reference lib="webworker" />
/**
 * Trains the taste head (src/scoring/taste/) with TensorFlow.js. This worker is created the first time the
 * user trains, so TF.js is only downloaded then. WebGPU on a real GPU; on a software adapter (SwiftShader)
 * or none, TF.js's WASM backend, whose .wasm files this app serves itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { adapterFacts } from './adapterFacts';
import { isSoftwareAdapter } from './backend';
import type { TasteApi, TasteTrainRequest, TasteTrained } from './protocol';
import { serve, withTransfer, type CallContext } from './rpc';
import { tagHeadToOnnx } from '../scoring/taste/tagHeadOnnx';
import { trainTasteHead, type TasteProgress } from '../scoring/taste/trainTaste';

declare const self: DedicatedWorkerGlobalScope;

const abs = (url: string) => new URL(url, self.location.href).href;
setWasmPaths({
  'tfjs-backend-wasm.wasm': abs(wasmUrl),
  'tfjs-backend-wasm-simd.wasm': abs(wasmSimdUrl),
  'tfjs-backend-wasm-threaded-simd.wasm': abs(wasmThreadedUrl),
});

// The threaded build starts its pthreads from a blob script that breaks once bundled ("e is not defined");
// the single-threaded SIMD build trains this small head fast enough.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

let backendNote: Promise<string> | null = null;

async function chooseTfBackend(): Promise<string> {
  const adapter = await adapterFacts();
  if (adapter && !isSoftwareAdapter(adapter)) {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu').catch(() => false)) return `WebGPU (${adapter.vendor || 'GPU'})`;
  }
  if (await tf.setBackend('wasm').catch(() => false)) {
    const why = adapter ? 'the WebGPU adapter is a software one' : 'no WebGPU';
    return `WASM (${why})`;
  }
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  return 'plain JS (WASM failed to start)';
}

async function train(req: TasteTrainRequest, call: CallContext<TasteProgress>): Promise<TasteTrained> {
  backendNote ??= chooseTfBackend();
  const backend = await backendNote;
  const started = performance.now();
  // The page's cancel aborts call.signal: training stops at its next step.
  const result = await trainTasteHead(tf, req.input, (progress) => call.progress(progress), call.signal);
  const onnx = tagHeadToOnnx(result.weights, req.input.hparams, { producer: req.producer, metadata: req.metadata });
  const { scores, heldOutAccuracy, priorHeldOutAccuracy, trainAccuracy, finalLoss } = result;
  return withTransfer(
    { onnx, scores, heldOutAccuracy, priorHeldOutAccuracy, trainAccuracy, finalLoss, backend, ms: performance.now() - started },
    [onnx.buffer, scores.buffer],
  );
}

serve<TasteApi>({ train });
