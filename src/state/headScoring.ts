import type { InferenceClient } from '../engine/inferenceClient';
import { getEmbedding } from './embeddingRegistry';
import { useLibrary } from './libraryStore';

const HEAD_BATCH = 512;

/**
 * Scores with one head (the model's tag head, or a user head by key) every analysed image that `have`
 * lacks for this tag, in batches in the inference worker; `add` receives each batch's scores.
 */
export async function scoreMissingWithHead(
  client: InferenceClient,
  head: string | null,
  tagEmbedding: Float32Array,
  have: Record<string, number>,
  add: (scores: Record<string, number>) => void,
): Promise<void> {
  const ids = useLibrary.getState().order.filter((id) => have[id] === undefined && getEmbedding(id));
  const dim = tagEmbedding.length;
  for (let start = 0; start < ids.length; start += HEAD_BATCH) {
    const batch = ids.slice(start, start + HEAD_BATCH);
    const matrix = new Float32Array(batch.length * dim);
    batch.forEach((id, i) => matrix.set(getEmbedding(id)!, i * dim));
    const scores = await client.scoreTagHead(head, matrix, batch.length, tagEmbedding);
    add(Object.fromEntries(batch.map((id, i) => [id, scores[i]])));
  }
}
