/**
 * Out-of-memory on a large batch should cost a smaller batch, not the analysis. Runs `total` items in
 * chunks of at most `limit`, halving the chunk whenever a run fails for lack of memory, and reports the
 * limit that worked so later batches start there.
 */

/** ORT (WASM: "failed to allocate", RangeError on the heap; WebGPU: buffer creation) and the browser word it differently. */
const OUT_OF_MEMORY = /out of memory|\boom\b|failed to allocate|allocation failed|array buffer allocation|cannot enlarge memory|maxBufferSize|maxStorageBufferBindingSize/i;

export function isOutOfMemory(err: unknown): boolean {
  if (err instanceof RangeError) return true;
  return OUT_OF_MEMORY.test(err instanceof Error ? err.message : String(err));
}

export interface ChunkedResult {
  /** Outputs of all items, in order: [total, width]. */
  output: Float32Array;
  /** The chunk size that ran last, or null when the first try took everything. */
  limit: number | null;
}

export async function runWithBatchBackoff(
  total: number,
  width: number,
  limit: number | null,
  run: (offset: number, count: number) => Promise<Float32Array>,
  onShrink: (limit: number, err: unknown) => void = () => undefined,
): Promise<ChunkedResult> {
  if (!Number.isInteger(total) || total < 1) throw new Error(`runWithBatchBackoff: ${total} items`);
  let size = Math.min(limit ?? total, total);
  let shrunk = limit !== null && limit < total;
  const output = new Float32Array(total * width);
  let offset = 0;
  while (offset < total) {
    const count = Math.min(size, total - offset);
    let out: Float32Array;
    try {
      out = await run(offset, count);
    } catch (err) {
      if (count === 1 || !isOutOfMemory(err)) throw err;
      size = Math.ceil(count / 2);
      shrunk = true;
      onShrink(size, err);
      continue;
    }
    if (out.length !== count * width) throw new Error(`a chunk of ${count} gave ${out.length} values, expected ${count * width}`);
    output.set(out, offset * width);
    offset += count;
  }
  return { output, limit: shrunk ? size : null };
}
