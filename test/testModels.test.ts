import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedImageBatch, joinImages, PIXELS_PER_IMAGE, type TensorCtor } from '../src/engine/encoders';
import { isModelManifest, type ModelFile, type ModelManifest } from '../src/engine/manifest';
import { cosine } from '../src/scoring/similarity';

const MODEL_DIR = fileURLToPath(new URL('../public/models/clip-tiny/', import.meta.url));
const SOT = 49406;
const EOT = 49407;
const IMAGE = 224;

/** What scripts/make_test_models.py records next to the model: torch's outputs for fixed inputs. */
interface GeneratorStamp {
  config: { vision_width: number; text_width: number };
  reference: {
    imageEmbeds: number[][];
    inputIds: number[];
    textEmbeds77: number[];
    textEmbeds7: number[];
  };
}

function loadJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** Same formula as reference_pixels() in the generator: every value is k/8 - 1, exact in float32. */
function referencePixels(batch: number, firstItem = 0): Float32Array {
  const out = new Float32Array(batch * 3 * IMAGE * IMAGE);
  let i = 0;
  for (let bi = 0; bi < batch; bi++) {
    const b = firstItem + bi;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < IMAGE; y++) {
        for (let x = 0; x < IMAGE; x++) {
          const k = (b * 7 + c * 3 + y * 5 + x * 11 + Math.floor(x / 32) * Math.floor(y / 32) * (b + 1)) % 17;
          out[i++] = k / 8 - 1;
        }
      }
    }
  }
  return out;
}

function idsTensor(rows: number[][]): ort.Tensor {
  const len = rows[0].length;
  const data = BigInt64Array.from(rows.flat().map((v) => BigInt(v)));
  return new ort.Tensor('int64', data, [rows.length, len]);
}

function padded(tokens: number[], length: number, pad: number): number[] {
  return [...tokens, ...new Array<number>(length - tokens.length).fill(pad)];
}

function row(t: ort.Tensor, r: number): Float32Array {
  const width = t.dims[t.dims.length - 1];
  return (t.data as Float32Array).subarray(r * width, (r + 1) * width);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}


function tensorMeta(session: ort.InferenceSession, kind: 'input' | 'output', name: string) {
  const list = kind === 'input' ? session.inputMetadata : session.outputMetadata;
  const meta = list.find((m) => m.name === name);
  if (!meta || !meta.isTensor) throw new Error(`${kind} ${name} missing or not a tensor`);
  return { type: meta.type, shape: [...meta.shape] };
}

let manifest: ModelManifest;
let stamp: GeneratorStamp;
let vision: ort.InferenceSession;
let text: ort.InferenceSession;

beforeAll(async () => {
  const manifestPath = join(MODEL_DIR, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`${manifestPath} is missing: generate the test models with \`npm run models:test\``);
  }
  const m = loadJson(manifestPath);
  if (!isModelManifest(m)) throw new Error(`${manifestPath} does not follow the ModelManifest schema`);
  manifest = m;
  stamp = loadJson(join(MODEL_DIR, 'generator.json')) as GeneratorStamp;
  const vf = manifest.vision.fp32;
  const tf = manifest.text.fp32;
  if (!vf || !tf) throw new Error('clip-tiny manifest lacks fp32 files');
  vision = await ort.InferenceSession.create(join(MODEL_DIR, vf.path));
  text = await ort.InferenceSession.create(join(MODEL_DIR, tf.path));
});

afterAll(async () => {
  await vision?.release();
  await text?.release();
});

describe('clip-tiny manifest', () => {
  it('describes a synthetic fp32-only model with the real model geometry', () => {
    expect(manifest.schema).toBe(1);
    expect(manifest.id).toBe('clip-tiny');
    expect(manifest.synthetic).toBe(true);
    expect(manifest.description).toMatch(/random/i);
    expect(manifest.embedDim).toBe(512);
    expect(manifest.imageSize).toBe(224);
    expect(manifest.contextLength).toBe(77);
    expect(Object.keys(manifest.vision)).toEqual(['fp32']);
    expect(Object.keys(manifest.text)).toEqual(['fp32']);
    expect(manifest.vision.fp32?.path).toBe('onnx/vision_model.onnx');
    expect(manifest.text.fp32?.path).toBe('onnx/text_model.onnx');
    if (manifest.aestheticHead) {
      expect(manifest.aestheticHead.format).toBe('pth-linear');
      expect(manifest.aestheticHead.scale.length).toBeGreaterThan(0);
    }
  });

  it('has sizes and sha256 that match the files', () => {
    const files: ModelFile[] = [manifest.vision.fp32!, manifest.text.fp32!, manifest.tokenizer];
    if (manifest.aestheticHead) files.push(manifest.aestheticHead);
    for (const f of files) {
      const path = join(MODEL_DIR, f.path);
      if (!existsSync(path)) {
        // Without ../shared the generator points the tokenizer and head at their public copies instead.
        expect(f === manifest.vision.fp32 || f === manifest.text.fp32, `${f.path} missing`).toBe(false);
        expect(f.urls?.length, `${f.path} is neither present nor downloadable`).toBeGreaterThan(0);
        continue;
      }
      const bytes = readFileSync(path);
      expect(bytes.length, f.path).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
    }
  });
});

