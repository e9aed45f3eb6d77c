/**
 * Faces, eyes and focus with the real on-device models (issue 8): the app's face worker (Human's BlazeFace,
 * FaceMesh and iris models, TF.js WASM) runs in Chromium on the labelled photos of ../shared/images/faces,
 * under the app's CSP, from files the build serves itself. Prints the confusion table, face counts and
 * timings (docs/faces.md quotes them) and holds the issue's bar:
 * - every closed-eye face caught (the wink as "one closed"), at most 1 false alarm on open eyes;
 * - no face in the three no-face photos; face counts equal to the labels (the 1927 group: a tolerance);
 * - nothing fetched from anywhere but the app's origin, no CSP violation.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FacesEdit, FacesLabResult } from '../src/lab/facesLab';
import type { EyeVerdict } from '../src/scoring/faces/faceJudgement';
import { freshPage, sharedBrowser } from './browser';
import { labelledFaceRows, readLabels, type Label } from './faceLabels';
import { eyeAccuracy } from '../src/scoring/faces/eyeAccuracy';
import { FLAG_FIGURES } from '../src/library/quality/flagAccuracyFigures';
import type { Page } from 'playwright-core';

const ROUTE = '/__faces__/';
/**
 * The 1927 group photo: 29 faces of ≈ 100 px, counted only. BlazeFace sees the whole photo at 256 × 256
 * (faces ≈ 12 px wide there): it misses three people outright and scores a fourth 0.40, under the cut. The
 * count may fall short by this many, and never exceed the label (that would be a false or doubled face).
 */
const GROUP_PHOTO = 'human-solvay1927.jpg';
const GROUP_MISSES_ALLOWED = 5;

const labels = readLabels();
const chrome = sharedBrowser();
let page: Page;
const requests: string[] = [];
const violations: string[] = [];
const pageErrors: string[] = [];
let results: FacesLabResult[] = [];
let engine: { backend: string; reason: string; human: string; tfjs: string; loadMs: number };
let startMs = 0;

const urlOf = (l: Label) => `${ROUTE}${encodeURIComponent(basename(l.file))}`;
const fmt = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

beforeAll(async () => {
  page = await freshPage(chrome.browser);
  const context = page.context();
  const byName = new Map(labels.map((l) => [encodeURIComponent(basename(l.file)), l.path]));
  await page.route(`**${ROUTE}*`, (route) => {
    const name = new URL(route.request().url()).pathname.slice(ROUTE.length);
    const path = byName.get(name);
    if (!path) return route.fulfill({ status: 404 });
    return route.fulfill({ status: 200, contentType: 'image/jpeg', body: readFileSync(path) });
  });
  context.on('request', (r) => void requests.push(r.url()));
  context.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => void pageErrors.push(e.message));
  await page.goto(new URL('lab.html', inject('baseUrl')).href);
  await page.waitForSelector('body[data-ready="true"]');
  const started = await page.evaluate(async () => {
    type Lab = { facesStart(p: string): Promise<{ engine: typeof engine; startMs: number }> };
    return (window as unknown as { loupeLab: Lab }).loupeLab.facesStart('auto');
  });
  engine = started.engine;
  startMs = started.startMs;
  results = await page.evaluate(async (urls) => {
    type Lab = { facesDetect(o: unknown): Promise<FacesLabResult[]> };
    return (window as unknown as { loupeLab: Lab }).loupeLab.facesDetect({ urls, preference: 'auto' });
  }, labels.map(urlOf));
}, 240_000);

afterAll(async () => {
  await page?.close();
});

function editCheck(l: Label, edit: FacesEdit): Promise<{ before: FacesLabResult; after: FacesLabResult }> {
  return page.evaluate(
    async ({ url, edit }) => {
      type Lab = { facesEditCheck(u: string, e: unknown, p: string): Promise<{ before: FacesLabResult; after: FacesLabResult }> };
      return (window as unknown as { loupeLab: Lab }).loupeLab.facesEditCheck(url, edit, 'auto');
    },
    { url: urlOf(l), edit },
  );
}

type Predicted = EyeVerdict | 'missed';
const PREDICTED: Predicted[] = ['open', 'one-closed', 'both-closed', 'not-judged', 'missed'];

function resultOf(l: Label): FacesLabResult {
  const r = results.find((x) => x.url === urlOf(l));
  if (!r) throw new Error(`no result for ${l.file}`);
  return r;
}

