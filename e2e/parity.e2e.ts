import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEmbedCli } from '../cli/embed';
import { decodeForClip as cliDecodeForClip } from '../cli/lib/decodeImage';
import { parseNpy } from '../src/codecs/npyRead';
import { embedImageBatch, embedTextBatch, PIXELS_PER_IMAGE, type TensorCtor } from '../src/engine/encoders';
import { CLIP_STD, preprocessForClip } from '../src/engine/preprocess';
import { createClipTokenizer } from '../src/engine/tokenizer';
import { createLinearAestheticHead } from '../src/scoring/aestheticHead';
import { parsePthLinear } from '../src/scoring/pthLinear';
import { cosine as cosineOf } from '../src/scoring/similarity';
import { SHARED, sharedLabPage } from './browser';
import { parityFolder, type ParityFile } from './parityFiles';

const MODEL = new URL('../public/models/clip-tiny/', import.meta.url).pathname;
const PHOTOS = ['clive_673.jpg', 'clive_772.jpg', 'clive_1135.jpg'].map((f) => join(SHARED, 'images/real', f));
const TEXTS = ['a photo of a cat', 'A PORTRAIT, in the rain!', 'sunset 🌅 over the sea'];
const Tensor = ortNode.Tensor as unknown as TensorCtor;

interface Embeddings {
  text: number[];
  image: number[];
  scores: number[];
}

/** The same path in Node: sharp decode (equal to Chromium's and PIL's, docs/preprocessing.md), same modules. */
async function nodeEmbeddings(): Promise<Embeddings> {
  const vision = await ortNode.InferenceSession.create(join(MODEL, 'onnx/vision_model.onnx'));
  const textModel = await ortNode.InferenceSession.create(join(MODEL, 'onnx/text_model.onnx'));
  const tokenizer = createClipTokenizer(JSON.parse(readFileSync(join(MODEL, 'tokenizer.json'), 'utf8')));
  const head = createLinearAestheticHead(parsePthLinear(readFileSync(join(MODEL, 'sa_0_4_vit_b_32_linear.pth'))));
  const pixels = new Float32Array(PHOTOS.length * PIXELS_PER_IMAGE);
  for (const [i, path] of PHOTOS.entries()) {
    const { data, info } = await sharp(path).rotate().raw().toBuffer({ resolveWithObject: true });
    preprocessForClip({ data, width: info.width, height: info.height, channels: info.channels as 3 | 4 }, pixels, i * PIXELS_PER_IMAGE);
  }
  const image = await embedImageBatch(vision, Tensor, pixels, PHOTOS.length);
  const batch = tokenizer.encodeBatch(TEXTS);
  const text = await embedTextBatch(textModel, Tensor, batch.ids, batch.attentionMask, batch.batch, batch.length);
  return { text: Array.from(text), image: Array.from(image), scores: Array.from(head.scoreBatch(image, PHOTOS.length)) };
}

const maxAbsDiff = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
};

let reference: Embeddings;
beforeAll(async () => {
  reference = await nodeEmbeddings();
});
const lab = sharedLabPage();

async function browserEmbeddings(preference: 'wasm' | 'webgpu') {
  const images = PHOTOS.map((p) => ({ bytes: Array.from(readFileSync(p)), name: p }));
  return lab.page.evaluate(
    async ({ images, texts, preference }) => {
      type Lab = { embedWithEngine(o: unknown): Promise<Embeddings & { backend: string }> };
      const lab = (window as unknown as { loupeLab: Lab }).loupeLab;
      return lab.embedWithEngine({
        modelId: 'clip-tiny',
        preference,
        texts,
        images: images.map((i) => ({ bytes: new Uint8Array(i.bytes), name: i.name })),
      });
    },
    { images, texts: TEXTS, preference },
  );
}

