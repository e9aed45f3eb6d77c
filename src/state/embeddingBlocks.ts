/**
 * The embeddings of many images for a worker (grouping, cull to a target), copied a block of rows per task:
 * one 20,000 × 512 copy held the page for about 170 ms at a time (bench/profileMain.ts), every regroup.
 * The worker joins the blocks (scoring/similarity.ts joinRowBlocks).
 */
import { getEmbedding } from './embeddingRegistry';

const BLOCK_ROWS = 2048;

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** `ids` must all have embeddings, of one size `dim`. */
export async function embeddingBlocks(ids: readonly string[], dim: number): Promise<Float32Array[]> {
  const blocks: Float32Array[] = [];
  for (let start = 0; start < ids.length; start += BLOCK_ROWS) {
    if (start > 0) await nextTask();
    const part = ids.slice(start, start + BLOCK_ROWS);
    const block = new Float32Array(part.length * dim);
    part.forEach((id, i) => block.set(getEmbedding(id)!, i * dim));
    blocks.push(block);
  }
  return blocks;
}
