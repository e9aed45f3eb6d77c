/**
 * A model folder in the app's layout (`manifest.json`, `onnx/…`, `tokenizer.json`, the aesthetic head), opened
 * for onnxruntime-node. The files are checked against the manifest's sizes and digests before use: the
 * embeddings' metadata names the model by its manifest, which only identifies the weights if they match it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { TensorCtor } from '../../src/engine/encoders';
import { isModelManifest, type Dtype, type ModelFile, type ModelManifest } from '../../src/engine/manifest';
import { chooseDtypeFile } from '../../src/engine/modelSources';
import { createClipTokenizer, type ClipTokenizer } from '../../src/engine/tokenizer';
import { createLinearAestheticHead, type LinearAestheticHead } from '../../src/scoring/aestheticHead';
import { parsePthLinear } from '../../src/scoring/pthLinear';

/** onnxruntime-node re-exports onnxruntime-common's Tensor; the shared encoders take it as this type. */
export const NodeTensor = ort.Tensor as unknown as TensorCtor;

/** CPU first choice is fp32 (the reference); int8 runs natively on CPU; fp16 only where nothing else exists. */
export const NODE_DTYPE_PREFERENCE: readonly Dtype[] = ['fp32', 'int8', 'fp16'];

export interface ModelDir {
  dir: string;
  manifest: ModelManifest;
  /** sha256 of manifest.json's bytes: names these exact weights in the embeddings' metadata. */
  manifestSha256: string;
  threads: number;
}

export interface ClipTextEncoder {
  session: ort.InferenceSession;
  tokenizer: ClipTokenizer;
}

export async function openModelDir(dir: string, threads: number): Promise<ModelDir> {
  const root = resolve(dir);
  const manifestPath = resolve(root, 'manifest.json');
  const bytes = await readFile(manifestPath).catch((error: unknown) => {
    throw new Error(`${manifestPath}: cannot read the model manifest (${messageOf(error)}); --model must be a model folder`);
  });
  let manifest: unknown;
  try {
    manifest = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`${manifestPath} is not JSON: ${messageOf(error)}`);
  }
  if (!isModelManifest(manifest)) throw new Error(`${manifestPath} is not a model manifest (schema 1)`);
  return { dir: root, manifest, manifestSha256: createHash('sha256').update(bytes).digest('hex'), threads };
}

export function visionDtype(model: ModelDir): Dtype {
  return chooseDtypeFile(model.manifest, 'vision', NODE_DTYPE_PREFERENCE).dtype;
}

export async function createVisionSession(model: ModelDir): Promise<ort.InferenceSession> {
  const { file } = chooseDtypeFile(model.manifest, 'vision', NODE_DTYPE_PREFERENCE);
  return ort.InferenceSession.create(await verifiedPath(model, file), sessionOptions(model.threads));
}

export async function createTextEncoder(model: ModelDir): Promise<ClipTextEncoder> {
  const { file } = chooseDtypeFile(model.manifest, 'text', NODE_DTYPE_PREFERENCE);
  const session = await ort.InferenceSession.create(await verifiedPath(model, file), sessionOptions(model.threads));
  const tokenizerJson: unknown = JSON.parse(await readFile(await verifiedPath(model, model.manifest.tokenizer), 'utf8'));
  const tokenizer = createClipTokenizer(tokenizerJson, { contextLength: model.manifest.contextLength });
  return { session, tokenizer };
}

/** The vision encoder's file as the manifest lists it: its sha256 names the image embeddings it makes. */
export function visionFile(model: ModelDir): ModelFile {
  return chooseDtypeFile(model.manifest, 'vision', NODE_DTYPE_PREFERENCE).file;
}

/** The manifest's first tag head, which the app ranks tags by when there is one (src/state/tags.ts). */
export async function createTagHeadSession(model: ModelDir): Promise<{ id: string; session: ort.InferenceSession } | null> {
  const file = model.manifest.heads?.[0];
  if (file === undefined) return null;
  const session = await ort.InferenceSession.create(await verifiedPath(model, file), sessionOptions(model.threads));
  return { id: file.id, session };
}

/** Null when the manifest lists no aesthetic head: rows then carry no aesthetic score. */
export async function loadAestheticHead(model: ModelDir): Promise<LinearAestheticHead | null> {
  const file = model.manifest.aestheticHead;
  if (file === undefined) return null;
  const head = createLinearAestheticHead(parsePthLinear(await readFile(await verifiedPath(model, file))));
  if (head.inFeatures !== model.manifest.embedDim) {
    throw new Error(`${file.path}: the head takes ${head.inFeatures}-d embeddings, the model gives ${model.manifest.embedDim}`);
  }
  return head;
}

function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  // One graph runs at a time, so parallelism belongs inside the ops, not across them.
  return { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 };
}

/** The file's absolute path, refused when it leaves the folder or differs from the manifest's size or digest. */
async function verifiedPath(model: ModelDir, file: ModelFile): Promise<string> {
  const path = resolve(model.dir, file.path);
  const inside = relative(model.dir, path);
  if (inside.startsWith('..') || isAbsolute(inside)) throw new Error(`${file.path}: path leaves the model folder`);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new Error(`${path} is missing: the model folder ${model.dir} is incomplete`);
  }
  if (file.bytes !== undefined && info.size !== file.bytes) {
    throw new Error(`${path} has ${info.size} bytes, the manifest says ${file.bytes}`);
  }
  if (file.sha256 !== undefined) {
    const digest = await hashFile(path);
    if (digest !== file.sha256.toLowerCase()) throw new Error(`${path} has sha256 ${digest}, the manifest says ${file.sha256}`);
  }
  return path;
}

function hashFile(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex')));
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
