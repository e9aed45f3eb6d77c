/**
 * The tag head's shape, shared by the in-app trainer (TF.js), the ONNX writer and the tests: the same
 * architecture as training/heads.py TagHead, with PyTorch's parameter names and layouts (Linear weights are
 * [out, in]), so a state_dict from Python and the app's weights are interchangeable.
 */
export interface TagHeadHparams {
  embedDim: number;
  /** Each embedding is expanded into `tokens` tokens of `width` dims. */
  tokens: number;
  width: number;
  heads: number;
  ffn: number;
  mlpHidden: number;
}

export const DEFAULT_TAG_HEAD: TagHeadHparams = { embedDim: 512, tokens: 8, width: 64, heads: 4, ffn: 128, mlpHidden: 256 };

/** nn.LayerNorm's default. */
export const LAYER_NORM_EPS = 1e-5;

export type TagHeadWeights = Record<string, Float32Array>;

/** Every parameter's name and shape, in state_dict order. */
export function tagHeadParamShapes(h: TagHeadHparams): [string, number[]][] {
  const tw = h.tokens * h.width;
  const linear = (name: string, out: number, inp: number): [string, number[]][] => [
    [`${name}.weight`, [out, inp]],
    [`${name}.bias`, [out]],
  ];
  const norm = (name: string): [string, number[]][] => [
    [`${name}.weight`, [h.width]],
    [`${name}.bias`, [h.width]],
  ];
  return [
    ...linear('image_tokens', tw, h.embedDim),
    ...linear('tag_tokens', tw, h.embedDim),
    ...norm('norm_q'),
    ...norm('norm_kv'),
    ...linear('q', h.width, h.width),
    ...linear('k', h.width, h.width),
    ...linear('v', h.width, h.width),
    ...linear('o', h.width, h.width),
    ...norm('norm_ffn'),
    ...linear('ffn.0', h.ffn, h.width),
    ...linear('ffn.3', h.width, h.ffn),
    ...linear('mlp.0', h.mlpHidden, tw),
    ...linear('mlp.3', 1, h.mlpHidden),
  ];
}

export function validateTagHead(weights: TagHeadWeights, h: TagHeadHparams): void {
  if (h.width % h.heads !== 0) throw new Error(`width ${h.width} is not a multiple of heads ${h.heads}`);
  for (const [name, shape] of tagHeadParamShapes(h)) {
    const w = weights[name];
    const size = shape.reduce((a, b) => a * b, 1);
    if (!w) throw new Error(`tag head: missing parameter ${name}`);
    if (w.length !== size) throw new Error(`tag head: ${name} has ${w.length} values, expected ${shape.join('×')}`);
  }
}
