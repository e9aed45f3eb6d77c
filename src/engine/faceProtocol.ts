/**
 * What the face worker (face.worker.ts) offers the page, and the data it carries. Its calls run one at a
 * time, in order (Human is not re-entrant).
 */
import type { BackendPreference } from './backend';
import type { CallContext } from './rpc';
import type { MeasuredFaces } from '../scoring/faces/measure';

export type FaceBackend = 'wasm' | 'webgpu';

/**
 * A photo already decoded (upright) at the face check's working size, by the decode worker that read it for
 * CLIP: the face worker then decodes nothing. `source` is the photo's full displayed size, which face sizes
 * are reported in.
 */
export interface ScaledFaceImage {
  bitmap: ImageBitmap;
  source: { width: number; height: number };
}

/**
 * The photo to look at. A file (or any Blob) is sent as it is and read and decoded in the worker
 * (createImageBitmap, orientation from EXIF): nothing is read on the page. A bitmap (EXIF orientation already
 * applied) is transferred: the caller must not use it afterwards.
 */
export type FaceImage = Blob | ImageBitmap | ScaledFaceImage;

/** The bitmap inside `image`, if it holds one (to transfer or close). */
export function bitmapOf(image: FaceImage): ImageBitmap | null {
  if (image instanceof Blob) return null;
  return 'bitmap' in image ? image.bitmap : image;
}

export interface FaceEngineOptions {
  /** 'auto': WebGPU only on a real (non-software) adapter, else WASM. Tests may force either. */
  preference: BackendPreference;
  /** Absolute URL of the folder with `models/` and `wasm/` (build/humanAssets.ts), ending in '/'. */
  assetsUrl: string;
}

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
  /** Decoding the file (0 for a bitmap). */
  decodeMs: number;
  /** Scaling to the working size and reading the pixels back. */
  readMs: number;
  /** Human: detector, mesh and iris models for every face. */
  detectMs: number;
  /** Eye ratios, crops and sharpness. */
  measureMs: number;
}

export interface DetectedFaces {
  measured: MeasuredFaces;
  timings: FaceTimings;
}

export interface FaceApi {
  /** Starts Human and loads its models, once; a failed start is retried by the next init. */
  init(options: FaceEngineOptions): Promise<FaceEngineReady>;
  detect(image: FaceImage, ctx: CallContext): Promise<DetectedFaces>;
}
