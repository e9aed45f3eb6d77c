/**
 * `npm run bench:fastpath`: what the fast decode path (JPEGs decoded at a k/8 scale, then the exact bicubic;
 * src/library/openImage.ts) costs against the exact path (full-size decode, PIL parity), through the app's
 * own decode worker in Chromium (the lab page, src/lab/benchApi.ts fastPathDecode / fastPathEmbed):
 *
 * - per photo and per people-check setting (off: face size 0; on: 1600), the 3×224×224 model input of both
 *   paths compared in 0–255 pixel units (max and mean absolute difference), and the cosine between their
 *   embeddings on the full-size random CLIP ViT-B/32 (bench/models/clip-b32-random);
 * - the decode worker's decode + preprocess time per image on both paths, in the same run, one at a time.
 *
 * Photos: the real JPEGs of ../shared/images of at least 1 MP (the scored CLIVE set is 500×500, below that:
 * counted, and skipped because the fast path leaves it alone), the first camera-like 24-MP JPEGs of the bench
 * (bench/images.ts), and one of them with each EXIF orientation 1–8 (a rotation bug shows as a large
 * difference). Two sets carry an MPF preview (CIPA DC-007), which the fast path analyses instead of the photo
 * (src/library/jpegPreview.ts): `camera-24mp-mpf`, the first camera-like files of the MPF camera set (1616×1080
 * previews, bench/images.ts), and `real-mpf`, copies of the real photos with a preview at half their width and
 * height appended (their EXIF kept), cached under the bench's temp folder. Writes bench/fastpath-results.json
 * and prints the tables of docs/preprocessing.md.
 * Options: --quick (fewer 24-MP photos, orientations 1, 3, 6 and 8 only), --no-embed (pixels and timings only).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { launchChromium } from '../e2e/browser';
import type { BenchApi, EngineInitResult, FastPathImage } from '../src/lab/benchApi';
import { labInit, openLab, PageErrors } from './browser';
import type { PixelOrigin } from '../src/library/decodeApi';
import { MPF_LARGE_THUMBNAIL_FULL_HD } from '../src/library/metadata/mpf';
import { withMpfPreviews } from '../test/helpers/mpfJpeg';
import { checkMpfPreview, ensureCameraImages, IMAGES_ROOT, writeCameraExif } from './images';
import { distStaleReason, ROOT, serve, SHARED_IMAGES_ROOT, viteBuild } from './server';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const EMBED = !args.has('--no-embed');
const MODEL = 'clip-b32-random';
const MIN_PIXELS = 1_000_000;
const MAX_REAL = 40;
const CAMERA_COUNT = QUICK ? 4 : 8;
const ORIENTATIONS = QUICK ? [1, 3, 6, 8] : [1, 2, 3, 4, 5, 6, 7, 8];
/** The people checks' working long side (src/scoring/faces/measure.ts FACE_WORKING_LONG_SIDE). */
const FACE_SIDES = [0, 1600];
const THUMB_SIZE = 320;
/** The MPF preview of the camera-like MPF set: the size a Sony-style camera JPEG carries (bench/images.ts). */
const CAMERA_MPF_PREVIEW = { width: 1616, height: 1080 };
const SETS = ['real', 'real-mpf', 'camera-24mp', 'camera-24mp-mpf', 'orientation'] as const;

type LabWindow = { loupeLab: BenchApi };

const started = Date.now();
function log(line: string): void {
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
}

interface Photo {
  set: (typeof SETS)[number];
  label: string;
  url: string;
  /** Stored size (before EXIF orientation) and orientation, from the header. */
  width: number;
  height: number;
  orientation: number;
  bytes: number;
}

export interface FastPathPhotoResult extends Photo {
  decodes: FastPathImage['decodes'];
  diffs: (FastPathImage['diffs'][number] & { cosine: number | null })[];
  /** The lab's experiment (src/lab/benchApi.ts boxedFast): the k/8 decode resampled over exactly size·k/8. */
  boxed: (FastPathImage['boxed'][number] & { cosine: number | null })[];
  exactStable: boolean;
  /** Problems found: a displayed size that differs between the paths, an unstable exact tensor. */
  problems: string[];
}

