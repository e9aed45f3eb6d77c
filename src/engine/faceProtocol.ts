/**
 * Messages between the page and the face worker (face.worker.ts). Every request has an id; `abort` names
 * the request to drop. The worker answers each request once (`ready`, `faces` or `error`), in order.
 */
import type { BackendPreference } from './backend';
import type { MeasuredFaces } from '../scoring/faces/measure';

export type FaceBackend = 'wasm' | 'webgpu';

/** The photo to look at. Both forms are transferred to the worker: the caller must not use them afterwards. */
export type FaceImage =
  /** Decoded pixels (EXIF orientation already applied, as createImageBitmap's `from-image` does). */
  | { kind: 'bitmap'; bitmap: ImageBitmap }
  /** The file's bytes; the worker decodes them (createImageBitmap, orientation from EXIF). */
  | { kind: 'bytes'; bytes: ArrayBuffer; mimeType: string };

export type FaceRequest =
  | {
      type: 'init';
      id: number;
      /** 'auto': WebGPU only on a real (non-software) adapter, else WASM. Tests may force either. */
      preference: BackendPreference;
      /** Absolute URL of the folder with `models/` and `wasm/` (build/humanAssets.ts), ending in '/'. */
      assetsUrl: string;
    }
  | { type: 'detect'; id: number; image: FaceImage }
  | { type: 'abort'; id: number };

export interface FaceEngineReady {
  backend: FaceBackend;
  /** One sentence for the UI: why this backend. */
  reason: string;
  /** Human's version and the TF.js version it bundles. */
  human: string;
  tfjs: string;
  /** Backend start + the three models' download and compilation. */
  loadMs: number;
}

export interface FaceTimings {
  /** Decoding the bytes (0 for a bitmap). */
  decodeMs: number;
  /** Scaling to the working size and reading the pixels back. */
  readMs: number;
  /** Human: detector, mesh and iris models for every face. */
  detectMs: number;
  /** Eye ratios, crops and sharpness. */
  measureMs: number;
}

export type FaceResponse =
  | { type: 'ready'; id: number; engine: FaceEngineReady }
  | { type: 'faces'; id: number; measured: MeasuredFaces; timings: FaceTimings }
  | { type: 'error'; id: number; message: string; cancelled: boolean };
