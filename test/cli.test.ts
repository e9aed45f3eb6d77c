/**
 * The Node tools on real JPEGs with the generated clip-tiny model: `npm run embed` (outputs, bad files,
 * resume, crash recovery) against an independent onnxruntime-node run, and `npm run score` (columns, ranks,
 * shards, merge) against the app's own ranking code.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEmbedCli } from '../cli/embed';
import { decodeForClip } from '../cli/lib/decodeImage';
import { decodeCorpus } from '../e2e/decodeCorpus';
import { parseCsv } from '../cli/lib/csvRead';
import { readEmbeddings } from '../cli/lib/embedStore';
import { createTextEncoder, openModelDir } from '../cli/lib/modelDir';
import { embedTags } from '../cli/lib/tagEmbeddings';
import { runScoreCli } from '../cli/score';
import { PIXELS_PER_IMAGE } from '../src/engine/encoders';
import { preprocessForClip } from '../src/engine/preprocess';
import { createLinearAestheticHead } from '../src/scoring/aestheticHead';
import { parseNpy } from '../src/codecs/npyRead';
import { parsePthLinear } from '../src/scoring/pthLinear';
import type { Tile } from '../src/state/libraryStore';
import { rankTag } from '../src/state/tagRanking';
import { rankScoreItems } from '../cli/lib/scoreRows';
import { relevanceScores } from '../src/scoring/similarity';
import { mulberry32 as random } from '../src/scoring/mulberry32';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODEL = join(ROOT, 'public/models/clip-tiny');
// clip-tiny with a known tag head, score = 5 + 5 cos(image, tag) (scripts/make_test_head.py).
const HEAD_MODEL = join(ROOT, 'public/models/clip-tiny-head');
const REAL = fileURLToPath(new URL('../../shared/images/real/', import.meta.url));
const FIRST_SIX = ['clive_1019.jpg', 'clive_1084.jpg', 'clive_1111.jpg', 'clive_1122.jpg', 'clive_1135.jpg', 'clive_545.jpg'];
// Two in a subfolder: the walk is recursive and paths use '/'.
const LAYOUT = ['a/clive_1019.jpg', 'a/clive_1084.jpg', 'clive_1111.jpg', 'clive_1122.jpg', 'clive_1135.jpg', 'clive_545.jpg'];
const TAGS = ['landscape', 'a portrait of a person'];
const DIM = 512;

let tmp: string;
let images: string;
let prefix: string;

function sink(): { write(s: string): boolean; text(): string } {
  let buffer = '';
  return {
    write(s: string) {
      buffer += s;
      return true;
    },
    text: () => buffer,
  };
}

async function embed(...extra: string[]) {
  const err = sink();
  const result = await runEmbedCli([images, '--model', MODEL, '--out', prefix, '--batch', '4', '--threads', '2', ...extra], err);
  expect(result.exitCode, err.text()).toBe(0);
  return result.summary!;
}

async function score(source: string, out: string, ...extra: string[]) {
  return scoreWith(MODEL, source, out, ...extra);
}

async function scoreWith(model: string, source: string, out: string, ...extra: string[]) {
  const err = sink();
  const args = [source, '--model', model, ...TAGS.flatMap((t) => ['--tag', t]), '--out', out, '--threads', '2', ...extra];
  const result = await runScoreCli(args, err);
  expect(result.exitCode, err.text()).toBe(0);
  return readFile(out, 'utf8');
}

async function outputs(): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const ext of ['npy', 'jsonl', 'errors.jsonl', 'meta.json']) out[ext] = await readFile(`${prefix}.${ext}`);
  return out;
}

async function rows(): Promise<Record<string, unknown>[]> {
  const text = await readFile(`${prefix}.jsonl`, 'utf8');
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** CSV rows as objects keyed by the header. */
function tileFor(path: string, score: number | null, width = 500, height = 500): Tile {
  return {
    id: path,
    name: path,
    path,
    bytes: 0,
    status: 'scored',
    score,
    error: null,
    hasThumb: false,
    width,
    height,
    decision: 'none',
    stars: 0,
    hasFile: true,
  };
}


