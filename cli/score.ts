/**
 * npm run score -- <images dir | embeddings prefix> --model <model dir> --tag "…" [--tag "…"] --out scores.csv
 *                  [--shard i/n] [--threshold x] [--tie-margin 0.1] [--batch 16] [--threads N] [--save-embeddings P]
 * npm run score -- --merge a.csv b.csv … --out all.csv [--threshold x] [--tie-margin 0.1]
 *
 * The app's per-tag ranking for folders too big for a browser tab: the same embeddings (cli/lib/embedFolder.ts),
 * the same prompt ensemble, relevance, threshold calibration and rankByTag, by the aesthetic score or, when the
 * manifest lists a tag head, by its score. Shards split the sorted file list
 * by position (i, i+n, i+2n, …), so `--shard 0/n` … `--shard n-1/n` cover every file exactly once.
 */
import { rename, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { relevanceScores } from '../src/scoring/similarity';
import { DEFAULT_TIE_MARGIN } from '../src/scoring/rankByTag';
import { failureExit, inShard, integerOption, runIfMain, numberOption, parseShard, UsageError, type Shard } from './lib/args';
import { embeddingsMeta, runEmbedding } from './lib/embedRun';
import { openEmbedStore, outputPaths, readEmbeddings } from './lib/embedStore';
import { runTagHead } from '../src/scoring/tagHead';
import {
  createTagHeadSession,
  createTextEncoder,
  NodeTensor,
  openModelDir,
  visionFile,
  type ModelDir,
} from './lib/modelDir';
import type { ProgressStream } from './lib/progress';
import { createMemorySink, type EmbeddingSink } from './lib/rows';
import { parseScoreCsv, toScoreCsv, type ScoreTable } from './lib/scoreCsv';
import { rankScoreItems, type ScoreItem } from './lib/scoreRows';
import { embedTags } from './lib/tagEmbeddings';
import type { RankOptionsCli, TagRanks } from './lib/tagRanks';
import { compareCodeUnits, listFiles } from './lib/walk';

export const SCORE_USAGE = `usage: npm run score -- <images dir | embeddings prefix> --model <model dir> --tag "…" [--tag "…"]
                        --out scores.csv [--shard i/n] [--threshold x] [--tie-margin ${DEFAULT_TIE_MARGIN}]
                        [--batch 16] [--threads N] [--save-embeddings prefix]
       npm run score -- --merge a.csv b.csv … --out all.csv [--threshold x] [--tie-margin ${DEFAULT_TIE_MARGIN}]
  <images dir>       embeds every file under it (as npm run embed does) and scores it
  <prefix>           an --out prefix of npm run embed, made with the same --model: nothing is embedded again
  --tag              a tag, as typed in the app (prompt ensemble included); repeat for several
  --shard i/n        only the files at positions ≡ i (mod n) of the sorted list, 0 ≤ i < n. Ranks in a shard's CSV
                     are ranks within that shard; --merge re-ranks the shards together.
  --threshold x      relevance cut for every tag (default: calibrated on the rows, as in the app)
  --tie-margin m     aesthetic scores closer than m are near-ties, ordered by relevance (default ${DEFAULT_TIE_MARGIN})
  --save-embeddings  also keep the folder's embeddings at this prefix (resumable, as npm run embed --out)
  --merge            re-rank shard CSVs (or any scores CSVs with the same tags) as one table`;

export interface ScoreCliResult {
  exitCode: number;
  table?: ScoreTable;
}

interface Common {
  out: string;
  rank: RankOptionsCli;
}

export async function runScoreCli(argv: readonly string[], stderr: ProgressStream): Promise<ScoreCliResult> {
  const log = (line: string): void => void stderr.write(`${line}\n`);
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        model: { type: 'string' },
        tag: { type: 'string', multiple: true },
        out: { type: 'string' },
        shard: { type: 'string' },
        threshold: { type: 'string' },
        'tie-margin': { type: 'string' },
        batch: { type: 'string' },
        threads: { type: 'string' },
        'save-embeddings': { type: 'string' },
        merge: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      log(SCORE_USAGE);
      return { exitCode: 0 };
    }
    if (values.out === undefined) throw new UsageError('--out is required');
    const tieMargin = numberOption('tie-margin', values['tie-margin']) ?? DEFAULT_TIE_MARGIN;
    if (tieMargin < 0) throw new UsageError('--tie-margin must be ≥ 0');
    const common: Common = { out: resolve(values.out), rank: { threshold: numberOption('threshold', values.threshold), tieMargin } };

    let table: ScoreTable;
    if (values.merge) {
      if (positionals.length === 0) throw new UsageError('--merge needs the CSV files to merge');
      for (const name of ['model', 'tag', 'shard', 'save-embeddings'] as const) {
        if (values[name] !== undefined) throw new UsageError(`--${name} does not apply to --merge (the CSVs hold everything)`);
      }
      table = await mergeCsvs(positionals, common, log);
    } else {
      if (positionals.length !== 1) throw new UsageError('give exactly one images folder or embeddings prefix');
      if (values.model === undefined) throw new UsageError('--model is required');
      const tags = values.tag ?? [];
      if (tags.length === 0) throw new UsageError('give at least one --tag');
      const dup = tags.find((t, i) => tags.indexOf(t) !== i);
      if (dup !== undefined) throw new UsageError(`--tag "${dup}" is given twice`);
      const threads = integerOption('threads', values.threads, availableParallelism(), 1);
      const model = await openModelDir(values.model, threads);
      const shard = parseShard(values.shard);
      const source = await classifySource(positionals[0]);
      const items =
        source.kind === 'folder'
          ? await embedFolderItems(source.path, model, shard, {
              batchSize: integerOption('batch', values.batch, 16, 1),
              savePrefix: values['save-embeddings'],
              exclude: [common.out, `${common.out}.part-${process.pid}`],
              stderr,
            })
          : await storedItems(source.path, model, shard, values['save-embeddings']);
      table = await scoreItems(items, tags, model, common, log);
    }
    await writeAtomically(common.out, toScoreCsv(table));
    log(`score: ${table.rows.length} rows → ${common.out}`);
    return { exitCode: 0, table };
  } catch (error) {
    return { exitCode: failureExit(error, 'score', SCORE_USAGE, log) };
  }
}

