/**
 * The tag head (training/heads.py TagHead) in TensorFlow.js, for training on the user's decisions. Parameters
 * keep PyTorch's names and [out, in] layouts (tagHeadSpec.ts), so the weights go straight to the ONNX writer.
 * TF.js is passed in rather than imported: only the taste worker and the tests load it.
 */
import type * as TF from '@tensorflow/tfjs-core';
import { LAYER_NORM_EPS, tagHeadParamShapes, type TagHeadHparams, type TagHeadWeights } from './tagHeadSpec';

export type Tf = typeof TF;

/** PyTorch's defaults: Linear weight and bias ~ U(±1/√fan_in), LayerNorm 1 and 0; the last bias starts at the prior mean. */
export function initTagHeadWeights(h: TagHeadHparams, random: () => number, scoreMean: number): TagHeadWeights {
  const weights: TagHeadWeights = {};
  const fanIn = new Map<string, number>();
  for (const [name, shape] of tagHeadParamShapes(h)) if (name.endsWith('.weight') && shape.length === 2) fanIn.set(name.slice(0, -7), shape[1]);
  for (const [name, shape] of tagHeadParamShapes(h)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const layer = name.slice(0, name.lastIndexOf('.'));
    const values = new Float32Array(size);
    const fan = fanIn.get(layer);
    if (fan === undefined) values.fill(name.endsWith('.weight') ? 1 : 0); // LayerNorm
    else {
      const bound = 1 / Math.sqrt(fan);
      for (let i = 0; i < size; i++) values[i] = (2 * random() - 1) * bound;
    }
    weights[name] = values;
  }
  weights['mlp.3.bias'][0] = scoreMean;
  return weights;
}

export interface TfTagHead {
  variables: Record<string, TF.Variable>;
  /** Scores [U] for L2-normalized images [U, E] and one L2-normalized tag [1, E]; dropout only when training. */
  forward(images: TF.Tensor2D, tag: TF.Tensor2D, training: boolean): TF.Tensor1D;
  read(): Promise<TagHeadWeights>;
  dispose(): void;
}

export function createTfTagHead(tf: Tf, weights: TagHeadWeights, h: TagHeadHparams, dropout = 0.1, seed = 0): TfTagHead {
  const variables: Record<string, TF.Variable> = {};
  for (const [name, shape] of tagHeadParamShapes(h)) variables[name] = tf.variable(tf.tensor(weights[name], shape), true, name);
  const { tokens, width, heads } = h;
  const headDim = width / heads;
  let dropCall = 0;

  const linear = (x: TF.Tensor2D, name: string): TF.Tensor2D =>
    tf.add(tf.matMul(x, variables[`${name}.weight`] as TF.Tensor2D, false, true), variables[`${name}.bias`]);
  // Over the last axis of [rows, width] only, which is all the head needs.
  const layerNorm = (x: TF.Tensor2D, name: string): TF.Tensor2D => {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, LAYER_NORM_EPS)));
    return tf.add(tf.mul(normed, variables[`${name}.weight`]), variables[`${name}.bias`]);
  };
  const gelu = <T extends TF.Tensor>(x: T): T => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  const drop = <T extends TF.Tensor>(x: T, training: boolean): T =>
    training && dropout > 0 ? (tf.dropout(x, dropout, undefined, seed * 7919 + dropCall++) as T) : x;
  // [U·T, width] → [U, heads, T, headDim]
  const splitHeads = (x: TF.Tensor2D) => tf.transpose(tf.reshape(x, [-1, tokens, heads, headDim]), [0, 2, 1, 3]) as TF.Tensor4D;

  function forward(images: TF.Tensor2D, tag: TF.Tensor2D, training: boolean): TF.Tensor1D {
    return tf.tidy(() => {
      const count = images.shape[0];
      const img = tf.reshape(linear(images, 'image_tokens'), [-1, width]) as TF.Tensor2D;
      const tg = tf.reshape(tf.tile(linear(tag, 'tag_tokens'), [count, 1]), [-1, width]) as TF.Tensor2D;
      const kv = layerNorm(img, 'norm_kv');
      const q = splitHeads(linear(layerNorm(tg, 'norm_q'), 'q'));
      const k = splitHeads(linear(kv, 'k'));
      const v = splitHeads(linear(kv, 'v'));
      const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)));
      const ctx = tf.reshape(tf.transpose(tf.matMul(drop(att, training), v), [0, 2, 1, 3]), [-1, width]) as TF.Tensor2D;
      let hidden: TF.Tensor2D = tf.add(tg, linear(ctx, 'o'));
      const ffn = linear(drop(gelu(linear(layerNorm(hidden, 'norm_ffn'), 'ffn.0')), training), 'ffn.3');
      hidden = tf.add(hidden, ffn);
      const features = tf.reshape(hidden, [-1, tokens * width]) as TF.Tensor2D;
      const mlp = linear(drop(gelu(linear(features, 'mlp.0')), training), 'mlp.3');
      return tf.reshape(mlp, [-1]) as TF.Tensor1D;
    });
  }

  async function read(): Promise<TagHeadWeights> {
    const out: TagHeadWeights = {};
    for (const [name, v] of Object.entries(variables)) out[name] = new Float32Array(await v.data());
    return out;
  }

  return {
    variables,
    forward,
    read,
    dispose: () => Object.values(variables).forEach((v) => v.dispose()),
  };
}
