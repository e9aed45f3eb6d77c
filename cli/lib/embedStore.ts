/**
 * The on-disk, resumable embeddings of `npm run embed`. For an output prefix P:
 *
 *   P.meta.json      which model made them (id, sha256 of its manifest.json, encoder dtype, dimension)
 *   P.jsonl          one JSON row per line: {row, path, contentHash, width, height, aesthetic}
 *   P.f32            the journal: raw little-endian float32 rows, appended batch by batch
 *   P.npy            float32 [N, dim], written from the journal when a run ends (complete or interrupted)
 *   P.errors.jsonl   {path, reason} for each file the latest run could not read
 *
 * Crash safety: each batch appends its vectors to P.f32, syncs them, then appends its lines to P.jsonl. A run
 * killed at any point leaves at most one incomplete batch; the next run keeps the first min(complete lines,
 * complete vectors) rows, cuts both files back to that, and continues. P.npy is replaced by rename, so it is
 * always a whole file, but after a hard kill it may lag behind P.jsonl until the next run ends.
 */
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Dtype } from '../../src/engine/manifest';
import { parseNpy } from '../../src/codecs/npyRead';
import { float32LeBytes, npyHeader } from '../../src/codecs/npyWrite';
import { RowIndex, type EmbeddingRow, type EmbeddingSink, type FailedFile } from './rows';

export interface EmbeddingsMeta {
  format: 'loupe-embeddings';
  version: 1;
  modelId: string;
  manifestSha256: string;
  dtype: Dtype;
  /** The vision encoder file's sha256 when the manifest gives one: another manifest with the same encoder
   * (one that adds a tag head, say) makes the same image embeddings. */
  visionSha256: string | null;
  embedDim: number;
  /** What the vectors are, for a reader who finds the files without this code. */
  vectors: string;
}

export function outputPaths(prefix: string) {
  return {
    meta: `${prefix}.meta.json`,
    jsonl: `${prefix}.jsonl`,
    f32: `${prefix}.f32`,
    npy: `${prefix}.npy`,
    errors: `${prefix}.errors.jsonl`,
    lock: `${prefix}.lock`,
  };
}

export interface EmbedStore extends EmbeddingSink {
  readonly paths: ReturnType<typeof outputPaths>;
  /** Writes P.npy from the journal, closes the files and releases the lock. */
  close(): Promise<void>;
}

export async function openEmbedStore(prefix: string, meta: EmbeddingsMeta): Promise<EmbedStore> {
  const paths = outputPaths(prefix);
  await mkdir(dirname(paths.meta), { recursive: true });
  await acquireLock(paths.lock);
  try {
    const existing = await readMeta(paths.meta);
    if (existing === undefined) {
      if ((await exists(paths.jsonl)) || (await exists(paths.f32))) {
        throw new Error(`${paths.jsonl} or ${paths.f32} exist without ${paths.meta}: not this tool's output; use another --out`);
      }
      await writeFile(paths.meta, `${JSON.stringify(meta, null, 2)}\n`);
    } else {
      const problem = metaMismatch(existing, meta);
      if (problem !== null) {
        throw new Error(`${paths.meta}: the outputs there were made with ${problem}; use another --out or delete them to start over`);
      }
    }
    const dim = meta.embedDim;
    const snap = await consistentSnapshot(paths, dim);
    // Drop what a killed run left half-written, so appends continue exactly after the last whole row.
    if (await exists(paths.jsonl)) await truncate(paths.jsonl, snap.jsonlBytes);
    if (await exists(paths.f32)) await truncate(paths.f32, snap.rows.length * dim * 4);
    const index = new RowIndex();
    snap.rows.forEach((r) => index.add(r));
    const f32 = await open(paths.f32, 'a+');
    const jsonl = await open(paths.jsonl, 'a');
    // Failures are found again on every run (a fixed file gets embedded), so the list is the latest run's.
    const errors = await open(paths.errors, 'w');
    return {
      dim,
      index,
      paths,
      async vector(row) {
        if (!(row >= 0 && row < index.rows.length)) throw new RangeError(`no row ${row}`);
        const bytes = new Uint8Array(dim * 4);
        await f32.read(bytes, 0, bytes.length, row * dim * 4);
        return leFloat32(bytes);
      },
      async append(rows, vectors) {
        if (vectors.length !== rows.length * dim) throw new Error(`${vectors.length} values for ${rows.length} rows`);
        if (rows.length === 0) return;
        await f32.write(float32LeBytes(vectors));
        // Vectors reach the disk before the lines that claim them: a line never points past the journal.
        await f32.datasync();
        await jsonl.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
        rows.forEach((r) => index.add(r));
      },
      async fail(failure) {
        await errors.write(`${JSON.stringify(failure)}\n`);
      },
      async close() {
        try {
          await jsonl.close();
          await errors.close();
          await writeNpy(f32, paths.npy, index.rows.length, dim);
        } finally {
          await f32.close().catch(() => undefined);
          await rm(paths.lock, { force: true });
        }
      },
    };
  } catch (error) {
    await rm(paths.lock, { force: true });
    throw error;
  }
}

