import { describe, expect, it } from 'vitest';
import { isOutOfMemory, runWithBatchBackoff } from '../src/engine/batchBackoff';

/** A runner that fails like ORT does when a chunk is bigger than `fits`, and records what it was asked. */
function fakeEncoder(fits: number, message = 'failed to allocate a buffer of size 602112000') {
  const calls: [number, number][] = [];
  const run = async (offset: number, count: number) => {
    calls.push([offset, count]);
    if (count > fits) throw new Error(message);
    // Item i's output is [i, -i]: the result shows whether every item landed in its own row.
    return Float32Array.from({ length: count * 2 }, (_, k) => (k % 2 === 0 ? 1 : -1) * (offset + Math.floor(k / 2)));
  };
  return { run, calls };
}

const expected = (n: number) => Float32Array.from({ length: n * 2 }, (_, k) => (k % 2 === 0 ? 1 : -1) * Math.floor(k / 2));

describe('runWithBatchBackoff', () => {
  it('runs the whole batch at once when it fits', async () => {
    const { run, calls } = fakeEncoder(32);
    const r = await runWithBatchBackoff(32, 2, null, run);
    expect(calls).toEqual([[0, 32]]);
    expect(r.limit).toBeNull();
    expect(r.output).toEqual(expected(32));
  });

  it('halves on out-of-memory until a chunk fits, keeps order, and reports the limit', async () => {
    const shrinks: number[] = [];
    const { run, calls } = fakeEncoder(5);
    const r = await runWithBatchBackoff(12, 2, null, run, (limit) => shrinks.push(limit));
    expect(shrinks).toEqual([6, 3]);
    expect(calls).toEqual([[0, 12], [0, 6], [0, 3], [3, 3], [6, 3], [9, 3]]);
    expect(r.limit).toBe(3);
    expect(r.output).toEqual(expected(12));
  });

  it('starts from a limit learned earlier', async () => {
    const { run, calls } = fakeEncoder(4);
    const r = await runWithBatchBackoff(10, 2, 4, run);
    expect(calls).toEqual([[0, 4], [4, 4], [8, 2]]);
    expect(r.limit).toBe(4);
    expect(r.output).toEqual(expected(10));
  });

  it('gives up on a single image, and never retries other errors', async () => {
    await expect(runWithBatchBackoff(4, 2, null, fakeEncoder(0).run)).rejects.toThrow(/failed to allocate/);
    const other = fakeEncoder(1, 'input pixel_values has wrong dims');
    await expect(runWithBatchBackoff(4, 2, null, other.run)).rejects.toThrow(/wrong dims/);
    expect(other.calls).toEqual([[0, 4]]);
  });

  it('recognises out-of-memory as ORT and the browser word it', () => {
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new Error("Can't create a session. failed to allocate a buffer"))).toBe(true);
    expect(isOutOfMemory(new Error('Aborted(OOM)'))).toBe(true);
    expect(isOutOfMemory(new Error('Buffer size (2147483648) exceeds the max buffer size limit (maxBufferSize)'))).toBe(true);
    expect(isOutOfMemory(new Error('input pixel_values has wrong dims'))).toBe(false);
  });
});