interface Summary {
  set: string;
  faceLongSide: number;
  photos: number;
  /** Photos the fast path decoded at a reduced size or from an MPF preview (the others took the full-size decode: identical). */
  reduced: number;
  scales: Record<string, number>;
  maxAbs: number;
  meanAbs: number;
  /** Of the photos with a reduced decode or an MPF preview only. */
  meanAbsReduced: number | null;
  minCosine: number | null;
  meanCosine: number | null;
  exact: { decodeMs: number; preprocessMs: number; wallMs: number };
  fast: { decodeMs: number; preprocessMs: number; wallMs: number };
}

export interface FastPathResults {
  date: string;
  quick: boolean;
  machine: { cpuModel: string; cpuCount: number; load1: { start: number; end: number } };
  chromium: string;
  model: { id: string; note: string; init: EngineInitResult | null };
  skipped: { file: string; reason: string }[];
  photos: FastPathPhotoResult[];
  summaries: Summary[];
  pageErrors: string[];
  totalSeconds: number;
}

async function sharedPhotos(skipped: { file: string; reason: string }[]): Promise<Photo[]> {
  const out: Photo[] = [];
  for (const dir of readdirSync(SHARED_IMAGES_ROOT).sort()) {
    const full = join(SHARED_IMAGES_ROOT, dir);
    if (!existsSync(full) || dir === 'camera' || dir === 'ai-generated') continue;
    for (const name of readdirSync(full).sort()) {
      if (!/\.jpe?g$/i.test(name)) continue;
      const path = join(full, name);
      const m = await sharp(path).metadata();
      const px = (m.width ?? 0) * (m.height ?? 0);
      const rel = relative(SHARED_IMAGES_ROOT, path);
      if (px < MIN_PIXELS) {
        skipped.push({ file: rel, reason: `${m.width}×${m.height}, under 1 MP` });
        continue;
      }
      out.push({ set: 'real', label: rel, url: `/bench-shared/${rel.split('/').map(encodeURIComponent).join('/')}`, width: m.width!, height: m.height!, orientation: m.orientation ?? 1, bytes: m.size ?? 0 });
    }
  }
  return out.slice(0, MAX_REAL);
}

async function cameraPhotos(): Promise<Photo[]> {
  const set = await ensureCameraImages(CAMERA_COUNT, 6000, 4000, log);
  const photos: Photo[] = [];
  for (const f of set.files) {
    const m = await sharp(f).metadata();
    const name = f.split('/').pop()!;
    photos.push({ set: 'camera-24mp', label: name, url: `/bench-images/${set.id}/${name}`, width: m.width!, height: m.height!, orientation: m.orientation ?? 1, bytes: m.size ?? 0 });
  }
  const mpf = await ensureCameraImages(CAMERA_COUNT, 6000, 4000, log, 4, { mpfPreview: CAMERA_MPF_PREVIEW });
  for (const f of mpf.files) {
    const m = await sharp(f).metadata();
    const name = f.split('/').pop()!;
    photos.push({ set: 'camera-24mp-mpf', label: `${name} (MPF ${CAMERA_MPF_PREVIEW.width}×${CAMERA_MPF_PREVIEW.height})`, url: `/bench-images/${mpf.id}/${name}`, width: m.width!, height: m.height!, orientation: m.orientation ?? 1, bytes: m.size ?? 0 });
  }
  // One camera file with each orientation: copies whose EXIF says otherwise (the pixels are the same).
  const id = 'camera-orientations-v1';
  const dir = join(IMAGES_ROOT, id);
  mkdirSync(dir, { recursive: true });
  for (const o of ORIENTATIONS) {
    const name = `orientation-${o}.jpg`;
    const path = join(dir, name);
    if (!existsSync(path)) {
      copyFileSync(set.files[0], `${path}.part.jpg`);
      writeCameraExif(`${path}.part.jpg`, null, o);
      copyFileSync(`${path}.part.jpg`, path);
    }
    const m = await sharp(path).metadata();
    photos.push({ set: 'orientation', label: `${set.files[0].split('/').pop()} as orientation ${o}`, url: `/bench-images/${id}/${name}`, width: m.width!, height: m.height!, orientation: m.orientation ?? 1, bytes: m.size ?? 0 });
  }
  return photos;
}