function table(csv: string): Record<string, string>[] {
  const [header, ...body] = parseCsv(csv);
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

beforeAll(async () => {
  if (!existsSync(join(MODEL, 'manifest.json'))) {
    throw new Error('public/models/clip-tiny is missing: run `npm run models:test` (or `npm run models:test -- --only clip-tiny`) first');
  }
  if (!existsSync(REAL)) throw new Error(`${REAL} is missing: the shared test images are needed`);
  tmp = await mkdtemp(join(tmpdir(), 'loupe-cli-'));
  images = join(tmp, 'images');
  prefix = join(tmp, 'out', 'emb');
  await mkdir(join(images, 'a'), { recursive: true });
  for (const [i, name] of FIRST_SIX.entries()) await copyFile(join(REAL, name), join(images, LAYOUT[i]));
  await writeFile(join(images, 'empty.jpg'), new Uint8Array(0));
  await writeFile(join(images, 'notes.jpg'), 'not a photo\n');
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('npm run embed', () => {
  it('writes [6, 512] embeddings, a row per image and the unreadable files with reasons', async () => {
    const summary = await embed();
    expect(summary.counts).toMatchObject({ total: 8, embedded: 6, failed: 2, skipped: 0 });
    const npy = parseNpy(await readFile(`${prefix}.npy`));
    expect(npy.shape).toEqual([6, DIM]);
    const index = await rows();
    expect(index.map((r) => r.path)).toEqual([...LAYOUT].sort());
    for (const [i, r] of index.entries()) {
      expect(r.row).toBe(i);
      expect(Number.isFinite(r.aesthetic)).toBe(true);
      expect([r.width, r.height]).toEqual([500, 500]);
      const bytes = await readFile(join(images, r.path as string));
      expect(r.contentHash).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const errorLines = (await readFile(`${prefix}.errors.jsonl`, 'utf8')).trimEnd().split('\n');
    const errors = errorLines.map((l) => JSON.parse(l) as { path: string; reason: string });
    expect(errors.map((e) => e.path)).toEqual(['empty.jpg', 'notes.jpg']);
    expect(errors[0].reason).toBe('empty file (0 bytes)');
    expect(errors[1].reason).toMatch(/^not an image/);
  });

  it('matches onnxruntime-node run directly on the same preprocessed pixels (within 1e-5)', async () => {
    const index = await rows();
    const pixels = new Float32Array(index.length * PIXELS_PER_IMAGE);
    for (const [i, r] of index.entries()) {
      const decoder = sharp(join(images, r.path as string), { ignoreIcc: true }).rotate().raw();
      const { data, info } = await decoder.toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(3);
      preprocessForClip({ data, width: info.width, height: info.height, channels: 3 }, pixels, i * PIXELS_PER_IMAGE);
    }
    const session = await ort.InferenceSession.create(join(MODEL, 'onnx/vision_model.onnx'));
    const out = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [index.length, 3, 224, 224]) });
    await session.release();
    const expected = out.image_embeds.data as Float32Array;
    const got = parseNpy(await readFile(`${prefix}.npy`)).data;
    expect(got.length).toBe(expected.length);
    let max = 0;
    for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - expected[i]));
    expect(max).toBeLessThanOrEqual(1e-5);
    const head = createLinearAestheticHead(parsePthLinear(await readFile(join(MODEL, 'sa_0_4_vit_b_32_linear.pth'))));
    const scores = head.scoreBatch(expected, index.length);
    index.forEach((r, i) => expect(Math.abs((r.aesthetic as number) - scores[i])).toBeLessThan(1e-4));
  });

  it('a second run embeds nothing and leaves the outputs byte-identical', async () => {
    const before = await outputs();
    const summary = await embed();
    expect(summary.counts).toMatchObject({ embedded: 0, skipped: 6, failed: 2 });
    expect(await outputs()).toEqual(before);
  });

  it('recovers from a run killed mid-batch: half a line, a partial vector and a stale lock', async () => {
    const before = await outputs();
    await appendFile(`${prefix}.f32`, new Uint8Array(DIM * 4 + 100));
    await appendFile(`${prefix}.jsonl`, '{"row":6,"path":"clive_2');
    // The pid of a process that has already exited: its lock is stale.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(`${prefix}.lock`, JSON.stringify({ pid: dead, host: hostname() }));
    const summary = await embed();
    expect(summary.counts.embedded).toBe(0);
    expect(await outputs()).toEqual(before);
    expect(existsSync(`${prefix}.lock`)).toBe(false);
  });

  it('adding a file embeds only it; a copy of a known file reuses its vector', async () => {
    const before = await outputs();
    await copyFile(join(REAL, 'clive_557.jpg'), join(images, 'a/new.jpg'));
    const added = await embed();
    expect(added.counts).toMatchObject({ embedded: 1, skipped: 6, failed: 2 });
    const after = parseNpy(await readFile(`${prefix}.npy`));
    expect(after.shape).toEqual([7, DIM]);
    expect(Array.from(after.data.subarray(0, 6 * DIM))).toEqual(Array.from(parseNpy(before.npy).data));
    expect((await readFile(`${prefix}.jsonl`)).subarray(0, before.jsonl.length)).toEqual(before.jsonl);
    expect((await rows())[6]).toMatchObject({ row: 6, path: 'a/new.jpg' });

    await copyFile(join(images, 'clive_1111.jpg'), join(images, 'copy.jpg'));
    const copied = await embed();
    expect(copied.counts.embedded).toBe(0);
    expect(copied.reused).toBe(1);
    const data = parseNpy(await readFile(`${prefix}.npy`)).data;
    const original = (await rows()).find((r) => r.path === 'clive_1111.jpg')!.row as number;
    expect(Array.from(data.subarray(7 * DIM, 8 * DIM))).toEqual(Array.from(data.subarray(original * DIM, (original + 1) * DIM)));
  });

  it('refuses to append embeddings of another model to the outputs', async () => {
    const other = join(tmp, 'other-model');
    await mkdir(other);
    for (const entry of await readdir(MODEL)) {
      if (entry !== 'manifest.json') await symlink(join(MODEL, entry), join(other, entry));
    }
    const manifest = JSON.parse(await readFile(join(MODEL, 'manifest.json'), 'utf8')) as { description: string };
    await writeFile(join(other, 'manifest.json'), JSON.stringify({ ...manifest, description: 'changed' }));
    const err = sink();
    const result = await runEmbedCli([images, '--model', other, '--out', prefix], err);
    expect(result.exitCode).toBe(1);
    expect(err.text()).toMatch(/another manifest of clip-tiny/);
  });
});

