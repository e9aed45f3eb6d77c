/**
 * Embeds the files of an images folder into a sink, in the order given: the heart of `npm run embed`, and what
 * `npm run score` runs on a folder. Decoding runs ahead of the encoder; rows are appended batch by batch.
 */
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-common';
import { embedImageBatch, PIXELS_PER_IMAGE } from '../../src/engine/encoders';
import type { LinearAestheticHead } from '../../src/scoring/aestheticHead';
import { decodeForClip, hashFile, type DecodedImage } from './decodeImage';
import { inOrder } from './inOrder';
import { messageOf, NodeTensor } from './modelDir';
import type { ProgressCounts } from './progress';
import type { EmbeddingRow, EmbeddingSink } from './rows';

export interface EmbedFolderOptions {
  root: string;
  /** Relative paths, in the order rows are to be written. */
  files: readonly string[];
  sink: EmbeddingSink;
  vision: InferenceSession;
  head: LinearAestheticHead | null;
  batchSize: number;
  onProgress?(counts: ProgressCounts): void;
  /** Checked between files: true finishes the current batch and stops (Ctrl-C). */
  shouldStop?(): boolean;
}

export type FileOutcome = { path: string; row: number } | { path: string; reason: string };

export interface EmbedSummary {
  counts: ProgressCounts;
  /** Files whose content already had a vector under another path: copied, not encoded. */
  reused: number;
  /** One per file handled (fewer than `files` when stopped early); look them up by path. */
  outcomes: FileOutcome[];
  stopped: boolean;
  /** Wall time from the first file to the last row written (model loading excluded). */
  seconds: number;
  encoderSeconds: number;
}

type Prepared =
  | { kind: 'known'; path: string; row: number }
  | { kind: 'copy'; path: string; hash: string; from: EmbeddingRow }
  | { kind: 'decoded'; path: string; hash: string; image: DecodedImage }
  | { kind: 'failed'; path: string; reason: string };

type Pending = Extract<Prepared, { kind: 'copy' | 'decoded' }>;

export async function embedFolder(options: EmbedFolderOptions): Promise<EmbedSummary> {
  const { root, files, sink, vision, head, batchSize } = options;
  const dim = sink.dim;
  const counts: ProgressCounts = { done: 0, total: files.length, embedded: 0, skipped: 0, failed: 0 };
  const outcomes: FileOutcome[] = [];
  const batchPixels = new Float32Array(batchSize * PIXELS_PER_IMAGE);
  let pending: Pending[] = [];
  let decodedInBatch = 0;
  let reused = 0;
  let encoderSeconds = 0;
  let stopped = false;
  const started = performance.now();

  const prepare = async (path: string): Promise<Prepared> => {
    try {
      const abs = join(root, path);
      const hash = await hashFile(abs);
      const row = sink.index.rowOf(path, hash);
      if (row !== undefined) return { kind: 'known', path, row };
      const from = sink.index.rowWithContent(hash);
      if (from !== undefined) return { kind: 'copy', path, hash, from };
      return { kind: 'decoded', path, hash, image: await decodeForClip(abs) };
    } catch (error) {
      return { kind: 'failed', path, reason: messageOf(error) };
    }
  };

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const decoded = pending.filter((p): p is Extract<Pending, { kind: 'decoded' }> => p.kind === 'decoded');
    decoded.forEach((p, i) => batchPixels.set(p.image.pixels, i * PIXELS_PER_IMAGE));
    const encodeStart = performance.now();
    const fresh = decoded.length > 0 ? await embedImageBatch(vision, NodeTensor, batchPixels, decoded.length) : new Float32Array(0);
    encoderSeconds += (performance.now() - encodeStart) / 1000;
    if (fresh.length !== decoded.length * dim) {
      throw new Error(`the vision model gave ${fresh.length / Math.max(decoded.length, 1)}-d embeddings, the manifest says ${dim}`);
    }
    const vectors = new Float32Array(pending.length * dim);
    let k = 0;
    for (const [i, p] of pending.entries()) {
      if (p.kind === 'decoded') vectors.set(fresh.subarray(k * dim, ++k * dim), i * dim);
      else vectors.set(await sink.vector(p.from.row), i * dim);
    }
    const scores = head?.scoreBatch(vectors, pending.length) ?? null;
    const first = sink.index.rows.length;
    const rows = pending.map((p, i): EmbeddingRow => {
      const size = p.kind === 'decoded' ? p.image : p.from;
      const score = scores === null ? null : scores[i];
      return {
        row: first + i,
        path: p.path,
        contentHash: p.hash,
        width: size.width,
        height: size.height,
        aesthetic: score !== null && Number.isFinite(score) ? score : null,
      };
    });
    await sink.append(rows, vectors);
    for (const r of rows) outcomes.push({ path: r.path, row: r.row });
    counts.embedded += decoded.length;
    reused += pending.length - decoded.length;
    counts.done += pending.length;
    pending = [];
    decodedInBatch = 0;
  };

  // Two batches ahead keeps the encoder fed without holding many decoded images (600 kB each) in memory.
  for await (const p of inOrder(files, Math.max(2 * batchSize, 4), prepare)) {
    if (p.kind === 'known') {
      outcomes.push({ path: p.path, row: p.row });
      counts.skipped++;
      counts.done++;
    } else if (p.kind === 'failed') {
      await sink.fail({ path: p.path, reason: p.reason });
      outcomes.push({ path: p.path, reason: p.reason });
      counts.failed++;
      counts.done++;
    } else {
      pending.push(p);
      if (p.kind === 'decoded') decodedInBatch++;
    }
    // Copies cost no encoder time but still wait in memory, so they flush on their own count too.
    if (decodedInBatch >= batchSize || pending.length >= 4 * batchSize) await flush();
    options.onProgress?.(counts);
    if (options.shouldStop?.()) {
      stopped = true;
      break;
    }
  }
  await flush();
  options.onProgress?.(counts);
  return { counts, reused, outcomes, stopped, seconds: (performance.now() - started) / 1000, encoderSeconds };
}
