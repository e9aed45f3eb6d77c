import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedImageBatch, embedTextBatch, PIXELS_PER_IMAGE, type TensorCtor } from '../src/engine/encoders';
import { preprocessForClip } from '../src/engine/preprocess';
import { createClipTokenizer } from '../src/engine/tokenizer';
import { createLinearAestheticHead } from '../src/scoring/aestheticHead';
import { parsePthLinear } from '../src/scoring/pthLinear';
import { SHARED, sharedLabPage } from './browser';

const MODEL = new URL('../public/models/clip-tiny/', import.meta.url).pathname;
const PHOTOS = ['clive_673.jpg', 'clive_772.jpg', 'clive_1135.jpg'].map((f) => join(SHARED, 'images/real', f));
const TEXTS = ['a photo of a cat', 'A PORTRAIT, in the rain!', 'sunset 🌅 over the sea'];
const Tensor = ortNode.Tensor as unknown as TensorCtor;

interface Embeddings {
  text: number[];
  image: number[];
  scores: number[];
}

/** The same path in Node: sharp decode (equal to Chromium's and PIL's, docs/preprocessing.md), same modules. */
async function nodeEmbeddings(): Promise<Embeddings> {
  const vision = await ortNode.InferenceSession.create(join(MODEL, 'onnx/vision_model.onnx'));
  const textModel = await ortNode.InferenceSession.create(join(MODEL, 'onnx/text_model.onnx'));
  const tokenizer = createClipTokenizer(JSON.parse(readFileSync(join(MODEL, 'tokenizer.json'), 'utf8')));
  const head = createLinearAestheticHead(parsePthLinear(readFileSync(join(MODEL, 'sa_0_4_vit_b_32_linear.pth'))));
  const pixels = new Float32Array(PHOTOS.length * PIXELS_PER_IMAGE);
  for (const [i, path] of PHOTOS.entries()) {
    const { data, info } = await sharp(path).rotate().raw().toBuffer({ resolveWithObject: true });
    preprocessForClip({ data, width: info.width, height: info.height, channels: info.channels as 3 | 4 }, pixels, i * PIXELS_PER_IMAGE);
  }
  const image = await embedImageBatch(vision, Tensor, pixels, PHOTOS.length);
  const batch = tokenizer.encodeBatch(TEXTS);
  const text = await embedTextBatch(textModel, Tensor, batch.ids, batch.attentionMask, batch.batch, batch.length);
  return { text: Array.from(text), image: Array.from(image), scores: Array.from(head.scoreBatch(image, PHOTOS.length)) };
}

const maxAbsDiff = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};

let reference: Embeddings;
beforeAll(async () => {
  reference = await nodeEmbeddings();
});
const lab = sharedLabPage();

async function browserEmbeddings(preference: 'wasm' | 'webgpu') {
  const images = PHOTOS.map((p) => ({ bytes: Array.from(readFileSync(p)), name: p }));
  return lab.page.evaluate(
    async ({ images, texts, preference }) => {
      type Lab = { embedWithEngine(o: unknown): Promise<Embeddings & { backend: string }> };
      const lab = (window as unknown as { loupeLab: Lab }).loupeLab;
      return lab.embedWithEngine({
        modelId: 'clip-tiny',
        preference,
        texts,
        images: images.map((i) => ({ bytes: new Uint8Array(i.bytes), name: i.name })),
      });
    },
    { images, texts: TEXTS, preference },
  );
}

describe('browser and Node give the same embeddings (clip-tiny)', () => {
  it.each(['wasm', 'webgpu'] as const)('%s matches onnxruntime-node within 1e-4', async (preference) => {
    const got = await browserEmbeddings(preference);
    expect(got.backend).toBe(preference);
    const tol = 1e-4;
    expect(maxAbsDiff(got.text, reference.text)).toBeLessThan(tol);
    expect(maxAbsDiff(got.image, reference.image)).toBeLessThan(tol);
    expect(maxAbsDiff(got.scores, reference.scores)).toBeLessThan(tol);
    // Different inputs must give different embeddings, or the comparison above proves little.
    expect(maxAbsDiff(got.text.slice(0, 512), got.text.slice(512, 1024))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(got.image.slice(0, 512), got.image.slice(512, 1024))).toBeGreaterThan(1e-3);
  });
});