describe('npm run score', () => {
  let whole: string;

  it('writes path, hash, aesthetic, then relevance and rank per tag; ranks are 1..k', async () => {
    whole = await score(images, join(tmp, 'all.csv'));
    const [header] = parseCsv(whole);
    expect(header).toEqual([
      'path',
      'content_hash',
      'aesthetic',
      ...TAGS.flatMap((t) => [`relevance:${t}`, `rank:${t}`, `score:${t}`]),
      'error',
    ]);
    const t = table(whole);
    expect(t.map((r) => r.path)).toEqual([
      ...['a/clive_1019.jpg', 'a/clive_1084.jpg', 'a/new.jpg', 'clive_1111.jpg', 'clive_1122.jpg', 'clive_1135.jpg'],
      ...['clive_545.jpg', 'copy.jpg', 'empty.jpg', 'notes.jpg'],
    ]);
    for (const tag of TAGS) {
      const ranks = t.map((r) => r[`rank:${tag}`]).filter((r) => r !== '').map(Number).sort((a, b) => a - b);
      expect(ranks.length).toBeGreaterThan(0);
      expect(ranks).toEqual(ranks.map((_, i) => i + 1));
    }
    expect(t.filter((r) => r.error !== '').map((r) => r.path)).toEqual(['empty.jpg', 'notes.jpg']);
  });

  it('ranks as the app does (src/state/tagRanking.ts on the same embeddings)', async () => {
    const stored = await readEmbeddings(prefix);
    const model = await openModelDir(MODEL, 2);
    const encoder = await createTextEncoder(model);
    const tagEmbeddings = await embedTags(encoder, TAGS);
    await encoder.session.release();
    const tiles = stored.rows.map((r) => tileFor(r.path, r.aesthetic, r.width, r.height));
    tiles.sort((a, b) => (a.path < b.path ? -1 : 1));
    const vectorOf = new Map(stored.rows.map((r) => [r.path, stored.vectors.slice(r.row * DIM, (r.row + 1) * DIM)]));
    const states = TAGS.map((text, i) => ({ text, status: 'ready' as const, embedding: tagEmbeddings[i], error: null }));
    const csv = table(whole);
    for (const [i, state] of states.entries()) {
      const app = rankTag(tiles, state, states, (id) => vectorOf.get(id), null, 0.1);
      for (const r of csv.filter((row) => row.error === '')) {
        const k = app.candidates.findIndex((c) => c.id === r.path);
        expect(Number(r[`relevance:${TAGS[i]}`])).toBe(app.relevances[k]);
        const rank = app.ranked.find((x) => x.id === r.path)?.rank;
        expect(r[`rank:${TAGS[i]}`]).toBe(rank === undefined ? '' : String(rank));
      }
    }
  });

  it('ranks as the app does where the threshold cuts: a planted split, thresholds from Otsu and from the other tag', () => {
    // clip-tiny's random weights put every image in one population, so this case is made by hand.
    const next = random(7);
    const n = 40;
    const vectors = new Float32Array(n * DIM);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < DIM; d++) vectors[i * DIM + d] = (next() - 0.5) * 0.01;
      vectors[i * DIM + 2] += 1; // what every photo shares
      // Half show tag 0 clearly (Otsu splits it); tag 1 overlaps across both halves, so only the other tag
      // tells where to cut it.
      const zero = i % 2 === 0;
      if (zero) vectors[i * DIM] += 0.5;
      vectors[i * DIM + 1] += zero ? next() * 0.25 : 0.15 + next() * 0.35;
    }
    const tagVectors = [0, 1].map((axis) => Float32Array.from({ length: DIM }, (_, d) => (d === axis ? 1 : 0)));
    const paths = Array.from({ length: n }, (_, i) => `img${String(i).padStart(2, '0')}.jpg`);
    const scores = paths.map(() => 4 + next() * 2);
    const relevances = tagVectors.map((t) => relevanceScores(vectors, n, t));
    const items = paths.map((path, i) => ({
      path,
      contentHash: 'h',
      aesthetic: scores[i],
      relevance: relevances.map((r) => r[i]),
      tagScore: null,
      error: null,
    }));
    const cli = rankScoreItems(['zero', 'one'], items, { tieMargin: 0.1 }, false);
    expect(cli.ranks.map((r) => r.method)).toEqual(['otsu', 'other-tags']);
    const tiles = paths.map((p, i) => tileFor(p, scores[i]));
    const states = ['zero', 'one'].map((text, t) => ({ text, status: 'ready' as const, embedding: tagVectors[t], error: null }));
    states.forEach((state, t) => {
      const app = rankTag(tiles, state, states, (id) => vectors.slice(paths.indexOf(id) * DIM, (paths.indexOf(id) + 1) * DIM), null, 0.1);
      expect(cli.ranks[t].threshold).toBe(app.threshold);
      expect(cli.table.rows.map((r) => r.rank[t])).toEqual(paths.map((p) => app.ranked.find((x) => x.id === p)?.rank ?? null));
      expect(app.ranked.length).toBeLessThan(n);
    });
  });

  it('shards 0/2 and 1/2 cover every file once, and --merge gives the whole-folder ranks', async () => {
    const shards = [await score(images, join(tmp, 's0.csv'), '--shard', '0/2'), await score(images, join(tmp, 's1.csv'), '--shard', '1/2')];
    const all = table(whole).map((r) => r.path);
    const paths = shards.map((s) => table(s).map((r) => r.path));
    expect(paths[0]).toEqual(all.filter((_, i) => i % 2 === 0));
    expect(paths[1]).toEqual(all.filter((_, i) => i % 2 === 1));
    // Through the npm script's entry point, as a user runs it.
    const merged = join(tmp, 'merged.csv');
    const args = ['cli/score.ts', '--merge', join(tmp, 's1.csv'), join(tmp, 's0.csv'), '--out', merged];
    const run = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), args, { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const byPath = (csv: string) => new Map(table(csv).map((r) => [r.path, TAGS.map((t) => r[`rank:${t}`])]));
    const mergedText = await readFile(merged, 'utf8');
    expect(byPath(mergedText)).toEqual(byPath(whole));
    expect(mergedText).toBe(whole);
  });

  it('scores stored embeddings (an embed --out prefix) exactly as the folder', async () => {
    expect(await score(prefix, join(tmp, 'from-prefix.csv'))).toBe(whole);
  });

  it('ranks each tag by the tag head when the model has one, as the app does', async () => {
    if (!existsSync(join(HEAD_MODEL, 'manifest.json'))) {
      throw new Error('public/models/clip-tiny-head is missing: run `npm run models:test` (it makes it from clip-tiny)');
    }
    const fromFolder = await scoreWith(HEAD_MODEL, images, join(tmp, 'head.csv'));
    // Same vision encoder as clip-tiny, so clip-tiny's stored embeddings serve this manifest too.
    expect(await scoreWith(HEAD_MODEL, prefix, join(tmp, 'head-prefix.csv'))).toBe(fromFolder);
    const t = table(fromFolder).filter((r) => r.error === '');
    const stored = await readEmbeddings(prefix);
    const tiles = stored.rows.map((r) => tileFor(r.path, r.aesthetic)).sort((a, b) => (a.path < b.path ? -1 : 1));
    const vectorOf = new Map(stored.rows.map((r) => [r.path, stored.vectors.slice(r.row * DIM, (r.row + 1) * DIM)]));
    const model = await openModelDir(HEAD_MODEL, 2);
    const encoder = await createTextEncoder(model);
    const tagEmbeddings = await embedTags(encoder, TAGS);
    await encoder.session.release();
    const states = TAGS.map((text, i) => ({ text, status: 'ready' as const, embedding: tagEmbeddings[i], error: null }));
    for (const [i, tag] of TAGS.entries()) {
      for (const r of t) expect(Number(r[`score:${tag}`])).toBeCloseTo(5 + 5 * Number(r[`relevance:${tag}`]), 5);
      const tagScores = Object.fromEntries(t.map((r) => [r.path, Number(r[`score:${tag}`])]));
      const app = rankTag(tiles, states[i], states, (id) => vectorOf.get(id), null, 0.1, tagScores);
      expect(t.map((r) => r[`rank:${tag}`])).toEqual(t.map((r) => String(app.ranked.find((x) => x.id === r.path)?.rank ?? '')));
    }
    const shards = ['0/2', '1/2'].map((s, k) => scoreWith(HEAD_MODEL, images, join(tmp, `head-s${k}.csv`), '--shard', s));
    await Promise.all(shards);
    const err = sink();
    const merged = join(tmp, 'head-merged.csv');
    const result = await runScoreCli(['--merge', join(tmp, 'head-s0.csv'), join(tmp, 'head-s1.csv'), '--out', merged], err);
    expect(result.exitCode, err.text()).toBe(0);
    expect(await readFile(merged, 'utf8')).toBe(fromFolder);
  });
});

describe('npm run embed decodes what the app decodes', () => {
  // The decode corpus (BMP variants, ICO/CUR, CMYK/YCCK, damaged JPEGs and PNGs) with what Chromium 156 was
  // measured to do with each file; e2e/parity.e2e.ts compares the pixels and embeddings with the app's.
  it('scores every file Chromium decodes and refuses every file it refuses', async () => {
    const dir = join(tmp, 'decode-corpus');
    await mkdir(dir, { recursive: true });
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const f of await decodeCorpus()) {
      await writeFile(join(dir, f.name), f.bytes);
      const got = await decodeForClip(join(dir, f.name)).then(
        (d) => (d.pixels.length === PIXELS_PER_IMAGE && d.pixels.every(Number.isFinite) ? 'decodes' : 'bad tensor'),
        (e: Error) => (/^cannot decode this (BMP|PNG) file/.test(e.message) ? 'refuses' : `refuses oddly: ${e.message}`),
      );
      outcomes.push(`${f.name}: ${got}`);
      expected.push(`${f.name}: ${f.chromium}`);
    }
    expect(outcomes).toEqual(expected);
    expect(expected.filter((e) => e.endsWith('decodes')).length).toBeGreaterThanOrEqual(40);
  });
});
