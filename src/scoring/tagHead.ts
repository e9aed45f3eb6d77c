/**
 * Runs a tag-conditioned head (training/export_onnx.py's I/O) on an ORT session, for the browser worker and
 * Node tools alike: raw image embeddings are L2-normalized here, the tag embedding is repeated per row.
 */
import type { InferenceSession, TypedTensor } from 'onnxruntime-common';
import { normalizeRows } from './similarity';

type Float32TensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => TypedTensor<'float32'>;

export async function runTagHead(
  session: InferenceSession,
  Tensor: Float32TensorCtor,
  imageEmbeds: Float32Array,
  count: number,
  tagEmbedding: Float32Array,
): Promise<Float32Array> {
  const dim = tagEmbedding.length;
  if (imageEmbeds.length !== count * dim) throw new Error(`tag head: ${imageEmbeds.length} values are not ${count}×${dim}`);
  const images = normalizeRows(imageEmbeds, count, dim);
  const tag = normalizeRows(tagEmbedding, 1, dim);
  const tags = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) tags.set(tag, i * dim);
  const out = await session.run({
    image_embeds: new Tensor('float32', images, [count, dim]),
    tag_embeds: new Tensor('float32', tags, [count, dim]),
  });
  const score = out.score;
  if (!score) throw new Error('tag head has no "score" output');
  const data = score.location === 'cpu' ? score.data : await score.getData(true);
  if (!(data instanceof Float32Array)) throw new Error(`tag head score is ${score.type}, expected float32`);
  return new Float32Array(data);
}
