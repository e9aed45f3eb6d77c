/**
 * Face pass timings (issue 8), run by `npm run bench` and alone by `npx tsx bench/run.ts --only-faces`:
 * 1. ms per image for 1, 3 and ≈ 30 faces on WASM, warm, in the lab page (the app's own FaceClient and
 *    worker); the 30-face photo is composed in the page from the one-face portraits.
 * 2. What the face pass costs the real app: the same photos dropped with `people=off` (CLIP only) and
 *    `people=on` (CLIP and faces), back to back, beside the face pass alone in the lab. Concurrent, the two
 *    passes share the cores; the bar is that together they take no longer than one after the other.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { FaceEngineReady } from '../src/engine/faceProtocol';
import type { ComposedGrid, FacesLabResult, FacesTiming } from '../src/lab/facesLab';
import { openLab, runApp, type AppRunResult, type PageErrors } from './browser';
import { FACES_ROOT } from './server';

const ROUTE = '/bench-faces/';
const PREFERENCE = 'wasm';
/** 6 × 5 cells of 300 px: 1800 × 1500, analysed at 1600 px, so each face spans ≈ 130 px there. */
const GRID = { cols: 6, rows: 5, cell: 300, faceFraction: 0.5, quality: 0.9 } as const;
/** The photos of part 2: every labelled photo with faces but the 1927 scan, cut to 16 (four with 2–4 faces). */
const APP_PHOTO_COUNT = 16;
const PEOPLE_LIMIT_MS = 600_000;
/**
 * When its engine is ready the app embeds its tag vocabulary on the text encoder (≈ 100 answers, over a
 * minute with clip-b32-random on WASM here), on the same worker and cores as the images. Dropping before
 * that ends adds it, and its jitter, to both runs and hides the face pass's cost: the drop waits until no
 * text request has been outstanding for this long (or the limit). Requests follow one another with no gap
 * while one answer may take seconds on a loaded host, so "no answer for a while" alone drops too early.
 */
export const SETTLE_QUIET_MS = 2000;
export const SETTLE_LIMIT_MS = 180_000;

type LabWindow = {
  loupeLab: {
    facesStart(p: string): Promise<{ engine: FaceEngineReady; startMs: number }>;
    facesTime(o: { source: string; runs: number; preference: string }): Promise<FacesTiming>;
    facesComposeGrid(o: typeof GRID & { urls: string[]; preference: string }): Promise<ComposedGrid>;
    facesDetect(o: { urls: string[]; preference: string }): Promise<FacesLabResult[]>;
    facesClose(): void;
  };
};

export interface FacesImageResult extends FacesTiming {
  label: string;
  medianWallMs: number;
  medianDetectMs: number;
}

export interface AppPass {
  people: 'on' | 'off';
  /** Drop to the last CLIP score. */
  scoredMs: number;
  /** Drop to people-progress "done" with done = total; null with people=off or when it never got there. */
  peopleDoneMs: number | null;
  /** The later of the two: the folder fully analysed. */
  allDoneMs: number;
  /** Faces summed over the tiles' data-people (tiles in the DOM), and how many tiles had one. */
  tileFaces: number;
  tilesWithPeople: number;
  peopleProgressSeen: boolean;
  /** How many times people-progress went to "done" (the app restarts it when its queue runs dry). */
  progressCycles: number;
  /** Why peopleDoneMs is missing with people=on. */
  problem: string | null;
  /** runApp's timeline (ms after the drop): where the CLIP pass's time went. */
  timeline: AppRunResult['timeline'];
  /** The wait for the text encoder to go quiet before the drop, and text answers that still came after it. */
  settle: { waitedMs: number; textBatchesBefore: number; textBatchesAfterDrop: number };
  load1: number;
}

export interface ClipCost {
  photos: string[];
  expectedFaces: number;
  model: string;
  clipOnly: AppPass;
  both: AppPass;
  /** Every run of each, in order; the best (shortest allDone) is reported above. */
  allRuns: { clipOnly: number[]; both: number[] };
  /** totalMs = start + the warm sum; the first pass (TF.js compiling each new input shape) is kept for reference. */
  facesOnly: { startMs: number; sumWallMs: number; firstPassMs: number; perImageMs: number[]; faces: number; totalMs: number };
  /** both.allDone ÷ (clipOnly + facesOnly.total): ≤ 1 means running them together costs no more than in turn. */
  togetherVsInTurn: number | null;
  /** both.scored ÷ clipOnly.scored: how much the face pass slows the CLIP pass. */
  clipSlowdown: number;
  /** (both.scored − clipOnly.scored) ÷ facesOnly.total: the CLIP pass's delay as a share of what faces cost alone. */
  clipDelayVsFaceCost: number;
  /** Why the people-on figures are missing (the app has no people checks yet), else null. */
  note: string | null;
}

