/**
 * Trains a tag head on one tag's pairs with eq. (1) and Adam. Each step scores a batch of images once and
 * takes every training pair among them: all images while they are few, else pairs drawn at random until
 * `batchImages` images are in, so a step costs the same for 100 decisions or 2,000. Decoupled weight decay
 * (AdamW's) on the matrices keeps 680 k parameters from memorising a few dozen decisions.
 */
import { mulberry32 } from '../mulberry32';
import { normalizeRows } from '../similarity';
import { eq1 } from './eq1';
import { createTfTagHead, initTagHeadWeights, type Tf } from './tfTagHead';
import { pairAccuracy } from './tastePairs';
import type { TagHeadHparams, TagHeadWeights } from './tagHeadSpec';

export interface TasteTrainInput {
  /** Raw image embeddings [count, dim] (normalized here, as runTagHead does). */
  images: Float32Array;
  count: number;
  /** The tag's embedding [dim]. */
  tag: Float32Array;
  /** Flat (winner, loser) indices into the images. */
  train: Int32Array;
  heldOut: Int32Array;
  /** The score each image has now (the prior): the regression target of eq. (1), and the held-out baseline. */
  priors: Float32Array;
  hparams: TagHeadHparams;
  steps: number;
  lambda: number;
  learningRate: number;
  weightDecay: number;
  dropout: number;
  seed: number;
  /** The most images scored per step. */
  batchImages: number;
}

/** The app's settings (docs/taste.md): a few dozen full-batch steps suffice for a few hundred decisions. */
export const TASTE_TRAINING = { steps: 60, lambda: 0.1, learningRate: 1e-3, weightDecay: 0.01, dropout: 0.1, seed: 1, batchImages: 96 };

export interface TrainBatch {
  /** Image indices (into the input) scored this step. */
  rows: Int32Array;
  /** Flat (winner, loser) pairs, as indices into `rows`. */
  pairs: Int32Array;
}

/** Every pair among `rows`, re-indexed into it. */
function pairsAmong(rows: Int32Array, pairs: Int32Array): Int32Array {
  const local = new Map<number, number>();
  rows.forEach((r, i) => local.set(r, i));
  const out: number[] = [];
  for (let p = 0; p < pairs.length; p += 2) {
    const a = local.get(pairs[p]);
    const b = local.get(pairs[p + 1]);
    if (a !== undefined && b !== undefined) out.push(a, b);
  }
  return Int32Array.from(out);
}

/** A step's images and pairs: every training image while there are at most `maxImages`, else a random draw. */
export function sampleBatch(pairs: Int32Array, maxImages: number, random: () => number): TrainBatch {
  const all = [...new Set(pairs)];
  if (all.length <= maxImages) {
    const rows = Int32Array.from(all);
    return { rows, pairs: pairsAmong(rows, pairs) };
  }
  const chosen = new Set<number>();
  const order = Array.from({ length: pairs.length / 2 }, (_, i) => i);
  for (let k = 0; k < order.length && chosen.size < maxImages - 1; k++) {
    const j = k + Math.floor(random() * (order.length - k));
    [order[k], order[j]] = [order[j], order[k]];
    chosen.add(pairs[2 * order[k]]);
    chosen.add(pairs[2 * order[k] + 1]);
  }
  const rows = Int32Array.from(chosen);
  return { rows, pairs: pairsAmong(rows, pairs) };
}

export interface TasteProgress {
  step: number;
  steps: number;
  loss: number;
  heldOutAccuracy: number | null;
}

export interface TasteTrainResult {
  weights: TagHeadWeights;
  /** The trained head's scores for every input image (eval mode). */
  scores: Float32Array;
  finalLoss: number;
  heldOutAccuracy: number | null;
  /** The prior's accuracy on the same held-out pairs. */
  priorHeldOutAccuracy: number | null;
  trainAccuracy: number | null;
}

const EVAL_EVERY = 10;

export async function trainTasteHead(
  tf: Tf,
  input: TasteTrainInput,
  onProgress: (p: TasteProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<TasteTrainResult> {
  const { count, hparams: h } = input;
  const dim = h.embedDim;
  if (input.images.length !== count * dim || input.tag.length !== dim) throw new Error(`taste head: expected ${count}×${dim} images and a ${dim}-d tag`);
  if (input.priors.length !== count) throw new Error('taste head: one prior score per image');
  const priorMean = input.priors.reduce((a, b) => a + b, 0) / Math.max(1, count);
  const head = createTfTagHead(tf, initTagHeadWeights(h, mulberry32(input.seed), priorMean), h, input.dropout, input.seed);
  const normalized = normalizeRows(input.images, count, dim);
  const images = tf.tensor2d(normalized, [count, dim]);
  const random = mulberry32(input.seed + 1);
  const full = sampleBatch(input.train, Infinity, random);
  const small = full.rows.length <= input.batchImages;
  const tag = tf.tensor2d(normalizeRows(input.tag, 1, dim), [1, dim]);
  const optimizer = tf.train.adam(input.learningRate);
  const decayed = Object.entries(head.variables).filter(([name, v]) => name.endsWith('.weight') && v.rank === 2).map(([, v]) => v);
  const evaluate = (): Float32Array => {
    const s = head.forward(images, tag, false);
    const out = s.dataSync() as Float32Array;
    s.dispose();
    return new Float32Array(out);
  };
  try {
    let loss = NaN;
    let heldOutAccuracy: number | null = null;
    for (let step = 1; step <= input.steps; step++) {
      if (signal?.aborted) throw new DOMException('training cancelled', 'AbortError');
      // One forward in training mode; eq. (1) and dL/df in JS; then Σ f·(dL/df) back-propagates exactly dL/dθ.
      const batch = small ? full : sampleBatch(input.train, input.batchImages, random);
      const rows = new Float32Array(batch.rows.length * dim);
      batch.rows.forEach((r, i) => rows.set(normalized.subarray(r * dim, (r + 1) * dim), i * dim));
      const x = tf.tensor2d(rows, [batch.rows.length, dim]);
      const targets = Float32Array.from(batch.rows, (r) => input.priors[r]);
      const seen = { loss: NaN };
      const { grads, value } = tf.variableGrads(() => {
        const f = head.forward(x, tag, true);
        const e = eq1(f.dataSync(), batch.pairs, targets, input.lambda);
        seen.loss = e.loss;
        return tf.sum(tf.mul(f, tf.tensor1d(e.grad)));
      });
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      tf.dispose([x, value, ...Object.values(grads)]);
      loss = seen.loss;
      tf.tidy(() => {
        for (const v of decayed) v.assign(tf.mul(v, 1 - input.learningRate * input.weightDecay));
      });
      if (step % EVAL_EVERY === 0 || step === input.steps) {
        heldOutAccuracy = pairAccuracy(input.heldOut, evaluate());
        onProgress({ step, steps: input.steps, loss, heldOutAccuracy });
        // Yield so an abort message can arrive.
        await new Promise((r) => setTimeout(r, 0));
      }
      if (!Number.isFinite(loss)) throw new Error('training diverged (the loss is not finite)');
    }
    const scores = evaluate();
    return {
      weights: await head.read(),
      scores,
      finalLoss: loss,
      heldOutAccuracy: pairAccuracy(input.heldOut, scores),
      priorHeldOutAccuracy: pairAccuracy(input.heldOut, input.priors),
      trainAccuracy: pairAccuracy(input.train, scores),
    };
  } finally {
    optimizer.dispose();
    head.dispose();
    tf.dispose([images, tag]);
  }
}
