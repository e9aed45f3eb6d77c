/**
 * Byte ranges of a Blob, read through `slice().arrayBuffer()` only: the RAW parsers never read a whole
 * file (RAWs are 20-100 MB; a worker may hold several). Reads are cached in aligned blocks, because a
 * parser asks for many small pieces (IFD tables, box headers) that share a neighbourhood, and each
 * slice read costs a round trip. A total budget stops a hostile file from making us read the whole thing.
 */

/** Thrown when a file asks us to read or hold more than the budget: its structure is broken or hostile. */
export class RawLimitError extends Error {}

const BLOCK = 16 * 1024;
/** The cache is dropped when it holds more than this many blocks (4 MB). */
const MAX_CACHED_BLOCKS = 256;
/** One request may not exceed this (the largest is the capture window, 2 MB). */
const MAX_REQUEST = 4 * 1024 * 1024;
/** Total bytes read per file, the preview's own bytes excluded (the caller slices those). */
export const DEFAULT_READ_BUDGET = 8 * 1024 * 1024;

export class RangeReader {
  readonly size: number;
  /** Bytes read from the Blob so far (for tests and the benchmark). */
  bytesRead = 0;
  private readonly blocks = new Map<number, Uint8Array>();

  constructor(
    private readonly file: Blob,
    private readonly budget = DEFAULT_READ_BUDGET,
  ) {
    this.size = file.size;
  }

  /** Bytes [offset, offset + length) clipped to the file's end (shorter, or empty, past it). */
  async bytes(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RawLimitError(`bad range ${offset}+${length}`);
    }
    if (length > MAX_REQUEST) throw new RawLimitError(`a read of ${length} bytes is more than a RAW's metadata needs`);
    const end = Math.min(offset + length, this.size);
    if (offset >= end) return new Uint8Array(0);
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((end - 1) / BLOCK);
    await this.fill(first, last);
    if (first === last) {
      const block = this.blocks.get(first)!;
      return block.subarray(offset - first * BLOCK, end - first * BLOCK);
    }
    const out = new Uint8Array(end - offset);
    for (let b = first; b <= last; b++) {
      const block = this.blocks.get(b)!;
      const from = Math.max(offset, b * BLOCK);
      const to = Math.min(end, b * BLOCK + block.length);
      out.set(block.subarray(from - b * BLOCK, to - b * BLOCK), from - offset);
    }
    return out;
  }

  /** Reads the missing blocks of [first, last], each contiguous run with one slice. */
  private async fill(first: number, last: number): Promise<void> {
    if (this.blocks.size + (last - first + 1) > MAX_CACHED_BLOCKS) this.blocks.clear();
    let b = first;
    while (b <= last) {
      if (this.blocks.has(b)) {
        b++;
        continue;
      }
      let runEnd = b;
      while (runEnd + 1 <= last && !this.blocks.has(runEnd + 1)) runEnd++;
      const start = b * BLOCK;
      const stop = Math.min((runEnd + 1) * BLOCK, this.size);
      if (this.bytesRead + (stop - start) > this.budget) {
        throw new RawLimitError(`the file's structure asked for more than ${this.budget >> 20} MB of reads`);
      }
      const run = new Uint8Array(await this.file.slice(start, stop).arrayBuffer());
      this.bytesRead += run.length;
      for (let k = b; k <= runEnd; k++) this.blocks.set(k, run.subarray((k - b) * BLOCK, Math.min((k - b + 1) * BLOCK, run.length)));
      b = runEnd + 1;
    }
  }
}

// --- fixed-width integers from a byte array (bounds are the caller's: these read what they are told) ---

export function u16(b: Uint8Array, i: number, le: boolean): number {
  return le ? b[i] | (b[i + 1] << 8) : (b[i] << 8) | b[i + 1];
}

export function u32(b: Uint8Array, i: number, le: boolean): number {
  return le
    ? (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000
    : b[i] * 0x1000000 + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
}

export function ascii(b: Uint8Array, i: number, n: number): string {
  let s = '';
  for (let k = i; k < i + n && k < b.length; k++) s += String.fromCharCode(b[k]);
  return s;
}