export interface StoredEmbeddings {
  meta: EmbeddingsMeta;
  rows: EmbeddingRow[];
  /** rows.length × meta.embedDim, row-major. */
  vectors: Float32Array;
  failures: FailedFile[];
}

/** Reads an embeddings prefix without changing it (a run may still be appending to it). */
export async function readEmbeddings(prefix: string): Promise<StoredEmbeddings> {
  const paths = outputPaths(prefix);
  const meta = await readMeta(paths.meta);
  if (meta === undefined) throw new Error(`${paths.meta} not found: ${prefix} is not an embeddings prefix written by npm run embed`);
  const dim = meta.embedDim;
  const snap = await consistentSnapshot(paths, dim);
  const n = snap.rows.length;
  let vectors: Float32Array;
  if (await exists(paths.f32)) {
    const handle = await open(paths.f32, 'r');
    try {
      const bytes = new Uint8Array(n * dim * 4);
      await handle.read(bytes, 0, bytes.length, 0);
      vectors = leFloat32(bytes);
    } finally {
      await handle.close();
    }
  } else {
    // The journal may be left behind when copying results elsewhere; the .npy then has every row.
    const npy = parseNpy(await readFile(paths.npy));
    if (npy.shape.length !== 2 || npy.shape[1] !== dim || npy.shape[0] < n) {
      throw new Error(`${paths.npy} has shape [${npy.shape.join(', ')}], expected [${n}, ${dim}]`);
    }
    vectors = npy.data.subarray(0, n * dim);
  }
  return { meta, rows: snap.rows, vectors, failures: await readFailures(paths.errors) };
}

interface Snapshot {
  rows: EmbeddingRow[];
  /** Bytes of P.jsonl holding exactly those rows. */
  jsonlBytes: number;
}

async function consistentSnapshot(paths: ReturnType<typeof outputPaths>, dim: number): Promise<Snapshot> {
  const text = (await exists(paths.jsonl)) ? await readFile(paths.jsonl) : Buffer.alloc(0);
  const journalRows = (await exists(paths.f32)) ? Math.floor((await stat(paths.f32)).size / (dim * 4)) : 0;
  const rows: EmbeddingRow[] = [];
  const ends: number[] = [0];
  let start = 0;
  for (let nl = text.indexOf(0x0a); nl >= 0; nl = text.indexOf(0x0a, start)) {
    const row = parseRow(text.subarray(start, nl).toString('utf8'), rows.length);
    if (row === null) throw new Error(`${paths.jsonl} line ${rows.length + 1} is not a row of this tool; delete the outputs to start over`);
    rows.push(row);
    start = nl + 1;
    ends.push(start);
  }
  // A line without its newline was cut by a kill: ignored like a missing one.
  const n = Math.min(rows.length, journalRows);
  return { rows: rows.slice(0, n), jsonlBytes: ends[n] };
}

