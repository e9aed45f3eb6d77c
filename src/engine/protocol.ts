/**
 * What the inference, taste and grouping workers offer the page: one `…Api` interface per worker (served
 * with rpc/serve, reached with rpc/connect) and the data types it carries. Adding a method is adding it to
 * the interface and to the worker's implementation.
 */
import type { Backend, BackendPreference } from './backend';
import type { FittedPhrase } from './fitPhrase';
import type { Dtype } from './manifest';
import type { CallContext } from './rpc';
import type { TasteProgress, TasteTrainInput } from '../scoring/taste/trainTaste';
import type { TargetRequest, TargetSelection } from '../scoring/cullTarget';

// ─── Inference worker (inference.worker.ts) ───────────────────────────────────────────────────────────

export interface EngineOptions {
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

export interface ModelLoadProgress {
  file: string;
  source: string;
  loaded: number;
  total: number;
}

/** While the model loads: bytes of a file, or a sentence on the step it is at. */
export type EngineLoadProgress = { kind: 'file'; progress: ModelLoadProgress } | { kind: 'status'; message: string };

export interface EngineReady {
  backend: Backend;
  dtype: Dtype;
  reason: string;
  modelId: string;
  /** Width of the model's embeddings (its manifest's embedDim). */
  embedDim: number;
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

export interface ImageEmbeddings {
  count: number;
  /** [count, embedDim], raw (not normalized), as the model gave them. */
  embeddings: Float32Array;
  /** Aesthetic scores, or null without a head. */
  scores: Float32Array | null;
  runMs: number;
}

export interface TextEmbeddings {
  count: number;
  embeddings: Float32Array;
}

export interface TagHeadInput {
  /** The model's tag head (null) or a head the user trained (its key). */
  head: string | null;
  /** Raw image embeddings [count, embedDim]. */
  imageEmbeds: Float32Array;
  count: number;
  /** One normalized tag embedding. */
  tagEmbedding: Float32Array;
}

/** The one long-lived inference worker. Calls run one at a time, in order: one ORT session runs one batch at a time. */
export interface InferenceApi {
  init(options: EngineOptions, ctx: CallContext<EngineLoadProgress>): Promise<EngineReady>;
  /** `pixels`: one buffer of `count` images, or one buffer per image (joined in the worker). */
  embedImages(batch: { pixels: Float32Array | Float32Array[]; count: number }): Promise<ImageEmbeddings>;
  embedTexts(texts: string[]): Promise<TextEmbeddings>;
  /** The phrase cut, between words, to what CLIP reads in every prompt these templates make (fitPhrase.ts). */
  fitPhrase(request: { text: string; templates: readonly string[] }): Promise<FittedPhrase>;
  /** Tag-conditioned scores, one per image. */
  scoreTagHead(input: TagHeadInput): Promise<Float32Array>;
  /** Loads (ONNX bytes) or drops (null) a head the user trained; heads are dropped when the model changes. */
  setUserHead(head: { key: string; onnx: Uint8Array | null }): Promise<void>;
  /** Test hook (`?testHooks=1`): destroys the WebGPU device, as a driver reset or a lost GPU would. */
  loseGpuDevice(): Promise<void>;
}

export interface InferenceEvents {
  /** The engine changed under a running analysis (WebGPU lost, smaller batches); the notice says how. */
  engineChanged: { engine: EngineReady; notice: string };
}

// ─── Taste worker (taste.worker.ts): trains a tag head on the user's decisions (src/scoring/taste/) ───

export interface TasteTrainRequest {
  input: TasteTrainInput;
  producer: string;
  metadata: Record<string, string>;
}

export interface TasteTrained {
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

export interface TasteApi {
  /** Stops early (the call rejects with Cancelled) when the page aborts it. */
  train(request: TasteTrainRequest, ctx: CallContext<TasteProgress>): Promise<TasteTrained>;
}

// ─── Grouping worker (grouping.worker.ts): bursts and near-duplicates (src/scoring/groups.ts) ─────────

export interface GroupRequest {
  /**
   * [count, dim] in blocks of whole rows (state/embeddingBlocks.ts), as the encoder gave them: the worker joins
   * and L2-normalises them. Transferred.
   */
  embeddings: Float32Array[];
  count: number;
  dim: number;
  capturedAt: (number | null)[];
  minCosine: number;
  windowMs: number | null;
}

export interface Grouped {
  groups: Int32Array[];
  ms: number;
}

/** A cull-to-target request whose embeddings come in row blocks, as in GroupRequest. */
export type BlockTargetRequest = Omit<TargetRequest, 'embeddings'> & { embeddings: Float32Array[] };

export interface GroupingApi {
  group(request: GroupRequest): Grouped;
  /** Cull to a target (src/scoring/cullTarget.ts): which photos to keep. */
  selectTarget(request: BlockTargetRequest): TargetSelection;
}