describe('browser and Node give the same embeddings (clip-tiny)', () => {
  it.each(['wasm', 'webgpu'] as const)('%s matches onnxruntime-node within 1e-4', async (preference) => {
    const got = await browserEmbeddings(preference);
    expect(got.backend).toBe(preference);
    const tol = 1e-4;
    expect(maxAbsDiff(got.text, reference.text)).toBeLessThan(tol);
    expect(maxAbsDiff(got.image, reference.image)).toBeLessThan(tol);
    expect(maxAbsDiff(got.scores, reference.scores)).toBeLessThan(tol);
    // Different inputs must give different embeddings, or the comparison above proves little.
    expect(maxAbsDiff(got.text.slice(0, 512), got.text.slice(512, 1024))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(got.image.slice(0, 512), got.image.slice(512, 1024))).toBeGreaterThan(1e-3);
  });
});

/**
 * The CLI decodes every test file as the app does (README: "the same decoding rules"). For each shared test image,
 * hostile-corpus file and decode-corpus file (BMP variants, ICO/CUR, CMYK/YCCK, damaged JPEG and PNG;
 * e2e/parityFiles.ts): the app (the decode worker on the exact path, then the engine on WASM) and `npm run embed`
 * must agree on whether it is scored, refuse it for the same reason, and give embeddings at cosine ≥ 0.999. The
 * CLIP inputs are compared too, in 8-bit levels, to say where a difference comes from.
 *
 * Nothing is excluded. Measured (Chromium 156, sharp 0.35.5): every decoded file gives identical inputs (cosine
 * 1.000000), the HEICs (libheif in both) and the DNG's embedded preview included, except the two AVIFs, up to
 * 2 levels apart (Chromium's AV1 decoder against libvips'; cosine 0.999994 and 0.999999). The stripped RAWs in
 * the shared folder carry no usable preview and are refused by both, for the same reason.
 */