function parseRow(line: string, expected: number): EmbeddingRow | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  const ok =
    r.row === expected &&
    typeof r.path === 'string' &&
    typeof r.contentHash === 'string' &&
    typeof r.width === 'number' &&
    typeof r.height === 'number' &&
    (r.aesthetic === null || typeof r.aesthetic === 'number');
  if (!ok) return null;
  return {
    row: expected,
    path: r.path as string,
    contentHash: r.contentHash as string,
    width: r.width as number,
    height: r.height as number,
    aesthetic: r.aesthetic as number | null,
  };
}

async function readFailures(path: string): Promise<FailedFile[]> {
  if (!(await exists(path))) return [];
  const out: FailedFile[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === 'object' && v !== null) {
        const { path: p, reason } = v as Record<string, unknown>;
        if (typeof p === 'string' && typeof reason === 'string') out.push({ path: p, reason });
      }
    } catch {
      // The last line of an interrupted run may be cut short; the others are whole.
    }
  }
  return out;
}

async function writeNpy(journal: FileHandle, dest: string, rows: number, dim: number): Promise<void> {
  const temp = `${dest}.part-${process.pid}`;
  const out = await open(temp, 'w');
  try {
    await out.write(npyHeader([rows, dim]));
    // Copied in slices so a journal of millions of rows never has to fit in memory.
    const chunk = new Uint8Array(Math.max(1, Math.floor((8 << 20) / (dim * 4))) * dim * 4);
    const total = rows * dim * 4;
    for (let at = 0; at < total; ) {
      const want = Math.min(chunk.length, total - at);
      const { bytesRead } = await journal.read(chunk, 0, want, at);
      if (bytesRead !== want) throw new Error(`the journal ended at byte ${at + bytesRead}, expected ${total}`);
      await out.write(chunk.subarray(0, want));
      at += want;
    }
    await out.close();
    await rename(temp, dest);
  } catch (error) {
    await out.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

function leFloat32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

async function readMeta(path: string): Promise<EmbeddingsMeta | undefined> {
  if (!(await exists(path))) return undefined;
  const value: unknown = JSON.parse(await readFile(path, 'utf8'));
  const m = value as Partial<EmbeddingsMeta> | null;
  if (m === null || typeof m !== 'object' || m.format !== 'loupe-embeddings' || typeof m.embedDim !== 'number') {
    throw new Error(`${path} is not an embeddings metadata file of this tool`);
  }
  return m as EmbeddingsMeta;
}

function metaMismatch(found: EmbeddingsMeta, wanted: EmbeddingsMeta): string | null {
  if (found.version !== wanted.version) return `format version ${found.version}`;
  if (found.modelId !== wanted.modelId) return `model ${found.modelId}, not ${wanted.modelId}`;
  if (found.manifestSha256 !== wanted.manifestSha256) {
    const short = (sha: string): string => `${sha.slice(0, 12)}…`;
    return `another manifest of ${found.modelId} (sha256 ${short(found.manifestSha256)}, now ${short(wanted.manifestSha256)})`;
  }
  if (found.dtype !== wanted.dtype) return `the ${found.dtype} encoder, not ${wanted.dtype}`;
  if (found.embedDim !== wanted.embedDim) return `${found.embedDim}-d embeddings, not ${wanted.embedDim}`;
  return null;
}

/**
 * One writer per prefix: two runs appending to the same journal would interleave rows. A lock left by a
 * killed run on this host is taken over; one from another host (shared storage) must be removed by hand.
 */
async function acquireLock(path: string): Promise<void> {
  const owner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, JSON.stringify(owner), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readFile(path, 'utf8')
      .then((t) => JSON.parse(t) as { pid?: unknown; host?: unknown })
      .catch(() => ({ pid: undefined, host: undefined }));
    const stale = holder.host === owner.host && typeof holder.pid === 'number' && !isAlive(holder.pid);
    if (!stale) {
      throw new Error(
        `${path}: another run (pid ${String(holder.pid)} on ${String(holder.host)}) is writing these outputs; ` +
          'if none is, delete the .lock file',
      );
    }
    await rm(path, { force: true });
  }
  throw new Error(`${path}: could not take the lock`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