describe('clip-tiny vision model', () => {
  it('has the I/O of Xenova/clip-vit-base-patch32', () => {
    expect(vision.inputNames).toEqual(['pixel_values']);
    expect([...vision.outputNames].sort()).toEqual(['image_embeds', 'last_hidden_state']);
    expect(tensorMeta(vision, 'input', 'pixel_values')).toEqual({ type: 'float32', shape: ['batch_size', 3, 224, 224] });
    expect(tensorMeta(vision, 'output', 'image_embeds')).toEqual({ type: 'float32', shape: ['batch_size', 512] });
    expect(tensorMeta(vision, 'output', 'last_hidden_state')).toEqual({
      type: 'float32',
      shape: ['batch_size', 50, stamp.config.vision_width],
    });
  });

  it.each([1, 3])('runs batch %i with the expected shapes', async (batch) => {
    const out = await vision.run({ pixel_values: new ort.Tensor('float32', referencePixels(batch), [batch, 3, 224, 224]) });
    expect(out.image_embeds.type).toBe('float32');
    expect(out.image_embeds.dims).toEqual([batch, 512]);
    expect(out.last_hidden_state.type).toBe('float32');
    expect(out.last_hidden_state.dims).toEqual([batch, 50, stamp.config.vision_width]);
    expect((out.image_embeds.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('computes what torch computed, independent of the batch it is in', async () => {
    const out3 = await vision.run({ pixel_values: new ort.Tensor('float32', referencePixels(3), [3, 3, 224, 224]) });
    const out1 = await vision.run({ pixel_values: new ort.Tensor('float32', referencePixels(1, 1), [1, 3, 224, 224]) });
    const emb = out3.image_embeds;
    for (let b = 0; b < 2; b++) expect(maxAbsDiff(row(emb, b), stamp.reference.imageEmbeds[b])).toBeLessThan(1e-4);
    expect(maxAbsDiff(row(out1.image_embeds, 0), row(emb, 1))).toBeLessThan(1e-5);
    // Random weights must still tell images apart, or tests built on the model prove nothing.
    expect(cosine(row(emb, 0), row(emb, 1))).toBeLessThan(0.999);
    expect(cosine(row(emb, 1), row(emb, 2))).toBeLessThan(0.999);
  });

  it('embeds per-image tensors joined in the worker exactly as one batch buffer', async () => {
    const batch = referencePixels(3);
    const images = [0, 1, 2].map((i) => batch.slice(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE));
    const Tensor = ort.Tensor as unknown as TensorCtor;
    const joined = await embedImageBatch(vision, Tensor, joinImages(images), 3);
    const whole = await embedImageBatch(vision, Tensor, batch, 3);
    expect(Array.from(joined)).toEqual(Array.from(whole));
    expect(maxAbsDiff(joined.subarray(512, 1024), stamp.reference.imageEmbeds[1])).toBeLessThan(1e-4);
    expect(() => joinImages([images[0], images[1].subarray(1)])).toThrow(/image 1 holds 150527 values/);
  });
});

describe('clip-tiny text model', () => {
  it('has the I/O of Xenova/clip-vit-base-patch32 (no attention_mask)', () => {
    expect(text.inputNames).toEqual(['input_ids']);
    expect([...text.outputNames].sort()).toEqual(['last_hidden_state', 'text_embeds']);
    expect(tensorMeta(text, 'input', 'input_ids')).toEqual({ type: 'int64', shape: ['batch_size', 'sequence_length'] });
    expect(tensorMeta(text, 'output', 'text_embeds')).toEqual({ type: 'float32', shape: ['batch_size', 512] });
    expect(tensorMeta(text, 'output', 'last_hidden_state')).toEqual({
      type: 'float32',
      shape: ['batch_size', 'sequence_length', stamp.config.text_width],
    });
  });

  it.each([
    [1, 77],
    [3, 77],
    [1, 7],
    [5, 7],
  ])('runs batch %i × sequence %i with the expected shapes', async (batch, seq) => {
    const rows = Array.from({ length: batch }, (_, b) =>
      padded([SOT, 320 + b, 1125, 539, 320, 2368 - b, EOT].slice(0, seq - 1).concat(EOT), seq, EOT),
    );
    const out = await text.run({ input_ids: idsTensor(rows) });
    expect(out.text_embeds.type).toBe('float32');
    expect(out.text_embeds.dims).toEqual([batch, 512]);
    expect(out.last_hidden_state.dims).toEqual([batch, seq, stamp.config.text_width]);
    expect((out.text_embeds.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('pools at the first end token, as HF does with argmax(input_ids)', async () => {
    const ref = stamp.reference;
    const out77 = await text.run({ input_ids: idsTensor([padded(ref.inputIds, 77, EOT)]) });
    const out7 = await text.run({ input_ids: idsTensor([ref.inputIds]) });
    expect(maxAbsDiff(row(out77.text_embeds, 0), ref.textEmbeds77)).toBeLessThan(1e-4);
    expect(maxAbsDiff(row(out7.text_embeds, 0), ref.textEmbeds7)).toBeLessThan(1e-4);
    // Causal attention: what follows the first end token cannot change the pooled vector.
    expect(maxAbsDiff(row(out77.text_embeds, 0), row(out7.text_embeds, 0))).toBeLessThan(1e-5);
    const zeroPadded = await text.run({ input_ids: idsTensor([padded(ref.inputIds, 77, 0)]) });
    expect(maxAbsDiff(row(zeroPadded.text_embeds, 0), row(out7.text_embeds, 0))).toBeLessThan(1e-5);
    // ... while the tokens before it do.
    const other = await text.run({ input_ids: idsTensor([[SOT, 320, 1125, 539, 320, 1929, EOT]]) });
    expect(cosine(row(other.text_embeds, 0), row(out7.text_embeds, 0))).toBeLessThan(0.999);
  });
});