export interface FacesBench {
  date: string;
  quick: boolean;
  runs: number;
  cores: number;
  load1: { start: number; end: number };
  engine: FaceEngineReady;
  startMs: number;
  images: FacesImageResult[];
  grid: ComposedGrid;
  clipCost: ClipCost | null;
}

export interface FacesBenchOptions {
  quick: boolean;
  errors: PageErrors;
  log: (line: string) => void;
  /** The CLIP model of the end-to-end run, so the CLIP pass costs what it does there. */
  model: string;
  /** Part 1 only. */
  skipApp?: boolean;
}

export const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** labels.csv rows of ../shared/images/faces (file and face count; neither field is ever quoted). */
function labelledPhotos(): { file: string; faces: number }[] {
  const [, ...rows] = readFileSync(join(FACES_ROOT, 'labels.csv'), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  return rows.map((r) => r.split(',')).map(([file, faces]) => ({ file, faces: Number(faces) })).filter((p) => !p.file.includes('/'));
}

const urlOf = (file: string) => `${ROUTE}${encodeURIComponent(file)}`;

/** Part 1: start, then 1, 3 and ≈ 30 faces, warm. */
async function perImage(page: Page, runs: number, log: (l: string) => void) {
  const started = await page.evaluate((p) => (window as unknown as LabWindow).loupeLab.facesStart(p), PREFERENCE);
  log(`faces: ${started.engine.backend} (${started.engine.reason}); start ${started.startMs.toFixed(0)} ms`);
  const oneFace = labelledPhotos().filter((p) => p.faces === 1).map((p) => urlOf(p.file));
  const grid = await page.evaluate(([g, urls, p]) => (window as unknown as LabWindow).loupeLab.facesComposeGrid({ ...g, urls, preference: p }), [GRID, oneFace, PREFERENCE] as const);
  log(`faces: composed ${grid.width}×${grid.height} JPEG (${(grid.bytes / 1e3).toFixed(0)} KB), ${grid.cells} cells from ${grid.portraits.length} portraits${grid.skipped.length ? `, skipped ${grid.skipped.join(', ')}` : ''}`);
  const picks = [
    { label: '1 face (human-person-vlado.jpg)', source: urlOf('human-person-vlado.jpg') },
    { label: '3 faces (human-group-2.jpg)', source: urlOf('human-group-2.jpg') },
    { label: `${grid.cells} faces (composed ${GRID.cols}×${GRID.rows} grid)`, source: grid.source },
  ];
  const images: FacesImageResult[] = [];
  for (const pick of picks) {
    const t = await page.evaluate(([s, n, p]) => (window as unknown as LabWindow).loupeLab.facesTime({ source: s, runs: n, preference: p }), [pick.source, runs, PREFERENCE] as const);
    const r = { ...t, label: pick.label, medianWallMs: median(t.wallMs), medianDetectMs: median(t.detectMs) };
    log(`faces: ${pick.label}: ${r.faces} found, ${r.medianWallMs.toFixed(0)} ms per image (Human ${r.medianDetectMs.toFixed(0)} ms), runs ${t.wallMs.map((x) => x.toFixed(0)).join('/')}; load ${loadavg()[0].toFixed(1)}`);
    images.push(r);
  }
  return { ...started, grid, images };
}

/**
 * Plain JS (tsx would wrap named TS functions in __name calls the page lacks). The app restarts the
 * progress counters whenever its face queue runs dry (images are queued as they are decoded), so "done"
 * may show several times; once every image is scored, all are queued, and the last change to "done" is
 * when the people checks finished. Times come from a MutationObserver: the commit's, not a poll's.
 */
export const PEOPLE_OBSERVER = `(() => {
  const s = { seenAt: null, lastDoneAt: null, state: null, done: null, total: null, cycles: 0 };
  window.__peopleBench = s;
  const check = () => {
    const el = document.querySelector('[data-testid="people-progress"]');
    if (!el) return;
    if (s.seenAt === null) s.seenAt = performance.now();
    const state = el.getAttribute('data-state');
    if (state === 'done' && s.state !== 'done') {
      s.lastDoneAt = performance.now();
      s.cycles++;
    }
    s.state = state;
    s.done = Number(el.getAttribute('data-done'));
    s.total = Number(el.getAttribute('data-total'));
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-done', 'data-total'] });
  check();
})()`;

export interface PeopleProbe {
  seenAt: number | null;
  lastDoneAt: number | null;
  state: string | null;
  done: number | null;
  total: number | null;
  cycles: number;
}
export type PeopleWindow = { __peopleBench: PeopleProbe };
/** The part of runApp's probe (bench/browser.ts) read here. */
export type TextProbeWindow = { __bench: { textRequests: number; textBatches: number; lastTextAt: number } };

async function appPass(browser: Browser, baseUrl: string, o: FacesBenchOptions, people: 'on' | 'off', urls: string[], run: number): Promise<AppPass> {
  let probe: PeopleProbe | null = null;
  let problem: string | null = null;
  let tiles = { faces: 0, withPeople: 0 };
  const settle = { waitedMs: 0, textBatchesBefore: 0, textBatchesAfterDrop: 0 };
  const textBatches = (page: Page) => page.evaluate(() => (window as unknown as TextProbeWindow).__bench.textBatches);
  const r = await runApp(browser, baseUrl, `model=${o.model}&backend=wasm&batch=8&people=${people}`, urls, o.errors, `app people=${people} ${run}`, {
    beforeDrop: async (page) => {
      const t0 = Date.now();
      await page
        .waitForFunction(
          (quiet) => {
            const p = (window as unknown as TextProbeWindow).__bench;
            return p.textBatches > 0 && p.textBatches >= p.textRequests && performance.now() - p.lastTextAt > quiet;
          },
          SETTLE_QUIET_MS,
          { timeout: SETTLE_LIMIT_MS, polling: 250 },
        )
        .catch(() => o.log(`faces vs CLIP: the text encoder did not go quiet within ${SETTLE_LIMIT_MS / 1000} s; dropping anyway`));
      settle.waitedMs = Date.now() - t0;
      settle.textBatchesBefore = await textBatches(page);
      await page.evaluate(PEOPLE_OBSERVER);
    },
    afterRun: async (page) => {
      settle.textBatchesAfterDrop = (await textBatches(page)) - settle.textBatchesBefore;
      if (people === 'on') {
        // Every image is scored, so every one is queued for faces: wait for the queue to end. No progress
        // element by now means this build has no people checks.
        const seen = await page.waitForFunction(() => (window as unknown as PeopleWindow).__peopleBench.seenAt !== null, undefined, { timeout: 15_000 }).then(() => true, () => false);
        if (!seen) problem = 'the app showed no people-progress: people checks are not in this build';
        else {
          await page
            .waitForFunction(() => ['done', 'failed'].includes((window as unknown as PeopleWindow).__peopleBench.state ?? ''), undefined, { timeout: PEOPLE_LIMIT_MS, polling: 250 })
            .catch(() => void (problem = `people checks still running after ${PEOPLE_LIMIT_MS / 1000} s`));
        }
      }
      probe = await page.evaluate(() => (window as unknown as PeopleWindow).__peopleBench);
      tiles = await page.evaluate(() => {
        const counts = [...document.querySelectorAll('[data-testid="tile"][data-people]')].map((t) => t.getAttribute('data-people') ?? '').filter((v) => v !== '');
        return { faces: counts.reduce((s, v) => s + Number(v), 0), withPeople: counts.length };
      });
    },
  });
  const p: PeopleProbe = probe ?? { seenAt: null, lastDoneAt: null, state: null, done: null, total: null, cycles: 0 };
  if (people === 'on' && !problem && p.state !== 'done') problem = `people-progress ended ${p.state ?? 'absent'}`;
  const peopleDoneMs = people === 'on' && !problem && p.lastDoneAt !== null ? p.lastDoneAt - r.dropAt : null;
  return {
    people,
    scoredMs: r.elapsedMs,
    peopleDoneMs,
    allDoneMs: Math.max(r.elapsedMs, peopleDoneMs ?? 0),
    tileFaces: tiles.faces,
    tilesWithPeople: tiles.withPeople,
    peopleProgressSeen: p.seenAt !== null,
    progressCycles: p.cycles,
    problem,
    timeline: r.timeline,
    settle,
    load1: loadavg()[0],
  };
}

/** Part 2: people=off, people=on, then the face pass alone on the same photos; alternated when repeated. */
async function clipCost(browser: Browser, baseUrl: string, o: FacesBenchOptions, runs: number): Promise<ClipCost> {
  const photos = labelledPhotos().filter((p) => p.faces > 0 && p.file !== 'human-solvay1927.jpg');
  // Keep the multi-face photos, fill up with portraits: the mix decides how much face work there is.
  const chosen = [...photos.filter((p) => p.faces > 1), ...photos.filter((p) => p.faces === 1)].slice(0, APP_PHOTO_COUNT);
  const urls = chosen.map((p) => urlOf(p.file));
  const off: AppPass[] = [];
  const on: AppPass[] = [];
  for (let i = 1; i <= runs; i++) {
    off.push(await appPass(browser, baseUrl, o, 'off', urls, i));
    const settled = (x: AppPass) => `dropped after ${(x.settle.waitedMs / 1000).toFixed(0)} s of text-encoder work (${x.settle.textBatchesBefore} answers; ${x.settle.textBatchesAfterDrop} after the drop)`;
    o.log(`faces vs CLIP, run ${i}: people=off, ${settled(off[i - 1])}, scored ${(off[i - 1].scoredMs / 1000).toFixed(1)} s${off[i - 1].peopleProgressSeen ? ' (people-progress showed: the setting did not turn the pass off)' : ''}; load ${loadavg()[0].toFixed(1)}`);
    on.push(await appPass(browser, baseUrl, o, 'on', urls, i));
    const b = on[i - 1];
    o.log(`faces vs CLIP, run ${i}: people=on, ${settled(b)}, scored ${(b.scoredMs / 1000).toFixed(1)} s, people done ${b.peopleDoneMs === null ? `— (${b.problem ?? '?'})` : `${(b.peopleDoneMs / 1000).toFixed(1)} s`} (progress went to done ${b.progressCycles}×), ${b.tileFaces} faces on ${b.tilesWithPeople} tiles; load ${loadavg()[0].toFixed(1)}`);
  }
  const page = await openLab(await browser.newContext(), baseUrl, o.errors, 'lab faces (same photos)');
  try {
    const started = await page.evaluate((p) => (window as unknown as LabWindow).loupeLab.facesStart(p), PREFERENCE);
    const detect = () => page.evaluate(([u, p]) => (window as unknown as LabWindow).loupeLab.facesDetect({ urls: u, preference: p }), [urls, PREFERENCE] as const);
    // One pass to compile every input shape, as the app's own first images do in the concurrent run too.
    const cold = await detect();
    const passes: FacesLabResult[][] = [];
    for (let i = 0; i < Math.max(3, runs); i++) passes.push(await detect());
    const perImageMs = urls.map((_, k) => median(passes.map((p) => p[k].wallMs)));
    const sumWallMs = perImageMs.reduce((s, x) => s + x, 0);
    const coldMs = cold.reduce((s, r) => s + r.wallMs, 0);
    o.log(`faces alone on the same ${urls.length} photos: start ${started.startMs.toFixed(0)} ms + ${sumWallMs.toFixed(0)} ms warm (first pass ${coldMs.toFixed(0)} ms)`);
    const facesOnly = { startMs: started.startMs, sumWallMs, firstPassMs: coldMs, perImageMs, faces: passes[0].reduce((s, r) => s + r.people.counts.faces, 0), totalMs: started.startMs + sumWallMs };
    // A run whose people checks did not finish has no all-done time to compare: prefer the complete ones.
    const best = (xs: AppPass[]) => {
      const complete = xs.filter((x) => x.problem === null);
      return (complete.length ? complete : xs).reduce((a, b) => (b.allDoneMs < a.allDoneMs ? b : a));
    };
    const a = best(off);
    const b = best(on);
    const hasPeople = b.peopleDoneMs !== null;
    return {
      photos: chosen.map((p) => p.file),
      expectedFaces: chosen.reduce((s, p) => s + p.faces, 0),
      model: o.model,
      clipOnly: a,
      both: b,
      allRuns: { clipOnly: off.map((x) => x.allDoneMs), both: on.map((x) => x.allDoneMs) },
      facesOnly,
      togetherVsInTurn: hasPeople ? b.allDoneMs / (a.allDoneMs + facesOnly.totalMs) : null,
      clipSlowdown: b.scoredMs / a.scoredMs,
      clipDelayVsFaceCost: (b.scoredMs - a.scoredMs) / facesOnly.totalMs,
      note: hasPeople ? null : b.problem,
    };
  } finally {
    await page.context().close();
  }
}

export async function benchFaces(browser: Browser, baseUrl: string, o: FacesBenchOptions): Promise<FacesBench> {
  const runs = o.quick ? 3 : 5;
  const load0 = loadavg()[0];
  const context = await browser.newContext();
  let part1: Awaited<ReturnType<typeof perImage>>;
  try {
    const page = await openLab(context, baseUrl, o.errors, 'lab faces');
    part1 = await perImage(page, runs, o.log);
  } finally {
    await context.close();
  }
  // The pair of app runs differs by about what the face pass costs, and a shared host's noise is as large:
  // alternate them and keep the best of each.
  const cost = o.skipApp ? null : await clipCost(browser, baseUrl, o, o.quick ? 1 : 3);
  return {
    date: new Date().toISOString(),
    quick: o.quick,
    runs,
    cores: cpus().length,
    load1: { start: load0, end: loadavg()[0] },
    engine: part1.engine,
    startMs: part1.startMs,
    images: part1.images,
    grid: part1.grid,
    clipCost: cost,
  };
}
