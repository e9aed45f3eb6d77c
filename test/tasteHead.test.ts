/**
 * The in-app taste head: the TF.js TagHead gives PyTorch's scores and gradients (fixture from
 * scripts/make_taste_fixtures.py), eq. (1) matches PyTorch's loss, decisions become pairs with a clean
 * held-out split, and training on planted decisions lifts unseen images of the planted kind; the trained
 * weights, written as ONNX, score in onnxruntime-node as they did in TF.js.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/scoring/mulberry32';
import { runTagHead } from '../src/scoring/tagHead';
import { eq1 } from '../src/scoring/taste/eq1';
import { DEFAULT_TAG_HEAD, type TagHeadHparams, type TagHeadWeights } from '../src/scoring/taste/tagHeadSpec';
import { tagHeadToOnnx } from '../src/scoring/taste/tagHeadOnnx';
import { buildTastePairs, notEnoughDecisions, pairAccuracy, preferenceLevel, type TasteItem } from '../src/scoring/taste/tastePairs';
import { createTfTagHead } from '../src/scoring/taste/tfTagHead';
import { sampleBatch, trainTasteHead } from '../src/scoring/taste/trainTaste';

interface Fixture {
  hparams: TagHeadHparams;
  weights: Record<string, number[]>;
  n: number;
  images: number[];
  tags: number[];
  scores: number[];
  pairs: [number, number][];
  targets: number[];
  lambda: number;
  loss: number;
  grads: Record<string, number[]>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/taste-head-small.json', import.meta.url), 'utf8')) as Fixture;
const weights: TagHeadWeights = Object.fromEntries(Object.entries(fixture.weights).map(([k, v]) => [k, Float32Array.from(v)]));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('TF.js tag head against PyTorch', () => {
  const dim = fixture.hparams.embedDim;
  // The fixture's tag rows differ per image; the app has one tag per run, so score row by row.
  const scoreRows = (head: ReturnType<typeof createTfTagHead>, training: boolean) =>
    tf.concat(Array.from({ length: fixture.n }, (_, r) =>
      head.forward(tf.tensor2d(fixture.images.slice(r * dim, (r + 1) * dim), [1, dim]), tf.tensor2d(fixture.tags.slice(r * dim, (r + 1) * dim), [1, dim]), training),
    )) as tf.Tensor1D;

  it('forward gives the fixture scores (cpu backend)', async () => {
    await tf.setBackend('cpu');
    const head = createTfTagHead(tf, weights, fixture.hparams, 0);
    const scores = tf.tidy(() => scoreRows(head, false).dataSync());
    expect(maxAbsDiff(scores, fixture.scores)).toBeLessThan(1e-5);
    head.dispose();
  });

  it('eq. (1) and its gradient match PyTorch autograd', async () => {
    await tf.setBackend('cpu');
    const pairs = Int32Array.from(fixture.pairs.flat());
    const e = eq1(fixture.scores, pairs, fixture.targets, fixture.lambda);
    expect(Math.abs(e.loss - fixture.loss)).toBeLessThan(1e-5);
    const head = createTfTagHead(tf, weights, fixture.hparams, 0);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(scoreRows(head, true), tf.tensor1d(e.grad))));
    const scale = Math.max(...Object.values(fixture.grads).flat().map(Math.abs));
    for (const [name, expected] of Object.entries(fixture.grads)) {
      expect(maxAbsDiff(grads[name].dataSync(), expected) / scale, name).toBeLessThan(1e-4);
    }
    tf.dispose([value, ...Object.values(grads)]);
    head.dispose();
  });

  it('eq. (1) gradient agrees with finite differences of the loss', () => {
    const pairs = Int32Array.from(fixture.pairs.flat());
    const f = Float64Array.from(fixture.scores);
    const { grad } = eq1(f, pairs, fixture.targets, fixture.lambda);
    for (let i = 0; i < f.length; i++) {
      const h = 1e-5;
      const up = Float64Array.from(f), down = Float64Array.from(f);
      up[i] += h;
      down[i] -= h;
      const numeric = (eq1(up, pairs, fixture.targets, fixture.lambda).loss - eq1(down, pairs, fixture.targets, fixture.lambda).loss) / (2 * h);
      expect(Math.abs(numeric - grad[i])).toBeLessThan(1e-5);
    }
  });
});

describe('decisions → pairs', () => {
  const item = (id: string, decision: TasteItem['decision'], stars = 0): TasteItem => ({ id, decision, stars });

  it('orders by decision, then stars; images with neither are left out', () => {
    expect(preferenceLevel(item('a', 'none'))).toBeNull();
    expect(preferenceLevel(item('a', 'pick', 2))!).toBeGreaterThan(preferenceLevel(item('b', 'none', 5))!);
    expect(preferenceLevel(item('a', 'none', 1))!).toBeGreaterThan(preferenceLevel(item('b', 'reject', 5))!);
    const p = buildTastePairs([item('p', 'pick'), item('r', 'reject'), item('n', 'none')], 0);
    expect(p.ids).toEqual(['p', 'r']);
    expect([...p.train]).toEqual([0, 1]);
  });

  it('holds out whole images per level, never trained on', () => {
    const items = [
      ...Array.from({ length: 10 }, (_, i) => item(`pick${i}`, 'pick')),
      ...Array.from({ length: 10 }, (_, i) => item(`rej${i}`, 'reject')),
      ...Array.from({ length: 5 }, (_, i) => item(`star${i}`, 'none', 3)),
    ];
    const p = buildTastePairs(items);
    expect(p.heldOutIds.filter((id) => id.startsWith('pick'))).toHaveLength(2);
    expect(p.heldOutIds.filter((id) => id.startsWith('rej'))).toHaveLength(2);
    expect(p.heldOutIds.filter((id) => id.startsWith('star'))).toHaveLength(1);
    const held = new Set(p.heldOutIds.map((id) => p.ids.indexOf(id)));
    expect([...p.train].some((i) => held.has(i))).toBe(false);
    expect([...p.heldOut].every((i) => held.has(i))).toBe(true);
    // 8 picks × 8 rejects + 8 × 4 stars + 4 × 8 = 128 training pairs
    expect(p.train.length / 2).toBe(128);
    expect(p.counts).toEqual({ picks: 10, rejects: 10, starred: 5 });
    // the split depends on the images, not on their order
    expect(buildTastePairs([...items].reverse()).heldOutIds.sort()).toEqual([...p.heldOutIds].sort());
  });

  it('caps the pair count and explains when there is too little to learn from', () => {
    const many = Array.from({ length: 400 }, (_, i) => item(`i${i}`, i % 2 ? 'pick' : 'reject'));
    expect(buildTastePairs(many, 0, 1000).train.length / 2).toBeLessThanOrEqual(1000);
    expect(notEnoughDecisions(buildTastePairs([item('a', 'pick'), item('b', 'reject')]))).toMatch(/at least 2/);
    expect(pairAccuracy(Int32Array.from([0, 1, 1, 2]), [3, 2, 2])).toBe(0.75);
    expect(pairAccuracy(new Int32Array(0), [])).toBeNull();
  });
});

describe('training batches', () => {
  it('take every pair among at most the given number of images', () => {
    const pairs = buildTastePairs(Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, decision: i % 2 ? 'pick' : 'reject', stars: 0 })), 0).train;
    const all = sampleBatch(pairs, 100, mulberry32(1));
    expect(all.rows.length).toBe(40);
    expect(all.pairs.length).toBe(pairs.length);
    const random = mulberry32(2);
    for (let k = 0; k < 20; k++) {
      const b = sampleBatch(pairs, 12, random);
      expect(b.rows.length).toBeLessThanOrEqual(12);
      expect(b.pairs.length).toBeGreaterThan(0);
      const rows = new Set(b.rows);
      // every training pair whose two images were drawn is in the batch, and nothing else
      let expected = 0;
      for (let p = 0; p < pairs.length; p += 2) if (rows.has(pairs[p]) && rows.has(pairs[p + 1])) expected++;
      expect(b.pairs.length / 2).toBe(expected);
      for (let p = 0; p < b.pairs.length; p += 2) {
        const [w, l] = [b.rows[b.pairs[p]], b.rows[b.pairs[p + 1]]];
        expect(w % 2).toBe(1); // picks (odd ids) win
        expect(l % 2).toBe(0);
      }
    }
  });
});

describe('training on planted decisions', () => {
  it('lifts unseen images of the picked kind, and the ONNX export scores as TF.js did', async () => {
    await tf.setBackend('wasm');
    const random = mulberry32(3);
    const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
    const dim = 512;
    const planted = Float32Array.from({ length: dim }, gauss);
    const embedding = (kind: boolean) => Float32Array.from({ length: dim }, (_, d) => gauss() + (kind ? 0.6 * planted[d] : 0));
    // 30 decided images (planted kind picked, the rest rejected), 20 never decided.
    const decided = Array.from({ length: 30 }, (_, i) => ({ id: `d${i}`, kind: i % 2 === 0 }));
    const unseen = Array.from({ length: 20 }, (_, i) => ({ id: `u${i}`, kind: i % 2 === 0 }));
    const embeddings = new Map([...decided, ...unseen].map((x) => [x.id, embedding(x.kind)]));
    const pairs = buildTastePairs(decided.map((x) => ({ id: x.id, decision: x.kind ? 'pick' : 'reject', stars: 0 })));
    const images = new Float32Array(pairs.ids.length * dim);
    pairs.ids.forEach((id, i) => images.set(embeddings.get(id)!, i * dim));
    // A prior that knows nothing of the planted kind.
    const priors = Float32Array.from(pairs.ids, () => 4 + 2 * random());
    const tag = Float32Array.from({ length: dim }, gauss);
    const progress: number[] = [];
    const result = await trainTasteHead(tf, {
      images, count: pairs.ids.length, tag, train: pairs.train, heldOut: pairs.heldOut, priors, hparams: DEFAULT_TAG_HEAD,
      // 24 training images, 16 per step: the sampled-batch path.
      steps: 40, lambda: 0.1, learningRate: 1e-3, weightDecay: 0.01, dropout: 0.1, seed: 1, batchImages: 16,
    }, (p) => progress.push(p.step));
    expect(progress).toEqual([10, 20, 30, 40]);
    expect(result.heldOutAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.trainAccuracy).toBe(1);

    const onnx = tagHeadToOnnx(result.weights, DEFAULT_TAG_HEAD);
    const session = await ort.InferenceSession.create(onnx);
    const decidedScores = await runTagHead(session, ort.Tensor, images, pairs.ids.length, tag);
    expect(maxAbsDiff(decidedScores, result.scores)).toBeLessThan(1e-4);

    const unseenImages = new Float32Array(unseen.length * dim);
    unseen.forEach((x, i) => unseenImages.set(embeddings.get(x.id)!, i * dim));
    const unseenScores = await runTagHead(session, ort.Tensor, unseenImages, unseen.length, tag);
    const order = unseen.map((x, i) => ({ kind: x.kind, score: unseenScores[i] })).sort((a, b) => b.score - a.score);
    // Every unseen image of the picked kind now ranks above every other unseen image.
    expect(order.slice(0, 10).every((x) => x.kind)).toBe(true);
  }, 120_000);
});