describe('the CLI decodes every test file as the app does (clip-tiny)', () => {
  let dir: string;
  let files: ParityFile[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-parity-'));
    files = await parityFolder(join(dir, 'images'), join(SHARED, 'images'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('same outcome for each file, the same reason when refused, cosine ≥ 0.999 when scored', { timeout: 900_000 }, async () => {
    // The app: its decode worker on each file, then its engine on everything it decoded.
    type AppDecode = { ok: boolean; pixels?: Float32Array; reason?: string };
    const app = new Map<string, AppDecode>();
    for (const f of files) {
      const r = await lab.page.evaluate(
        async ({ b64, name }) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          type Lab = { decodeForClip(b: Uint8Array, n: string, exact: boolean): Promise<{ ok: boolean; pixels?: number[]; reason?: string }> };
          const r = await (window as unknown as { loupeLab: Lab }).loupeLab.decodeForClip(bytes, name, true);
          if (!r.pixels) return { ok: r.ok, reason: r.reason, tensor: null };
          // As base64 of the float32 bytes: a plain array of 150,528 numbers takes seconds to pass back.
          const raw = new Uint8Array(Float32Array.from(r.pixels).buffer);
          let bin = '';
          for (let i = 0; i < raw.length; i += 0x8000) bin += String.fromCharCode(...raw.subarray(i, i + 0x8000));
          return { ok: r.ok, reason: r.reason, tensor: btoa(bin) };
        },
        { b64: readFileSync(f.abs).toString('base64'), name: f.path.split('/').pop()! },
      );
      const buffer = r.tensor === null ? null : Buffer.from(r.tensor, 'base64');
      app.set(f.path, { ok: r.ok, reason: r.reason, pixels: buffer ? new Float32Array(Uint8Array.from(buffer).buffer) : undefined });
    }
    const scored = files.filter((f) => app.get(f.path)!.ok);
    const appEmbeddings = await lab.page.evaluate(
      async (images) => {
        type Lab = { embedWithEngine(o: unknown): Promise<{ backend: string; image: number[] }> };
        const lab = (window as unknown as { loupeLab: Lab }).loupeLab;
        return lab.embedWithEngine({
          modelId: 'clip-tiny',
          preference: 'wasm',
          texts: [],
          images: images.map((i) => ({ bytes: Uint8Array.from(atob(i.b64), (c) => c.charCodeAt(0)), name: i.name })),
        });
      },
      scored.map((f) => ({ b64: readFileSync(f.abs).toString('base64'), name: f.path.split('/').pop()! })),
    );
    expect(appEmbeddings.backend).toBe('wasm');

    // The CLI: `npm run embed` on the folder.
    let stderr = '';
    const prefix = join(dir, 'out', 'emb');
    const run = await runEmbedCli([join(dir, 'images'), '--model', MODEL, '--out', prefix, '--batch', '8', '--threads', '2'], { write: (s: string) => ((stderr += s), true) });
    expect(run.exitCode, stderr).toBe(0);
    const rows = new Map(
      (await readFile(`${prefix}.jsonl`, 'utf8')).trimEnd().split('\n').map((l) => {
        const r = JSON.parse(l) as { path: string; row: number };
        return [r.path, r.row] as const;
      }),
    );
    const errorText = (await readFile(`${prefix}.errors.jsonl`, 'utf8')).trim();
    const errors = new Map(
      (errorText ? errorText.split('\n') : []).map((l) => {
        const e = JSON.parse(l) as { path: string; reason: string };
        return [e.path, e.reason] as const;
      }),
    );
    const npy = parseNpy(await readFile(`${prefix}.npy`));

    const problems: string[] = [];
    const table: string[] = [];
    const reasonHead = (reason: string) => reason.split(' (')[0];
    for (const f of files) {
      const a = app.get(f.path)!;
      if (f.chromium && (f.chromium === 'decodes') !== a.ok) problems.push(`${f.path}: Chromium was measured to ${f.chromium === 'decodes' ? 'decode' : 'refuse'} it; now ${a.ok ? 'decodes' : `refuses: ${a.reason}`}`);
      const row = rows.get(f.path);
      const cliReason = errors.get(f.path);
      if (!a.ok) {
        if (row !== undefined) problems.push(`${f.path}: the app refuses it (${a.reason}), the CLI embeds it`);
        else if (reasonHead(cliReason ?? '') !== reasonHead(a.reason ?? '')) problems.push(`${f.path}: refused for different reasons: app "${a.reason}", CLI "${cliReason}"`);
        table.push(`${f.path.padEnd(58)} refused by both: ${reasonHead(a.reason ?? '')}`);
        continue;
      }
      if (row === undefined) {
        problems.push(`${f.path}: the app scores it, the CLI refuses it (${cliReason})`);
        continue;
      }
      const i = scored.indexOf(f);
      const cosine = cosineOf(appEmbeddings.image.slice(i * 512, (i + 1) * 512), Array.from(npy.data.subarray(row * 512, (row + 1) * 512)));
      const levels = maxLevels(a.pixels!, (await cliDecodeForClip(f.abs)).pixels);
      table.push(`${f.path.padEnd(58)} cosine ${cosine.toFixed(6)}  inputs ≤ ${levels.toFixed(2)} levels apart`);
      if (!(cosine >= 0.999)) problems.push(`${f.path}: cosine ${cosine.toFixed(6)} between the app's and the CLI's embeddings`);
      if (!(levels <= 2.01)) problems.push(`${f.path}: CLIP inputs up to ${levels.toFixed(2)} levels apart`);
    }
    console.log(table.join('\n'));
    expect(problems).toEqual([]);
    // Enough of each kind decoded, or the comparison proves little.
    const decoded = (re: RegExp) => scored.filter((f) => re.test(f.path)).length;
    expect(decoded(/\.bmp$/)).toBeGreaterThanOrEqual(20);
    expect(decoded(/\.(ico|cur)$/)).toBeGreaterThanOrEqual(6);
    expect(decoded(/(cmyk|ycck).*\.jpg$/)).toBeGreaterThanOrEqual(6);
    expect(decoded(/damaged-.*\.jpg$/)).toBeGreaterThanOrEqual(5);
    expect(decoded(/^shared\//)).toBeGreaterThanOrEqual(50);
    expect(decoded(/\.heic$/)).toBeGreaterThanOrEqual(4);
  });
});


/** The largest difference between two CLIP input tensors, in 8-bit levels of the decoded image. */
function maxLevels(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  const plane = a.length / 3;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]) * CLIP_STD[Math.floor(i / plane)] * 255);
  return max;
}
