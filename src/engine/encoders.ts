import type { InferenceSession, Tensor, TypedTensor } from 'onnxruntime-common';

/**
 * Runs the CLIP encoders on an ORT session. Takes the Tensor constructor as an argument so that the
 * browser worker (onnxruntime-web) and Node tools (onnxruntime-node) share this exact code.
 */
export type TensorCtor = {
  new (type: 'float32', data: Float32Array, dims: readonly number[]): TypedTensor<'float32'>;
  new (type: 'int64', data: BigInt64Array, dims: readonly number[]): TypedTensor<'int64'>;
};

export const IMAGE_SIZE = 224;
export const PIXELS_PER_IMAGE = 3 * IMAGE_SIZE * IMAGE_SIZE;

async function outputAsFloat32(tensor: Tensor): Promise<Float32Array> {
  // On WebGPU with preferredOutputLocation 'gpu-buffer' the data must be downloaded first.
  const data = tensor.location === 'cpu' ? tensor.data : await tensor.getData(true);
  if (!(data instanceof Float32Array)) throw new Error(`expected float32 embeddings, got ${tensor.type}`);
  return data;
}

export async function embedImageBatch(
  session: InferenceSession,
  Tensor: TensorCtor,
  pixels: Float32Array,
  count: number,
): Promise<Float32Array> {
  if (pixels.length < count * PIXELS_PER_IMAGE) {
    throw new Error(`pixel buffer holds ${pixels.length} values, ${count} images need ${count * PIXELS_PER_IMAGE}`);
  }
  const view = pixels.length === count * PIXELS_PER_IMAGE ? pixels : pixels.subarray(0, count * PIXELS_PER_IMAGE);
  const input = new Tensor('float32', view, [count, 3, IMAGE_SIZE, IMAGE_SIZE]);
  const out = await session.run({ pixel_values: input }, ['image_embeds']);
  const embeds = out.image_embeds;
  if (!embeds) throw new Error('vision model has no image_embeds output');
  const data = await outputAsFloat32(embeds);
  // Copy so the result owns its buffer (transferable, and independent of ORT's arena).
  return new Float32Array(data);
}

export async function embedTextBatch(
  session: InferenceSession,
  Tensor: TensorCtor,
  ids: BigInt64Array,
  attentionMask: BigInt64Array | null,
  count: number,
  length: number,
): Promise<Float32Array> {
  const feeds: Record<string, Tensor> = { input_ids: new Tensor('int64', ids, [count, length]) };
  // Some exports declare attention_mask; feed it only when the graph asks for it (REFERENCE §3).
  if (session.inputNames.includes('attention_mask')) {
    if (!attentionMask) throw new Error('text model needs an attention_mask');
    feeds.attention_mask = new Tensor('int64', attentionMask, [count, length]);
  }
  const out = await session.run(feeds, ['text_embeds']);
  const embeds = out.text_embeds;
  if (!embeds) throw new Error('text model has no text_embeds output');
  return new Float32Array(await outputAsFloat32(embeds));
}