/** An image vector, not yet turned into relevances: the tags are embedded once, after all images. */
interface PendingItem {
  path: string;
  contentHash: string | null;
  aesthetic: number | null;
  vector: Float32Array | null;
  error: string | null;
}

async function classifySource(arg: string): Promise<{ kind: 'folder' | 'prefix'; path: string }> {
  const path = resolve(arg);
  if (await stat(path).then((s) => s.isDirectory(), () => false)) return { kind: 'folder', path };
  // Any of the prefix's own files names it too (tab completion offers those).
  const prefix = path.replace(/\.(npy|jsonl|f32|meta\.json|errors\.jsonl)$/, '').replace(/\.errors$/, '');
  if (await stat(outputPaths(prefix).meta).then(() => true, () => false)) return { kind: 'prefix', path: prefix };
  throw new UsageError(`${arg} is neither a folder nor an embeddings prefix (no ${outputPaths(prefix).meta})`);
}

async function embedFolderItems(
  dir: string,
  model: ModelDir,
  shard: Shard | undefined,
  o: { batchSize: number; savePrefix: string | undefined; exclude: string[]; stderr: ProgressStream },
): Promise<PendingItem[]> {
  const prefix = o.savePrefix === undefined ? undefined : resolve(o.savePrefix);
  const exclude = new Set(o.exclude);
  if (prefix !== undefined) for (const p of Object.values(outputPaths(prefix))) exclude.add(p);
  const files = inShard(await listFiles(dir, exclude), shard);
  const store = prefix === undefined ? undefined : await openEmbedStore(prefix, embeddingsMeta(model));
  const sink: EmbeddingSink = store ?? createMemorySink(model.manifest.embedDim);
  try {
    const label = 'score: embedding';
    const summary = await runEmbedding({ imagesDir: dir, files, model, sink, batchSize: o.batchSize, stderr: o.stderr, label });
    if (summary.stopped) throw new Error('stopped before every file was embedded; nothing written');
    const items: PendingItem[] = [];
    for (const outcome of summary.outcomes) {
      if ('reason' in outcome) {
        items.push({ path: outcome.path, contentHash: null, aesthetic: null, vector: null, error: outcome.reason });
      } else {
        const row = sink.index.rows[outcome.row];
        const vector = await sink.vector(row.row);
        items.push({ path: outcome.path, contentHash: row.contentHash, aesthetic: row.aesthetic, vector, error: null });
      }
    }
    return items;
  } finally {
    await store?.close();
  }
}

async function storedItems(prefix: string, model: ModelDir, shard: Shard | undefined, save: string | undefined): Promise<PendingItem[]> {
  if (save !== undefined) throw new UsageError('--save-embeddings applies to a folder; this is already an embeddings prefix');
  const stored = await readEmbeddings(prefix);
  const { meta } = stored;
  // Relevance compares image vectors with this model's text vectors: another model's images would be noise.
  // The same vision encoder under another manifest (one that adds a tag head, say) makes the same vectors.
  const visionSha = visionFile(model).sha256?.toLowerCase();
  const sameEncoder = meta.visionSha256 !== null && meta.visionSha256 !== undefined && meta.visionSha256 === visionSha;
  if (!sameEncoder && (meta.modelId !== model.manifest.id || meta.manifestSha256 !== model.manifestSha256)) {
    const made = `${meta.modelId} (manifest ${meta.manifestSha256.slice(0, 12)}…)`;
    throw new Error(`${prefix} was embedded with ${made}, not with --model ${model.dir}`);
  }
  const dim = meta.embedDim;
  // A file embedded again after it changed has a later row: that one is current.
  const latest = new Map<string, PendingItem>();
  for (const r of stored.rows) {
    const vector = stored.vectors.slice(r.row * dim, (r.row + 1) * dim);
    latest.set(r.path, { path: r.path, contentHash: r.contentHash, aesthetic: r.aesthetic, vector, error: null });
  }
  for (const f of stored.failures) {
    if (!latest.has(f.path)) latest.set(f.path, { path: f.path, contentHash: null, aesthetic: null, vector: null, error: f.reason });
  }
  const sorted = [...latest.values()].sort((a, b) => compareCodeUnits(a.path, b.path));
  return inShard(sorted, shard);
}