/**
 * Each real photo with an MPF preview at half its width and height (sharp's default lanczos resize of its
 * stored pixels, quality 85, stored unrotated like the photo), appended to the original's bytes, so its EXIF
 * (orientation included) is kept. Cached under IMAGES_ROOT like the orientation copies.
 */
async function realMpfPhotos(real: Photo[]): Promise<Photo[]> {
  const id = 'real-mpf-half-q85-v1';
  const dir = join(IMAGES_ROOT, id);
  mkdirSync(dir, { recursive: true });
  const out: Photo[] = [];
  let checked = false;
  for (const p of real) {
    const name = p.label.replaceAll('/', '__');
    const path = join(dir, name);
    const w = Math.round(p.width / 2);
    const h = Math.round(p.height / 2);
    if (!existsSync(path)) {
      const source = join(SHARED_IMAGES_ROOT, p.label);
      const preview = await sharp(source).resize(w, h, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer();
      writeFileSync(`${path}.part`, withMpfPreviews(readFileSync(source), [{ jpeg: preview, type: MPF_LARGE_THUMBNAIL_FULL_HD }]));
      if (!checked) {
        checkMpfPreview(`${path}.part`, preview);
        checked = true;
      }
      renameSync(`${path}.part`, path);
    }
    const m = await sharp(path).metadata();
    out.push({ set: 'real-mpf', label: `${p.label} (MPF ${w}×${h})`, url: `/bench-images/${id}/${encodeURIComponent(name)}`, width: m.width!, height: m.height!, orientation: m.orientation ?? 1, bytes: m.size ?? 0 });
  }
  return out;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);

/** What the fast path decoded: the k/8 size, the MPF preview's size, or the origin's kind. */
function originLabel(o: PixelOrigin): string {
  if (o.kind === 'reduced') return `${o.width}×${o.height}`;
  if (o.kind === 'jpeg-preview') return `preview ${o.width}×${o.height}`;
  return o.kind;
}

function summarize(set: string, results: FastPathPhotoResult[], faceLongSide: number): Summary {
  const diffs = results.map((r) => r.diffs.find((d) => d.faceLongSide === faceLongSide)!);
  const fastDecodes = results.map((r) => r.decodes.find((d) => !d.exact && d.faceLongSide === faceLongSide)!);
  const exactDecodes = results.map((r) => r.decodes.find((d) => d.exact && d.faceLongSide === faceLongSide)!);
  const scales: Record<string, number> = {};
  for (const d of fastDecodes) {
    const key = originLabel(d.origin);
    scales[key] = (scales[key] ?? 0) + 1;
  }
  const reduced = diffs.filter((_, i) => fastDecodes[i].origin.kind === 'reduced' || fastDecodes[i].origin.kind === 'jpeg-preview');
  const cos = diffs.map((d) => d.cosine).filter((c): c is number => c !== null);
  const times = (ds: typeof fastDecodes) => ({ decodeMs: mean(ds.map((d) => d.decodeMs)), preprocessMs: mean(ds.map((d) => d.preprocessMs)), wallMs: mean(ds.map((d) => d.wallMs)) });
  return {
    set,
    faceLongSide,
    photos: results.length,
    reduced: reduced.length,
    scales,
    maxAbs: Math.max(...diffs.map((d) => d.maxAbs)),
    meanAbs: mean(diffs.map((d) => d.meanAbs)),
    meanAbsReduced: reduced.length ? mean(reduced.map((d) => d.meanAbs)) : null,
    minCosine: cos.length ? Math.min(...cos) : null,
    meanCosine: cos.length ? mean(cos) : null,
    exact: times(exactDecodes),
    fast: times(fastDecodes),
  };
}

const md = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

export function formatFastPath(r: FastPathResults): string {
  const people = (f: number) => (f === 0 ? 'off' : `on (${f} px)`);
  const cosText = (x: number | null) => (x === null ? '—' : x.toFixed(6));
  const setName: Record<string, string> = {
    real: 'real photos ≥ 1 MP',
    'real-mpf': 'real photos ≥ 1 MP + MPF preview at ½ size (generated)',
    'camera-24mp': 'camera-like 24 MP (synthetic)',
    'camera-24mp-mpf': 'camera-like 24 MP + MPF preview 1616×1080 (synthetic)',
    orientation: '24 MP, EXIF orientations',
  };
  const cost = md(
    ['photos', 'people checks', 'n', 'fast decode size (count)', 'max |Δ|', 'mean |Δ|', 'mean |Δ| (reduced or preview only)', 'min cosine', 'mean cosine'],
    r.summaries.map((s) => [
      setName[s.set] ?? s.set,
      people(s.faceLongSide),
      String(s.photos),
      Object.entries(s.scales).map(([k, v]) => `${k === 'file' ? 'full size' : k} (${v})`).join(', '),
      String(s.maxAbs),
      s.meanAbs.toFixed(3),
      s.meanAbsReduced === null ? '—' : s.meanAbsReduced.toFixed(3),
      cosText(s.minCosine),
      cosText(s.meanCosine),
    ]),
  );
  const ms = (x: number) => `${x.toFixed(0)}`;
  const timing = md(
    ['photos', 'people checks', 'exact: decode + preprocess (ms)', 'fast: decode + preprocess (ms)', 'speed-up', 'exact wall (ms)', 'fast wall (ms)'],
    r.summaries.map((s) => [
      setName[s.set] ?? s.set,
      people(s.faceLongSide),
      `${ms(s.exact.decodeMs)} + ${ms(s.exact.preprocessMs)} = ${ms(s.exact.decodeMs + s.exact.preprocessMs)}`,
      `${ms(s.fast.decodeMs)} + ${ms(s.fast.preprocessMs)} = ${ms(s.fast.decodeMs + s.fast.preprocessMs)}`,
      `${((s.exact.decodeMs + s.exact.preprocessMs) / (s.fast.decodeMs + s.fast.preprocessMs)).toFixed(1)}×`,
      ms(s.exact.wallMs),
      ms(s.fast.wallMs),
    ]),
  );
  const perPhoto = md(
    ['photo', 'stored size', 'fast decode, people off / on', 'people off: max / mean |Δ|, cosine', 'people on: max / mean |Δ|, cosine', 'exact → fast, decode + preprocess ms (off / on)'],
    r.photos
      .filter((p) => p.set !== 'orientation')
      .map((p) => {
        const d = (f: number) => p.diffs.find((x) => x.faceLongSide === f)!;
        const dec = (exact: boolean, f: number) => p.decodes.find((x) => x.exact === exact && x.faceLongSide === f)!;
        const size = (f: number) => {
          const o = dec(false, f).origin;
          return o.kind === 'file' ? 'full' : originLabel(o);
        };
        const cell = (f: number) => `${d(f).maxAbs} / ${d(f).meanAbs.toFixed(2)}, ${cosText(d(f).cosine)}`;
        const t = (exact: boolean, f: number) => (dec(exact, f).decodeMs + dec(exact, f).preprocessMs).toFixed(0);
        return [p.label, `${p.width}×${p.height}${p.orientation !== 1 ? ` (orientation ${p.orientation})` : ''}`, `${size(0)} / ${size(1600)}`, cell(0), cell(1600), `${t(true, 0)} → ${t(false, 0)} / ${t(true, 1600)} → ${t(false, 1600)}`];
      }),
  );
  const boxedRows = r.photos.flatMap((p) =>
    p.boxed.map((t) => {
      const d = p.diffs.find((x) => x.faceLongSide === t.faceLongSide)!;
      const o = p.decodes.find((x) => !x.exact && x.faceLongSide === t.faceLongSide)!.origin;
      return [p.label, people(t.faceLongSide), `${originLabel(o)} (exactly ${t.boxWidth}×${t.boxHeight})`, `${d.maxAbs} / ${d.meanAbs.toFixed(2)}, ${cosText(d.cosine)}`, `${t.maxAbs} / ${t.meanAbs.toFixed(2)}, ${cosText(t.cosine)}`];
    }),
  );
  const boxed = boxedRows.length
    ? `\n\nExperiment (lab page, not the app's code): the same k/8 decode resampled to the full-size photo's output size over exactly size·k/8 of it (Pillow's box)\n\n${md(['photo', 'people checks', 'k/8 decode', 'fast path now: max / mean |Δ|, cosine', 'boxed: max / mean |Δ|, cosine'], boxedRows)}`
    : '';
  const problems = r.photos.flatMap((p) => p.problems.map((x) => `${p.label}: ${x}`));
  const head = `${r.date.slice(0, 10)} · ${r.machine.cpuModel} × ${r.machine.cpuCount} (shared: load ${r.machine.load1.start.toFixed(1)} at start, ${r.machine.load1.end.toFixed(1)} at end) · Chromium ${r.chromium} · cosine on ${r.model.id} (${r.model.note})`;
  return `${head}\n\n${cost}\n\n${timing}\n\n${perPhoto}${boxed}${problems.length ? `\n\nproblems:\n- ${problems.join('\n- ')}` : ''}`;
}

async function main(): Promise<void> {
  const modelDir = join(ROOT, 'bench/models', MODEL, 'onnx/vision_model.onnx');
  if (EMBED && !existsSync(modelDir)) throw new Error(`${modelDir} is missing: bash scripts/models-test.sh --only ${MODEL} (or pass --no-embed)`);
  const skipped: { file: string; reason: string }[] = [];
  const load0 = loadavg()[0];
  log('photos…');
  const real = await sharedPhotos(skipped);
  const photos = [...real, ...(await realMpfPhotos(real)), ...(await cameraPhotos())];
  log(
    `${real.length} real photos ≥ 1 MP (${skipped.length} skipped as smaller) and as many copies with an MPF preview, ${photos.filter((p) => p.set !== 'real' && p.set !== 'real-mpf').length} camera-like 24-MP files`,
  );
  const stale = distStaleReason();
  if (stale) {
    log(`building the app (${stale})…`);
    viteBuild();
  }
  const { server, baseUrl } = await serve();
  const browser = await launchChromium();
  const chromium = browser.version();
  const errors = new PageErrors();
  const results: FastPathPhotoResult[] = [];
  let init: EngineInitResult | null = null;
  try {
    const context = await browser.newContext();
    const page = await openLab(context, baseUrl, errors, 'lab fast path');
    // Decode everything first (nothing else running), then embed.
    for (const set of SETS) {
      const chosen = photos.filter((p) => p.set === set);
      if (!chosen.length) continue;
      log(`${set}: decoding ${chosen.length} photos, exact and fast, people checks off and on…`);
      const decoded = await page.evaluate(
        (o) => (window as unknown as LabWindow).loupeLab.fastPathDecode(o),
        { urls: chosen.map((p) => p.url), faceLongSides: FACE_SIDES, thumbSize: THUMB_SIZE },
      );
      for (const [i, d] of decoded.entries()) {
        const p = chosen[i];
        const problems: string[] = [];
        const sizes = new Set(d.decodes.map((x) => `${x.width}×${x.height}`));
        if (sizes.size > 1) problems.push(`displayed size differs between decodes: ${[...sizes].join(', ')}`);
        if (!d.exactStable) problems.push('the exact tensor changed with the face size');
        const swapped = p.orientation >= 5;
        const expected = swapped ? `${p.height}×${p.width}` : `${p.width}×${p.height}`;
        if (!sizes.has(expected)) problems.push(`displayed size ${[...sizes].join(', ')}, expected ${expected} (stored ${p.width}×${p.height}, orientation ${p.orientation})`);
        for (const diff of d.diffs) if (diff.maxAbs > 64) problems.push(`people ${diff.faceLongSide ? 'on' : 'off'}: large difference, max ${diff.maxAbs}, mean ${diff.meanAbs.toFixed(2)} (what a shifted crop or a wrong orientation looks like)`);
        results.push({ ...p, decodes: d.decodes, diffs: d.diffs.map((x) => ({ ...x, cosine: null })), boxed: d.boxed.map((x) => ({ ...x, cosine: null })), exactStable: d.exactStable, problems });
        const fast = d.decodes.filter((x) => !x.exact).map((x) => originLabel(x.origin)).join(' / ');
        log(
          `  ${p.label}: fast decoded at ${fast}; |Δ| max/mean ${d.diffs.map((x) => `${x.maxAbs}/${x.meanAbs.toFixed(2)}`).join(', ')}${d.boxed.length ? ` (boxed: ${d.boxed.map((x) => `${x.maxAbs}/${x.meanAbs.toFixed(2)}`).join(', ')})` : ''}; ms exact ${d.decodes.filter((x) => x.exact).map((x) => (x.decodeMs + x.preprocessMs).toFixed(0)).join('/')} fast ${d.decodes.filter((x) => !x.exact).map((x) => (x.decodeMs + x.preprocessMs).toFixed(0)).join('/')}${problems.length ? `; PROBLEMS: ${problems.join('; ')}` : ''}`,
        );
      }
      if (EMBED) {
        init ??= await labInit(page, { modelId: MODEL, preference: 'wasm', wasmThreads: null, batchSize: 1 });
        log(`${set}: embedding on ${MODEL} (${init.engine.reason})…`);
        const cos = await page.evaluate(
          (o) => (window as unknown as LabWindow).loupeLab.fastPathEmbed(o),
          { urls: chosen.map((p) => p.url), faceLongSides: FACE_SIDES },
        );
        for (const c of cos) {
          const r = results.find((x) => x.url === c.url)!;
          r.diffs.find((x) => x.faceLongSide === c.faceLongSide)!.cosine = c.cosine;
          const t = r.boxed.find((x) => x.faceLongSide === c.faceLongSide);
          if (t) t.cosine = c.boxedCosine;
        }
        log(`  min cosine ${Math.min(...cos.map((c) => c.cosine)).toFixed(6)}`);
      }
    }
    await page.evaluate(() => {
      const l = (window as unknown as LabWindow).loupeLab;
      l.fastPathClear();
      l.engineClose();
    });
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
  const summaries: Summary[] = [];
  for (const set of SETS) {
    const rs = results.filter((r) => r.set === set);
    if (rs.length) for (const f of FACE_SIDES) summaries.push(summarize(set, rs, f));
  }
  const cpu = cpus();
  const out: FastPathResults = {
    date: new Date().toISOString(),
    quick: QUICK,
    machine: { cpuModel: cpu[0]?.model ?? 'unknown', cpuCount: cpu.length, load1: { start: load0, end: loadavg()[0] } },
    chromium,
    model: { id: MODEL, note: EMBED ? 'random weights, full CLIP ViT-B/32 vision architecture, fp32, WASM, batch 1' : 'not embedded (--no-embed)', init },
    skipped,
    photos: results,
    summaries,
    pageErrors: errors.messages,
    totalSeconds: (Date.now() - started) / 1000,
  };
  const file = join(ROOT, 'bench/fastpath-results.json');
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log();
  console.log(formatFastPath(out));
  console.log();
  if (errors.messages.length) console.log(`page errors:\n  ${errors.messages.join('\n  ')}`);
  log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
