/**
 * Writes a tag head (training/heads.py TagHead, eval mode) as an ONNX model with the I/O of
 * training/export_onnx.py: image_embeds, tag_embeds float32 [N, embedDim] → score float32 [N], opset 17.
 * Every op is in onnxruntime-web's WebGPU table (MatMul, Add, Mul, Reshape, Transpose, LayerNormalization,
 * Softmax, Erf), so the file runs on the WebGPU and WASM EPs alike.
 */
import { floatAttr, floatTensor, int64Tensor, intAttr, intsAttr, ElemType, graph, model, node, valueInfo } from '../../codecs/onnxProto';
import { LAYER_NORM_EPS, validateTagHead, type TagHeadHparams, type TagHeadWeights } from './tagHeadSpec';

export const TAG_HEAD_OPSET = 17;
/** ONNX 1.12's IR version; onnxruntime reads it and any later one. */
export const TAG_HEAD_IR_VERSION = 8;

export interface TagHeadOnnxMeta {
  producer?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export function tagHeadToOnnx(weights: TagHeadWeights, hparams: TagHeadHparams, meta: TagHeadOnnxMeta = {}): Uint8Array {
  validateTagHead(weights, hparams);
  const { embedDim, tokens: T, width: W, heads: H } = hparams;
  const headDim = W / H;
  const nodes: Uint8Array[] = [];
  const inits: Uint8Array[] = [];

  const op = (opType: string, name: string, inputs: string[], attributes: Uint8Array[] = []): string => {
    nodes.push(node({ opType, name, inputs, outputs: [name], attributes }));
    return name;
  };
  const constFloat = (name: string, value: number): string => {
    inits.push(floatTensor(name, [], [value]));
    return name;
  };
  const constShape = (name: string, dims: number[]): string => {
    inits.push(int64Tensor(name, [dims.length], dims));
    return name;
  };

  /** x @ W^T + b. W^T is stored as the initializer so no Transpose runs; MatMul broadcasts over [N, T, ·]. */
  const linear = (param: string, x: string, inp: number, out: number): string => {
    const w = weights[`${param}.weight`];
    const wt = new Float32Array(inp * out);
    for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) wt[i * out + o] = w[o * inp + i];
    inits.push(floatTensor(`${param}.weight_T`, [inp, out], wt));
    inits.push(floatTensor(`${param}.bias`, [out], weights[`${param}.bias`]));
    return op('Add', `${param}/out`, [op('MatMul', `${param}/MatMul`, [x, `${param}.weight_T`]), `${param}.bias`]);
  };

  const layerNorm = (param: string, x: string): string => {
    inits.push(floatTensor(`${param}.weight`, [W], weights[`${param}.weight`]));
    inits.push(floatTensor(`${param}.bias`, [W], weights[`${param}.bias`]));
    return op('LayerNormalization', `${param}/out`, [x, `${param}.weight`, `${param}.bias`], [
      intAttr('axis', -1),
      floatAttr('epsilon', LAYER_NORM_EPS),
    ]);
  };

  // nn.GELU()'s exact form, written as PyTorch's CPU kernel computes it: x · 0.5 · (1 + erf(x · (1/√2))).
  const sqrtHalf = constFloat('gelu.sqrt_half', Math.SQRT1_2);
  const half = constFloat('gelu.half', 0.5);
  const one = constFloat('gelu.one', 1);
  const gelu = (scope: string, x: string): string => {
    const erf = op('Erf', `${scope}/Erf`, [op('Mul', `${scope}/scaled`, [x, sqrtHalf])]);
    const halfX = op('Mul', `${scope}/half_x`, [x, half]);
    return op('Mul', `${scope}/out`, [halfX, op('Add', `${scope}/one_plus_erf`, [erf, one])]);
  };

  const tokenShape = constShape('shape.tokens', [-1, T, W]);
  const headShape = constShape('shape.heads', [-1, T, H, headDim]);
  const flatShape = constShape('shape.flat', [-1, T * W]);
  const scoreShape = constShape('shape.score', [-1]);
  // [N, T, W] → [N, H, T, headDim]; keys go straight to [N, H, headDim, T] for q·kᵀ.
  const splitHeads = (name: string, x: string, perm: number[]): string =>
    op('Transpose', `${name}/heads`, [op('Reshape', `${name}/split`, [x, headShape])], [intsAttr('perm', perm)]);

  const img = op('Reshape', 'image_tokens/reshape', [linear('image_tokens', 'image_embeds', embedDim, T * W), tokenShape]);
  const tag = op('Reshape', 'tag_tokens/reshape', [linear('tag_tokens', 'tag_embeds', embedDim, T * W), tokenShape]);
  const kv = layerNorm('norm_kv', img);
  const q = splitHeads('q', linear('q', layerNorm('norm_q', tag), W, W), [0, 2, 1, 3]);
  const kT = splitHeads('k', linear('k', kv, W, W), [0, 2, 3, 1]);
  const v = splitHeads('v', linear('v', kv, W, W), [0, 2, 1, 3]);
  const logits = op('Mul', 'attn/logits', [op('MatMul', 'attn/qk', [q, kT]), constFloat('attn.scale', 1 / Math.sqrt(headDim))]);
  const att = op('Softmax', 'attn/softmax', [logits], [intAttr('axis', -1)]);
  const ctxHeads = op('Transpose', 'attn/ctx_tokens', [op('MatMul', 'attn/ctx', [att, v])], [intsAttr('perm', [0, 2, 1, 3])]);
  const ctx = op('Reshape', 'attn/ctx_merged', [ctxHeads, tokenShape]);
  const h1 = op('Add', 'residual_attn', [tag, linear('o', ctx, W, W)]);
  const ffnHidden = gelu('ffn.gelu', linear('ffn.0', layerNorm('norm_ffn', h1), W, hparams.ffn));
  const h2 = op('Add', 'residual_ffn', [h1, linear('ffn.3', ffnHidden, hparams.ffn, W)]);
  const feature = op('Reshape', 'features', [h2, flatShape]);
  const mlpHidden = gelu('mlp.gelu', linear('mlp.0', feature, T * W, hparams.mlpHidden));
  nodes.push(node({ opType: 'Reshape', name: 'score', inputs: [linear('mlp.3', mlpHidden, hparams.mlpHidden, 1), scoreShape], outputs: ['score'] }));

  const g = graph({
    name: 'tag_head',
    nodes,
    initializers: inits,
    inputs: [valueInfo('image_embeds', ElemType.FLOAT, ['N', embedDim]), valueInfo('tag_embeds', ElemType.FLOAT, ['N', embedDim])],
    outputs: [valueInfo('score', ElemType.FLOAT, ['N'])],
  });
  return model({
    irVersion: TAG_HEAD_IR_VERSION,
    opsets: [{ domain: '', version: TAG_HEAD_OPSET }],
    graph: g,
    producerName: meta.producer ?? 'loupe',
    docString: meta.docString,
    metadata: meta.metadata,
  });
}