async function scoreItems(
  pending: readonly PendingItem[],
  tags: readonly string[],
  model: ModelDir,
  common: Common,
  log: (line: string) => void,
): Promise<ScoreTable> {
  const encoder = await createTextEncoder(model);
  let tagEmbeddings: Float32Array[];
  try {
    tagEmbeddings = await embedTags(encoder, tags);
  } finally {
    await encoder.session.release();
  }
  const withVector = pending.filter((p) => p.vector !== null);
  const dim = model.manifest.embedDim;
  const matrix = new Float32Array(withVector.length * dim);
  withVector.forEach((p, i) => matrix.set(p.vector as Float32Array, i * dim));
  const relevances = tagEmbeddings.map((t) => relevanceScores(matrix, withVector.length, t));
  const headScores = await tagHeadScores(model, matrix, withVector.length, tagEmbeddings, log);
  const rowOf = new Map(withVector.map((p, i) => [p.path, i]));
  const items = pending.map((p): ScoreItem => {
    const i = rowOf.get(p.path);
    return {
      path: p.path,
      contentHash: p.contentHash,
      aesthetic: p.aesthetic,
      relevance: i === undefined ? null : relevances.map((r) => r[i]),
      tagScore: i === undefined || headScores === null ? null : headScores.map((s) => s[i]),
      error: p.error,
    };
  });
  const { table, ranks, ranked } = rankScoreItems(tags, items, common.rank, headScores !== null);
  logRanks(tags, ranks, ranked, log);
  return table;
}

/** Rows per tag-head run: bounds the two [rows, dim] inputs it needs, however big the folder. */
const TAG_HEAD_ROWS = 4096;

/** Per tag, the tag head's score of every row of `matrix`; null when the model has no tag head. */
async function tagHeadScores(
  model: ModelDir,
  matrix: Float32Array,
  count: number,
  tagEmbeddings: readonly Float32Array[],
  log: (line: string) => void,
): Promise<Float32Array[] | null> {
  const head = await createTagHeadSession(model);
  if (head === null) return null;
  log(`score: ranking by the tag head ${head.id}, as the app does`);
  const dim = model.manifest.embedDim;
  try {
    const out: Float32Array[] = [];
    for (const tag of tagEmbeddings) {
      const scores = new Float32Array(count);
      for (let start = 0; start < count; start += TAG_HEAD_ROWS) {
        const n = Math.min(TAG_HEAD_ROWS, count - start);
        const rows = matrix.subarray(start * dim, (start + n) * dim);
        scores.set(await runTagHead(head.session, NodeTensor, rows, n, tag), start);
      }
      out.push(scores);
    }
    return out;
  } finally {
    await head.session.release();
  }
}

async function mergeCsvs(files: readonly string[], common: Common, log: (line: string) => void): Promise<ScoreTable> {
  let tags: string[] | undefined;
  const items: ScoreItem[] = [];
  for (const file of files) {
    const table = parseScoreCsv(await readFile(file, 'utf8'), file);
    if (tags === undefined) tags = table.tags;
    else if (table.tags.join('\n') !== tags.join('\n')) {
      throw new Error(`${file} has tags ${JSON.stringify(table.tags)}, ${files[0]} has ${JSON.stringify(tags)}`);
    }
    for (const r of table.rows) {
      // A row that was ranked keeps taking part; an empty relevance there was NaN (a zero embedding).
      const ranked = r.error === null && r.contentHash !== null;
      items.push({
        path: r.path,
        contentHash: r.contentHash,
        aesthetic: r.aesthetic,
        relevance: ranked ? r.relevance.map((v) => v ?? Number.NaN) : null,
        tagScore: ranked ? r.tagScore : null,
        error: r.error,
      });
    }
  }
  // Tag-head scores are written only by a model with a tag head, and then they ranked the tags.
  const byTagHead = items.some((it) => it.tagScore?.some((s) => s !== null) === true);
  const { table, ranks, ranked } = rankScoreItems(tags ?? [], items, common.rank, byTagHead);
  log(`score: merged ${files.length} files, ${table.rows.length} rows`);
  logRanks(tags ?? [], ranks, ranked, log);
  return table;
}

function logRanks(tags: readonly string[], ranks: readonly TagRanks[], candidates: number, log: (line: string) => void): void {
  tags.forEach((tag, t) => {
    const r = ranks[t];
    log(`score: "${tag}": threshold ${r.threshold.toFixed(4)} (${r.method}), ${r.rankOf.size} of ${candidates} images ranked`);
  });
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.part-${process.pid}`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

runIfMain(import.meta.url, (argv) => runScoreCli(argv, process.stderr));