/** Per labelled face: its label (open / closed / wink) and what was predicted, faces matched by rank. */
function faceRows(): { file: string; label: 'open' | 'closed' | 'wink'; predicted: Predicted; ear: string; size: number | null }[] {
  return labelledFaceRows(labels, resultOf).map((r) => ({
    file: r.file,
    label: r.label,
    predicted: r.predicted as Predicted,
    ear: r.face?.openness ? `openness R ${fmt(r.face.openness.right)} L ${fmt(r.face.openness.left)}` : '—',
    size: r.face ? Math.round(r.face.sizePx) : null,
  }));
}

describe('faces with the real models, in Chromium', () => {
  it('prints the measurements, the confusion table and the face counts', () => {
    const lines: string[] = [];
    lines.push(`engine: ${engine.backend} (${engine.reason}); Human ${engine.human}, TF.js ${engine.tfjs}; start ${startMs.toFixed(0)} ms`);
    lines.push('', 'per image: file | label faces/eyes | kept faces (dropped) | per face: eyes [openness R/L; EAR R/L] size px conf focus(rel) cut | ms');
    for (const l of labels) {
      const r = resultOf(l);
      const per = r.people.faces
        .map((f) => `${f.eyes}${f.eyesReliable ? '' : '?'}[${f.openness ? `${fmt(f.openness.right, 2)}/${fmt(f.openness.left, 2)}` : '—'}; ${f.ear ? `${fmt(f.ear.right, 2)}/${fmt(f.ear.left, 2)}` : '—'}] ${Math.round(f.sizePx)}px c${fmt(f.confidence, 2)} ${f.focus}(${fmt(f.relativeSharpness, 2)})${f.cutBy.length ? ` cut:${f.cutBy.join('+')}` : ''}`)
        .join('; ');
      const droppedScores = r.measured.faces
        .map((f, i) => ({ f, i }))
        .filter(({ i }) => !r.people.faces.some((k) => k.index === i))
        .map(({ f }) => f.confidence.toFixed(2));
      lines.push(
        `${basename(l.file)} | ${l.faces}/${l.eyes || '-'} | ${r.people.counts.faces}${droppedScores.length ? ` (dropped ${droppedScores.join(',')})` : ''} | ${per || '—'} | ${r.wallMs.toFixed(0)} ms (detect ${r.timings.detectMs.toFixed(0)})`,
      );
    }
    const rows = faceRows();
    lines.push('', `confusion (per labelled face; columns: predicted) | ${PREDICTED.join(' | ')}`);
    for (const label of ['open', 'closed', 'wink'] as const) {
      const counts = PREDICTED.map((p) => rows.filter((r) => r.label === label && r.predicted === p).length);
      lines.push(`${label.padEnd(6)} (${rows.filter((r) => r.label === label).length}) | ${counts.join(' | ')}`);
    }
    console.log(lines.join('\n'));
    // FACES_DUMP=<file>: every measurement as JSON, for calibrating the thresholds offline (docs/faces.md).
    if (process.env.FACES_DUMP) writeFileSync(process.env.FACES_DUMP, JSON.stringify({ labels, results }, null, 1));
  });

  it('picks WASM on the software WebGPU adapter and loads everything from its own origin, under the CSP', () => {
    expect(engine.backend).toBe('wasm');
    const origin = new URL(inject('baseUrl')).origin;
    const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requests.some((u) => u.includes('/human/models/facemesh.bin'))).toBe(true);
    expect(requests.some((u) => /\/human\/wasm\/tfjs-backend-wasm(-simd)?\.wasm$/.test(u))).toBe(true);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('lists the face models and wasm files in the service worker precache (faces work offline)', async () => {
    const sw = await page.evaluate(async () => (await fetch('/sw.js')).text());
    for (const url of ['human/models/blazeface.bin', 'human/models/facemesh.json', 'human/models/iris.bin', 'human/wasm/tfjs-backend-wasm-simd.wasm']) {
      expect(sw, url).toContain(`"url":"${url}"`);
    }
  });

  it('catches every closed-eye face, the wink as one eye, with at most 1 false alarm on open eyes', () => {
    const rows = faceRows();
    const closed = rows.filter((r) => r.label === 'closed');
    expect(closed.length).toBe(4);
    for (const r of closed) expect(['one-closed', 'both-closed'], `${r.file} ${r.ear}`).toContain(r.predicted);
    const wink = rows.filter((r) => r.label === 'wink');
    expect(wink.length).toBe(1);
    expect(wink[0].predicted, `${wink[0].file} ${wink[0].ear}`).toBe('one-closed');
    const winkFace = resultOf(labels.find((l) => l.eyes === 'mixed')!).people.faces[0];
    expect(winkFace.closed, 'the label says the subject\'s right eye is closed').toEqual({ right: true, left: false });
    const open = rows.filter((r) => r.label === 'open');
    const falseAlarms = open.filter((r) => r.predicted === 'one-closed' || r.predicted === 'both-closed');
    expect(falseAlarms.length, falseAlarms.map((r) => `${r.file} ${r.ear}`).join('; ')).toBeLessThanOrEqual(1);
    // Every labelled open face was found and judged (none is too small in this set).
    expect(open.filter((r) => r.predicted === 'missed' || r.predicted === 'not-judged')).toEqual([]);
  });

  it('gives the closed-eye figures the explain panel quotes (src/library/quality/flagAccuracyFigures.ts)', () => {
    // When this fails after a change to the face checks: FACES_DUMP=/tmp/faces.json on this file, then
    // `npx tsx scripts/flagAccuracy.ts --faces /tmp/faces.json` writes the new figures.
    expect(eyeAccuracy(faceRows())).toEqual(FLAG_FIGURES.eyes);
  });

  it('finds no face in the no-face photos and the labelled number everywhere else', () => {
    for (const l of labels) {
      const got = resultOf(l).people.counts.faces;
      if (basename(l.file) === GROUP_PHOTO) {
        console.log(`${GROUP_PHOTO}: ${got} faces found, ${l.faces} labelled (tolerance −${GROUP_MISSES_ALLOWED}, +0)`);
        expect(got).toBeGreaterThanOrEqual(l.faces - GROUP_MISSES_ALLOWED);
        expect(got).toBeLessThanOrEqual(l.faces);
        const c = resultOf(l).people.counts;
        console.log(`${GROUP_PHOTO} eyes (unlabelled): ${c.open} open, ${c.oneClosed} one closed, ${c.bothClosed} both closed, ${c.eyesNotJudged} not judged`);
      } else {
        expect(got, l.file).toBe(l.faces);
      }
    }
  });

  it('times WASM on 1, 3 and 29 faces (warm, median of 3)', async () => {
    const picks = ['human-person-vlado.jpg', 'human-group-2.jpg', GROUP_PHOTO].map((f) => labels.find((l) => l.file === f)!);
    const timed = await page.evaluate(async (urls) => {
      type Lab = { facesDetect(o: unknown): Promise<FacesLabResult[]> };
      const lab = (window as unknown as { loupeLab: Lab }).loupeLab;
      const out: { url: string; wall: number[]; detect: number[]; faces: number }[] = [];
      for (const url of urls) {
        const runs = await lab.facesDetect({ urls: [url, url, url], preference: 'auto' });
        out.push({ url, wall: runs.map((r) => r.wallMs), detect: runs.map((r) => r.timings.detectMs), faces: runs[0].people.counts.faces });
      }
      return out;
    }, picks.map(urlOf));
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    for (const t of timed) {
      console.log(`timing ${decodeURIComponent(t.url.slice(ROUTE.length))}: ${t.faces} faces, ${median(t.wall).toFixed(0)} ms per image (Human ${median(t.detect).toFixed(0)} ms), WASM`);
      expect(median(t.wall)).toBeLessThan(10_000);
    }
  });

  it('tells which frame edge cuts a face', async () => {
    // Vlado's face spans ≈ 52–65 % of the photo's width: keeping it from 55 % on cuts the face's left side.
    const l = labels.find((x) => x.file === 'human-person-vlado.jpg')!;
    const { before, after } = await editCheck(l, { crop: { x: 0.55, y: 0, width: 0.45, height: 1 } });
    const f0 = before.people.faces[0];
    const ext = (r: FacesLabResult) => r.people.faces.map((f) => { const e = r.measured.faces[f.index].extent; return e ? `mesh x ${fmt(e.x / r.measured.width, 2)}–${fmt((e.x + e.width) / r.measured.width, 2)} cut by [${f.cutBy.join(', ')}] eyes ${f.eyes}` : '—'; }).join('; ');
    console.log(`cut: as shot ${ext(before)}; cropped ${ext(after)}`);
    expect(f0.cutBy).toEqual([]);
    expect(after.people.counts.faces).toBe(1);
    expect(after.people.faces[0].cutBy).toContain('left');
    // Nothing in the labelled set is cut, except where the label's photo really crops a face.
    const cut = results.filter((r) => r.people.counts.cut > 0).map((r) => decodeURIComponent(r.url.slice(ROUTE.length)));
    console.log(`labelled photos with a face cut by the frame: ${cut.join(', ') || 'none'}`);
  });

  it('calls faces soft when focus missed them (faces blurred alone) and sharp as shot', async () => {
    const blurCheck = (l: Label, fraction: number) => editCheck(l, { blurFaces: fraction });
    const show = (r: FacesLabResult) => `bg ${fmt(r.measured.backgroundSharpness, 0)}/${r.measured.backgroundTiles} ` + r.people.faces.map((f) => `${f.focus}(${fmt(f.relativeSharpness, 2)} s${fmt(r.measured.faces[f.index].sharpness, 0)})`).join(' ');
    const slight = await blurCheck(labels.find((x) => x.file === 'human-group-3.jpg')!, 0.005);
    console.log(`focus human-group-3.jpg: faces blurred by 0.5 % of their size ${show(slight.after)}`);
    expect(slight.after.people.faces.map((f) => f.focus)).toEqual(slight.after.people.faces.map(() => 'soft'));
    for (const file of ['human-group-3.jpg', 'human-person-vlado.jpg']) {
      const l = labels.find((x) => x.file === file)!;
      const { before, after } = await blurCheck(l, 0.02);
      console.log(`focus ${file}: as shot ${show(before)}; faces blurred by 2 % of their size ${show(after)}`);
      expect(before.people.faces.map((f) => f.focus)).toEqual(before.people.faces.map(() => 'sharp'));
      expect(after.people.counts.faces).toBe(l.faces);
      expect(after.people.faces.map((f) => f.focus)).toEqual(after.people.faces.map(() => 'soft'));
      expect(after.people.softFaces).toBe(true);
    }
    // Every labelled face as shot is in focus: none may read soft.
    const soft = results.flatMap((r) => r.people.faces.filter((f) => f.focus === 'soft').map(() => r.url));
    expect(soft).toEqual([]);
  });

  it('runs on WebGPU when forced (SwiftShader here: correct, slow), with the same verdicts', async () => {
    const l = labels.find((x) => x.file === 'human-stock-emotions-b-8.jpg')!;
    const t0 = Date.now();
    const [r] = await page.evaluate(async (url) => {
      type Lab = { facesDetect(o: unknown): Promise<FacesLabResult[]>; facesStart(p: string): Promise<{ engine: { backend: string } }> };
      const lab = (window as unknown as { loupeLab: Lab }).loupeLab;
      const started = await lab.facesStart('webgpu');
      if (started.engine.backend !== 'webgpu') throw new Error(`backend ${started.engine.backend}`);
      return lab.facesDetect({ urls: [url], preference: 'webgpu' });
    }, urlOf(l));
    console.log(`webgpu (SwiftShader): ${l.file} ${r.people.faces.map((f) => `${f.eyes} [${fmt(f.openness?.right, 2)}/${fmt(f.openness?.left, 2)}]`).join('; ')}, ${r.wallMs.toFixed(0)} ms detect, ${Date.now() - t0} ms with start`);
    const wasm = resultOf(l).people.faces[0];
    expect(r.people.counts.faces).toBe(1);
    expect(r.people.faces[0].eyes).toBe(wasm.eyes);
    expect(Math.abs(r.people.faces[0].openness!.right - wasm.openness!.right)).toBeLessThan(0.02);
    await page.evaluate(async () => {
      type Lab = { facesStart(p: string): Promise<unknown> };
      await (window as unknown as { loupeLab: Lab }).loupeLab.facesStart('auto');
    });
  });

  it('decoded bitmaps give the same faces as bytes, and an aborted request rejects without breaking the worker', async () => {
    const l = labels.find((x) => x.file === 'human-stock-emotions-b-8.jpg')!;
    const [fromBitmap] = await page.evaluate(async (url) => {
      type Lab = { facesDetect(o: unknown): Promise<FacesLabResult[]> };
      return (window as unknown as { loupeLab: Lab }).loupeLab.facesDetect({ urls: [url], preference: 'auto', form: 'bitmap' });
    }, urlOf(l));
    expect(fromBitmap.people.counts.faces).toBe(1);
    expect(fromBitmap.people.faces[0].eyes).toBe(resultOf(l).people.faces[0].eyes);
    const abort = await page.evaluate(async (url) => {
      type Lab = { facesAbortCheck(u: string, p: string): Promise<{ aborted: string; after: number }> };
      return (window as unknown as { loupeLab: Lab }).loupeLab.facesAbortCheck(url, 'auto');
    }, urlOf(l));
    expect(abort).toEqual({ aborted: 'AbortError', after: 1 });
  });
});
