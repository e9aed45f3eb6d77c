/**
 * npm run embed -- <images dir> --model <model dir> --out <prefix> [--batch 16] [--threads N]
 *
 * CLIP image embeddings of every file under a folder, with the app's own decoding rules, preprocessing and
 * aesthetic head, written for Python (numpy.load + one JSON line per row) and resumable: see
 * cli/lib/embedStore.ts for the files and what survives a kill.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { failureExit, integerOption, runIfMain, UsageError } from './lib/args';
import { openEmbedStore, outputPaths } from './lib/embedStore';
import { embeddingsMeta, runEmbedding } from './lib/embedRun';
import type { EmbedSummary } from './lib/embedFolder';
import { openModelDir } from './lib/modelDir';
import type { ProgressStream } from './lib/progress';
import { listFiles } from './lib/walk';

export const EMBED_USAGE = `usage: npm run embed -- <images dir> --model <model dir> --out <prefix> [--batch 16] [--threads N]
  <images dir>  walked recursively; every file is tried (OS metadata files excepted), in sorted path order
  --model       a model folder laid out like public/models/<id>/ (manifest.json, onnx/, tokenizer.json)
  --out         output prefix: writes <prefix>.npy, .jsonl, .errors.jsonl, .meta.json (and the .f32 journal)
  --batch       images per encoder run (default 16)
  --threads     encoder threads (default: all ${availableParallelism()} cores)
Run it again with the same --out to resume: files already embedded (same path and content) are skipped.`;

export interface EmbedCliResult {
  exitCode: number;
  summary?: EmbedSummary;
}

export async function runEmbedCli(argv: readonly string[], stderr: ProgressStream): Promise<EmbedCliResult> {
  const log = (line: string): void => void stderr.write(`${line}\n`);
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        model: { type: 'string' },
        out: { type: 'string' },
        batch: { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      log(EMBED_USAGE);
      return { exitCode: 0 };
    }
    if (positionals.length !== 1) throw new UsageError('give exactly one images folder');
    if (values.model === undefined) throw new UsageError('--model is required');
    if (values.out === undefined) throw new UsageError('--out is required');
    const batchSize = integerOption('batch', values.batch, 16, 1);
    const threads = integerOption('threads', values.threads, availableParallelism(), 1);
    const imagesDir = resolve(positionals[0]);
    if (!(await stat(imagesDir).then((s) => s.isDirectory(), () => false))) {
      throw new UsageError(`${positionals[0]} is not a folder`);
    }

    const started = performance.now();
    const model = await openModelDir(values.model, threads);
    const prefix = resolve(values.out);
    const store = await openEmbedStore(prefix, embeddingsMeta(model));
    let summary: EmbedSummary;
    try {
      // The outputs may sit inside the images folder; they are not images of it.
      const files = await listFiles(imagesDir, new Set(Object.values(outputPaths(prefix)).flatMap((p) => [p, `${p}.part-${process.pid}`])));
      const already = store.index.rows.length;
      log(`embed: ${files.length} files under ${imagesDir}, model ${model.manifest.id}, ${already} rows already in ${prefix}.jsonl`);
      summary = await runEmbedding({ imagesDir, files, model, sink: store, batchSize, stderr, label: 'embed' });
    } finally {
      await store.close();
    }
    const setup = (performance.now() - started) / 1000 - summary.seconds;
    const { counts, reused } = summary;
    const perSecond = (seconds: number): string => (counts.embedded / seconds).toFixed(1);
    const rate =
      counts.embedded > 0 ? `: ${perSecond(summary.seconds)} img/s (the encoder alone ${perSecond(summary.encoderSeconds)} img/s)` : '';
    const unreadable = `${counts.failed} unreadable${counts.failed > 0 ? ` (see ${store.paths.errors})` : ''}`;
    log(
      `embed: ${counts.embedded} embedded, ${reused} copied from identical files, ${counts.skipped} already done, ` +
        `${unreadable} in ${summary.seconds.toFixed(1)} s${rate}; ` +
        `loading the model and outputs took ${setup.toFixed(1)} s`,
    );
    log(`embed: ${store.index.rows.length} rows → ${store.paths.npy}, ${store.paths.jsonl}`);
    if (summary.stopped) {
      log('embed: stopped early; run the same command again to continue');
      return { exitCode: 130, summary };
    }
    return { exitCode: 0, summary };
  } catch (error) {
    return { exitCode: failureExit(error, 'embed', EMBED_USAGE, log) };
  }
}

runIfMain(import.meta.url, (argv) => runEmbedCli(argv, process.stderr));
