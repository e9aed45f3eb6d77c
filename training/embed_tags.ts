/**
 * npx tsx training/embed_tags.ts --model <model dir> --out <prefix> [--ava ../shared/data/ava]
 *
 * Text embeddings of AVA's tag names (tags.txt) made exactly as the app makes a tag's embedding (the prompt
 * ensemble of src/scoring/prompts.ts, via cli/lib/tagEmbeddings.ts), so a head trained on them scores the
 * tags the app sends it. Writes, for training/benchmark.py --tag-embeddings <prefix>:
 *   <prefix>.npy    float32 [tags, embedDim], L2-normalized rows
 *   <prefix>.jsonl  {row, tagId, tag} per row, tag = the name as in tags.txt
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTextEncoder, openModelDir } from '../cli/lib/modelDir';
import { embedTags } from '../cli/lib/tagEmbeddings';
import { toNpy } from '../src/codecs/npyWrite';

const DEFAULT_AVA = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/data/ava');

function readTags(avaDir: string): { id: number; name: string }[] {
  return readFileSync(join(avaDir, 'tags.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.indexOf(' ');
      return { id: Number.parseInt(line.slice(0, space), 10), name: line.slice(space + 1).trim() };
    })
    .sort((a, b) => a.id - b.id);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, out: { type: 'string' }, ava: { type: 'string' } },
    strict: true,
  });
  if (!values.model || !values.out) {
    console.error('usage: npx tsx training/embed_tags.ts --model <model dir> --out <prefix> [--ava <AVA folder>]');
    return 2;
  }
  const tags = readTags(values.ava ?? DEFAULT_AVA);
  const model = await openModelDir(values.model, availableParallelism());
  const encoder = await createTextEncoder(model);
  let vectors: Float32Array[];
  try {
    vectors = await embedTags(encoder, tags.map((t) => t.name));
  } finally {
    await encoder.session.release();
  }
  const dim = model.manifest.embedDim;
  const matrix = new Float32Array(tags.length * dim);
  vectors.forEach((v, i) => matrix.set(v, i * dim));
  const prefix = resolve(values.out);
  mkdirSync(dirname(prefix), { recursive: true });
  writeFileSync(`${prefix}.npy`, toNpy(matrix, [tags.length, dim]));
  writeFileSync(`${prefix}.jsonl`, tags.map((t, row) => JSON.stringify({ row, tagId: t.id, tag: t.name })).join('\n') + '\n');
  console.error(`embed_tags: ${tags.length} tags × ${dim} with ${model.manifest.id} → ${prefix}.npy, ${prefix}.jsonl`);
  return 0;
}

process.exitCode = await main();
