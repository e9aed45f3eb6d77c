/**
 * The embeddings table: row i of the matrix belongs to row i of the index. One row per file (path and content);
 * files with content seen before reuse its vector instead of running the encoder again.
 */

export interface EmbeddingRow {
  row: number;
  /** Relative to the images folder, '/' separators. */
  path: string;
  contentHash: string;
  width: number;
  height: number;
  /** The linear aesthetic head's score; null without a head (or for a zero embedding, which has no direction). */
  aesthetic: number | null;
}

export interface FailedFile {
  path: string;
  reason: string;
}

export class RowIndex {
  readonly rows: EmbeddingRow[] = [];
  private readonly byFile = new Map<string, number>();
  private readonly byContent = new Map<string, number>();

  add(row: EmbeddingRow): void {
    if (row.row !== this.rows.length) throw new Error(`row ${row.row} added as row ${this.rows.length}`);
    this.rows.push(row);
    this.byFile.set(fileKey(row.path, row.contentHash), row.row);
    if (!this.byContent.has(row.contentHash)) this.byContent.set(row.contentHash, row.row);
  }

  /** The row of this exact file: same path, same bytes. */
  rowOf(path: string, contentHash: string): number | undefined {
    return this.byFile.get(fileKey(path, contentHash));
  }

  /** Some row with these bytes, under any path. */
  rowWithContent(contentHash: string): EmbeddingRow | undefined {
    const row = this.byContent.get(contentHash);
    return row === undefined ? undefined : this.rows[row];
  }
}

function fileKey(path: string, contentHash: string): string {
  // NUL cannot occur in a path or a hex digest, so the key is unambiguous.
  return `${contentHash}\0${path}`;
}

/** Where embed writes: in memory for a one-off score, on disk (resumable) for `npm run embed`. */
export interface EmbeddingSink {
  readonly dim: number;
  readonly index: RowIndex;
  vector(row: number): Promise<Float32Array>;
  /** Rows continue the index (their `row` fields say where); `vectors` holds rows.length × dim values. */
  append(rows: readonly EmbeddingRow[], vectors: Float32Array): Promise<void>;
  fail(failure: FailedFile): Promise<void>;
}

export function createMemorySink(dim: number): EmbeddingSink & { failures: FailedFile[] } {
  const index = new RowIndex();
  const failures: FailedFile[] = [];
  let data = new Float32Array(64 * dim);
  return {
    dim,
    index,
    failures,
    async vector(row) {
      if (!(row >= 0 && row < index.rows.length)) throw new RangeError(`no row ${row}`);
      return data.slice(row * dim, (row + 1) * dim);
    },
    async append(rows, vectors) {
      if (vectors.length !== rows.length * dim) throw new Error(`${vectors.length} values for ${rows.length} rows`);
      const end = (index.rows.length + rows.length) * dim;
      if (end > data.length) {
        // Doubling keeps appends amortised O(1) per value.
        const grown = new Float32Array(Math.max(end, data.length * 2));
        grown.set(data);
        data = grown;
      }
      data.set(vectors, index.rows.length * dim);
      rows.forEach((r) => index.add(r));
    },
    async fail(failure) {
      failures.push(failure);
    },
  };
}
