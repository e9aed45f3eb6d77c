import type { Backend, BackendPreference } from './backend';
import type { Dtype } from './manifest';
import type { ImageMetadata } from '../library/metadata/readMetadata';
import type { TechnicalQuality } from '../library/quality/technical';
import type { TasteProgress, TasteTrainInput } from '../scoring/taste/trainTaste';

/** Messages to the inference worker. Every request has an id; `abort` names the request to drop. */
export type InferenceRequest =
  | {
      type: 'init';
      id: number;
      modelId: string | null;
      baseUrl: string;
      preference: BackendPreference;
      /** Files from a user-picked model folder, keyed by relative path. */
      pickedFiles: Map<string, File> | null;
      allowRemote: boolean;
      batchSize: number;
      /** Overrides the WASM thread count (benchmarks); null lets the engine decide. */
      wasmThreads: number | null;
    }
  | { type: 'embedImages'; id: number; pixels: Float32Array; count: number }
  | { type: 'embedTexts'; id: number; texts: string[] }
  /**
   * Tag-conditioned scores for raw image embeddings [count, 512] and one normalized tag embedding, from the
   * model's tag head (head null) or a head the user trained (its key).
   */
  | { type: 'scoreTagHead'; id: number; head: string | null; imageEmbeds: Float32Array; count: number; tagEmbedding: Float32Array }
  /** Loads (ONNX bytes) or drops (null) a head the user trained; heads are dropped when the model changes. */
  | { type: 'setUserHead'; id: number; key: string; onnx: Uint8Array | null }
  /** Test hook (`?testHooks=1`): destroys the WebGPU device, as a driver reset or a lost GPU would. */
  | { type: 'loseGpuDevice'; id: number }
  | { type: 'abort'; id: number };

export interface ModelLoadProgress {
  file: string;
  source: string;
  loaded: number;
  total: number;
}

export interface EngineReady {
  backend: Backend;
  dtype: Dtype;
  reason: string;
  modelId: string;
  synthetic: boolean;
  hasAestheticHead: boolean;
  headScale: string | null;
  warmupMs: number;
  sessionMs: number;
  /** The tag head that ranks tags, when the model has one. */
  tagHead: { id: string; scale: string; trainedOn: string } | null;
  /** Largest image batch that fits, once a bigger one ran out of memory; null while none has. */
  batchLimit: number | null;
}

export type InferenceResponse =
  | { type: 'loadProgress'; id: number; progress: ModelLoadProgress }
  | { type: 'status'; id: number; message: string }
  | { type: 'ready'; id: number; engine: EngineReady }
  | {
      type: 'imageEmbeddings';
      id: number;
      count: number;
      /** [count, 512], raw (not normalized), as the model gave them. */
      embeddings: Float32Array;
      /** Aesthetic scores, or null without a head. */
      scores: Float32Array | null;
      runMs: number;
    }
  | { type: 'textEmbeddings'; id: number; count: number; embeddings: Float32Array }
  | { type: 'tagHeadScores'; id: number; scores: Float32Array }
  | { type: 'done'; id: number }
  /** Unsolicited (id 0): the engine changed under a running analysis (WebGPU lost, smaller batches); the notice says how. */
  | { type: 'engineChanged'; id: 0; engine: EngineReady; notice: string }
  | { type: 'error'; id: number; message: string; fatal: boolean };

/** Messages to a decode worker. */
export type DecodeRequest =
  | { type: 'decode'; id: number; file: Blob; name: string; thumbSize: number }
  | { type: 'hash'; id: number; file: Blob };

export type DecodeResponse =
  | {
      type: 'decoded';
      id: number;
      /** CHW float32, normalized for CLIP: 3×224×224. */
      pixels: Float32Array;
      thumbnail: Blob | null;
      width: number;
      height: number;
      decodeMs: number;
      preprocessMs: number;
      /** Technical figures at the working resolution; null when they could not be measured. */
      quality: TechnicalQuality | null;
      metadata: ImageMetadata;
    }
  | { type: 'hashed'; id: number; contentHash: string }
  | { type: 'failed'; id: number; reason: string };

/** Messages to the taste worker, which trains a tag head on the user's decisions (src/scoring/taste/). */
export type TasteRequest =
  | { type: 'train'; id: number; input: TasteTrainInput; producer: string; metadata: Record<string, string> }
  | { type: 'abort'; id: number };

export type TasteResponse =
  | { type: 'progress'; id: number; progress: TasteProgress }
  | {
      type: 'trained';
      id: number;
      /** The trained head as ONNX (training/export_onnx.py's graph I/O). */
      onnx: Uint8Array;
      scores: Float32Array;
      heldOutAccuracy: number | null;
      priorHeldOutAccuracy: number | null;
      trainAccuracy: number | null;
      finalLoss: number;
      /** The TF.js backend that trained it, and why. */
      backend: string;
      ms: number;
    }
  | { type: 'error'; id: number; message: string; cancelled: boolean };

/** Messages to the grouping worker (bursts and near-duplicates, src/scoring/groups.ts). */
export interface GroupRequest {
  id: number;
  /** [count, dim], rows L2-normalized; transferred. */
  embeddings: Float32Array;
  count: number;
  dim: number;
  capturedAt: (number | null)[];
  minCosine: number;
  windowMs: number | null;
}

export type GroupResponse =
  | { type: 'grouped'; id: number; groups: Int32Array[]; ms: number }
  | { type: 'error'; id: number; message: string };
