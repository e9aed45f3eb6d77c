import type { InferenceSession, Tensor, TypedTensor } from 'onnxruntime-common';
import { fromFloat16Bits, toFloat16Bits } from './float16';

/**
 * Runs the CLIP encoders on an ORT session. Takes the Tensor constructor as an argument so that the
 * browser worker (onnxruntime-web) and Node tools (onnxruntime-node) share this exact code.
 */
export type TensorCtor = {
  new (type: 'float32', data: Float32Array, dims: readonly number[]): TypedTensor<'float32'>;
  new (type: 'float16', data: Uint16Array, dims: readonly number[]): TypedTensor<'float16'>;
  new (type: 'int64', data: BigInt64Array, dims: readonly number[]): TypedTensor<'int64'>;
};

/** The declared element type of a graph input ('float32', 'float16', …), where ORT reports it. */
export function inputElementType(session: InferenceSession, name: string): string | undefined {
  const meta = session.inputMetadata?.find((m) => m.name === name);
  return meta && meta.isTensor ? meta.type : undefined;
}

export const IMAGE_SIZE = 224;
export const PIXELS_PER_IMAGE = 3 * IMAGE_SIZE * IMAGE_SIZE;

async function outputAsFloat32(tensor: Tensor): Promise<Float32Array> {
  // On WebGPU with preferredOutputLocation 'gpu-buffer' the data must be downloaded first.
  const data = tensor.location === 'cpu' ? tensor.data : await tensor.getData(true);
  if (data instanceof Float32Array) return data;
  // fp16 graphs may keep fp16 outputs: widen them (ORT gives raw bits, or a Float16Array where it exists).
  if (tensor.type === 'float16' && ArrayBuffer.isView(data)) {
    const bits = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
    return fromFloat16Bits(bits);
  }
  throw new Error(`expected float32 embeddings, got ${tensor.type}`);
}

/**
 * One pixel_values buffer from per-image tensors. The analysis sends each decoded image's own buffer
 * (transferred) and the join happens here in the worker: on the page it cost ~2 ms of main thread per image.
 */
export function joinImages(images: Float32Array | readonly Float32Array[]): Float32Array {
  if (!Array.isArray(images)) return images as Float32Array;
  const list = images as readonly Float32Array[];
  const out = new Float32Array(list.length * PIXELS_PER_IMAGE);
  list.forEach((image, i) => {
    if (image.length !== PIXELS_PER_IMAGE) throw new Error(`image ${i} holds ${image.length} values, not ${PIXELS_PER_IMAGE}`);
    out.set(image, i * PIXELS_PER_IMAGE);
  });
  return out;
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
  const dims = [count, 3, IMAGE_SIZE, IMAGE_SIZE];
  // Some fp16 exports also take fp16 pixels; feed what the graph declares.
  const input =
    inputElementType(session, 'pixel_values') === 'float16'
      ? new Tensor('float16', toFloat16Bits(view), dims)
      : new Tensor('float32', view, dims);
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
