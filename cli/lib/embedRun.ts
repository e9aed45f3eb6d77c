/**
 * One embedding run over a list of files, as both commands need it: the model's vision session and aesthetic
 * head, a progress bar on stderr, Ctrl-C handling, and the encoder released afterwards.
 */
import { embedFolder, type EmbedSummary } from './embedFolder';
import type { EmbeddingsMeta } from './embedStore';
import { stopOnInterrupt } from './interrupt';
import { createVisionSession, loadAestheticHead, visionDtype, visionFile, type ModelDir } from './modelDir';
import { createProgressBar, type ProgressStream } from './progress';
import type { EmbeddingSink } from './rows';

export interface EmbedRunOptions {
  imagesDir: string;
  files: readonly string[];
  model: ModelDir;
  sink: EmbeddingSink;
  batchSize: number;
  stderr: ProgressStream;
  label: string;
}

export async function runEmbedding(options: EmbedRunOptions): Promise<EmbedSummary> {
  const { model, stderr } = options;
  const vision = await createVisionSession(model);
  const head = await loadAestheticHead(model);
  const bar = createProgressBar(options.label, stderr);
  const stop = stopOnInterrupt((line) => stderr.write(`${line}\n`));
  try {
    const summary = await embedFolder({
      root: options.imagesDir,
      files: options.files,
      sink: options.sink,
      vision,
      head,
      batchSize: options.batchSize,
      onProgress: (c) => bar.update(c),
      shouldStop: () => stop.requested(),
    });
    bar.finish(summary.counts);
    return summary;
  } finally {
    stop.dispose();
    await vision.release();
  }
}

export function embeddingsMeta(model: ModelDir): EmbeddingsMeta {
  return {
    format: 'loupe-embeddings',
    version: 1,
    modelId: model.manifest.id,
    manifestSha256: model.manifestSha256,
    dtype: visionDtype(model),
    visionSha256: visionFile(model).sha256?.toLowerCase() ?? null,
    embedDim: model.manifest.embedDim,
    vectors:
      'image_embeds of the vision model as it gives them (not L2-normalised), float32; ' +
      'row i belongs to line i of the .jsonl (its "row" field)',
  };
}
