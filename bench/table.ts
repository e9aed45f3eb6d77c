import type { PixelOrigin } from '../src/library/decodeApi';
import type { AppRunResult } from './browser';
import type { E2e24Results } from './e2e24';
import type { FacesBench } from './faces';
import type { Results } from './run';

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const sec = (ms: number | null) => (ms === null ? '?' : (ms / 1000).toFixed(1));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function longTaskText(r: AppRunResult): string {
  const lt = r.longTasks;
  const api = lt.count === 0 ? 'no long task (≥ 50 ms) observed' : `${lt.over50} long tasks > 50 ms, longest ${lt.maxMs.toFixed(0)} ms`;
  const t = r.mainThreadTasks;
  const traced = t ? `; trace: longest main-thread task ${t.maxMs.toFixed(0)} ms, ${t.over50} > 50 ms, ${t.over16} > 16.7 ms of ${t.count}` : '';
  return api + traced;
}

/** The results as a Markdown table (printed, and pasted into README's Benchmarks section). */
export function formatTable(r: Results): string {
  const rows: string[][] = [];
  const batches = r.options.batches;
  for (const b of batches) {
    const n = r.native.byBatch[b];
    if (!n) continue;
    rows.push([
      'Encoder, onnxruntime-node CPU',
      `${r.native.threads} threads, batch ${b}`,
      f1(n.imagesPerSecond),
      '1.00',
      `best of two rounds: ${n.rounds.map(f1).join(' / ')}`,
    ]);
  }
  for (const w of r.wasm) {
    rows.push([
      'Encoder, onnxruntime-web WASM (Chromium worker)',
      `${w.threads} thread${w.threads === 1 ? '' : 's'}, batch ${w.batch}`,
      f2(w.imagesPerSecond),
      f2(w.ratioToNative),
      `${w.timing.batches} batches in ${f1(w.timing.wallMs / 1000)} s${w.repeats.length > 1 ? `; best of ${w.repeats.map((x) => f2(x.imagesPerSecond)).join(' / ')}` : ''}`,
    ]);
  }
  if (r.webgpu.status === 'ok') {
    rows.push([
      'Encoder, WebGPU on SwiftShader',
      'batch 1',
      r.webgpu.imagesPerSecond.toFixed(3),
      (r.webgpu.imagesPerSecond / (r.native.byBatch[1]?.imagesPerSecond ?? NaN)).toFixed(4),
      `software adapter, correctness only: ${f1(r.webgpu.wallMs / 1000)} s per image, cosine to native ${r.webgpu.minCosineToNative.toFixed(5)}`,
    ]);
  } else {
    rows.push(['Encoder, WebGPU on SwiftShader', 'batch 1', '—', '—', r.webgpu.status === 'skipped' ? `skipped (${r.webgpu.reason})` : `gave up: ${r.webgpu.reason}`]);
  }
  const e = r.endToEnd;
  if (e) {
    rows.push([
      `End to end, app (${e.images}× 4000×3000 JPEG, ${f1(e.fileMB)} MB each; the app's defaults${r.decode?.sequential[0]?.origin ? ': fast path, people checks on' : ''})`,
      `WASM ${e.threads ?? '?'} threads (app's choice), batch 8`,
      f2(e.imagesPerSecond),
      e.ratioToEncoderOnly === null ? '—' : `${f2(e.ratioToEncoderOnly)}× encoder-only`,
      `${e.allRuns.length > 1 ? `best of ${e.allRuns.map(f2).join(' / ')}; ` : ''}drop → last tile scored ${f1(e.elapsedMs / 1000)} s; encoder-only at batch 8 ${e.encoderOnlyImagesPerSecond === null ? '?' : f2(e.encoderOnlyImagesPerSecond)} img/s${
        e.encoderOnlyMeasurements ? ` (best of the grid's ${e.encoderOnlyMeasurements.earlier === null ? '—' : f2(e.encoderOnlyMeasurements.earlier)} and ${e.encoderOnlyMeasurements.adjacent === null ? '—' : f2(e.encoderOnlyMeasurements.adjacent)} re-measured right after)` : ''
      }; ${
        // Results written before the timeline existed have none.
        e.timeline
          ? `timeline after the drop: files hashed by ${sec(e.timeline.lastHashed)} s, decoded ${sec(e.timeline.firstDecoded)}–${sec(e.timeline.lastDecoded)} s, scored ${sec(e.timeline.firstScored)}–${sec(e.timeline.lastScored)} s; `
          : `first score after ${sec(e.firstScoredMs)} s; `
      }in this run (cores shared) decode ${e.stages.decodeMs.toFixed(0)} ms + preprocess ${e.stages.preprocessMs.toFixed(0)} ms per image, encoder ${e.stages.encoderMsPerImage.toFixed(0)} ms per image and busy ${(100 * e.stages.encoderBusyFraction).toFixed(0)} % of the time; peak JS heap ${mib(e.heap.peakBytes)} (before drop ${mib(e.heap.beforeDropBytes)}; ${mib(e.heap.peakWithBuffersBytes)} with ArrayBuffers); ${longTaskText(e)}`,
    ]);
  }
  const d = r.decode;
  if (d) {
    rows.push([
      `Decode stage, app decode worker (12 MP${d.sequential[0]?.origin ? `, fast path: decoded at ${d.sequential[0].origin.kind === 'reduced' ? `${d.sequential[0].origin.width}×${d.sequential[0].origin.height}` : 'full size'}` : ''})`,
      `per image, 1 worker, no encoder running`,
      `${f2(1000 / d.mean.wallMs)}`,
      '—',
      `decode ${d.mean.decodeMs.toFixed(0)} ms + preprocess ${d.mean.preprocessMs.toFixed(0)} ms (+ thumbnail/messaging: ${d.mean.wallMs.toFixed(0)} ms total); of preprocess, RGBA read-back ${d.splitMean.readMs.toFixed(0)} ms and bicubic resample ${d.splitMean.resampleMs.toFixed(0)} ms (timed apart on the main thread); ${d.throughput.images} images through the app's ${d.throughput.poolSize}-worker pool: ${f2(d.throughput.imagesPerSecond)} img/s`,
    ]);
  }
  const s = r.responsiveness;
  if (s) {
    rows.push([
      `Main thread, app (${s.images}× 640×480 JPEG)`,
      'clip-tiny (tiny model, so the run is short), WASM',
      f1(s.imagesPerSecond),
      '—',
      `${longTaskText(s)}; createObjectURL ${s.objectUrls.count}× = ${s.objectUrls.totalMs.toFixed(0)} ms (longest ${s.objectUrls.maxMs.toFixed(0)} ms, ${s.objectUrls.msInsideLongTasks.toFixed(0)} ms of it inside long tasks); peak JS heap ${mib(s.heap.peakBytes)} (before drop ${mib(s.heap.beforeDropBytes)}; ${mib(s.heap.peakWithBuffersBytes)} with ArrayBuffers)`,
    ]);
  }
  const header = ['measurement', 'config', 'img/s', '× native', 'notes'];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
  const meta =
    `${r.date.slice(0, 10)} · ${r.machine.cpuModel} × ${r.machine.cpuCount} · ${r.machine.os} · Node ${r.machine.node} · ` +
    `Chromium ${r.chromium.version} · crossOriginIsolated ${String(r.crossOriginIsolated)} · ` +
    `load average ${r.loadAverage.start[0].toFixed(1)} at start, ${r.loadAverage.end[0]?.toFixed(1) ?? '?'} at end · model ${r.model.id} (${r.model.note})`;
  return `${meta}\n\n${lines.join('\n')}${r.endToEnd24mp ? `\n\n${formatE2e24Table(r.endToEnd24mp)}` : ''}${r.endToEnd24mpMpf ? `\n\n${formatE2e24Table(r.endToEnd24mpMpf)}` : ''}${r.faces ? `\n\n${formatFacesTable(r.faces)}` : ''}`;
}

const md = (header: string[], rows: string[][]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
// Tolerates fields missing from results written by an older bench.
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${x.toFixed(0)} ms`);

/** The face pass (bench/faces.ts): per-image times, then its cost to the app's CLIP pass. */
export function formatFacesTable(f: FacesBench): string {
  const head =
    `Faces (issue 8), ${f.date.slice(0, 10)}: ${f.engine.backend} (Human ${f.engine.human}), warm, median of ${f.runs} runs after one warm-up; ` +
    `start (worker + models) ${ms(f.startMs)}; ${f.cores} cores shared with whatever else runs: load average ${f.load1.start.toFixed(1)} at start, ${f.load1.end.toFixed(1)} at end`;
  const perImage = md(
    ['photo', 'size', 'faces found', 'ms per image', 'Human detect', 'runs (ms)'],
    f.images.map((i) => [i.label, `${i.sourceWidth}×${i.sourceHeight}, ${(i.bytes / 1e3).toFixed(0)} KB`, String(i.faces), ms(i.medianWallMs), ms(i.medianDetectMs), i.wallMs.map((x) => x.toFixed(0)).join(' / ')]),
  );
  const c = f.clipCost;
  if (!c) return `${head}\n\n${perImage}`;
  const s = (x: number | null) => (x === null ? '—' : `${(x / 1000).toFixed(1)} s`);
  const x2 = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}×`);
  const cost = md(
    ['pass', 'drop → last CLIP score', 'drop → people done', 'all done', 'notes'],
    [
      ['CLIP only (app, people=off)', s(c.clipOnly.scoredMs), '—', s(c.clipOnly.allDoneMs), `runs ${c.allRuns.clipOnly.map(s).join(' / ')}; load ${c.clipOnly.load1?.toFixed(1) ?? '?'}${c.clipOnly.peopleProgressSeen ? '; people-progress showed anyway' : ''}`],
      ['CLIP + faces (app, people=on)', s(c.both.scoredMs), s(c.both.peopleDoneMs), s(c.both.allDoneMs), `runs ${c.allRuns.both.map(s).join(' / ')}; load ${c.both.load1?.toFixed(1) ?? '?'}; ${c.both.tileFaces} faces on ${c.both.tilesWithPeople} tiles in the DOM`],
      ['faces alone (lab, one after another)', '—', s(c.facesOnly.totalMs), s(c.facesOnly.totalMs), `start ${ms(c.facesOnly.startMs)} + ${ms(c.facesOnly.sumWallMs)} warm (first pass ${ms(c.facesOnly.firstPassMs)}); ${c.facesOnly.faces} faces`],
      ['together ÷ (CLIP only + faces alone)', '', '', x2(c.togetherVsInTurn), '≤ 1: concurrent costs no more than in turn'],
      ['CLIP pass slowed by faces', x2(c.clipSlowdown), '', '', `delay ${s(c.both.scoredMs - c.clipOnly.scoredMs)} = ${c.clipDelayVsFaceCost.toFixed(2)} of the face pass's own cost (≤ 1: the bar)`],
    ],
  );
  const note = c.note ? `\n\nnote: ${c.note}` : '';
  return `${head}\n\n${perImage}\n\nSame ${c.photos.length} photos (${c.expectedFaces} labelled faces), model ${c.model}, WASM, best of ${c.allRuns.both.length} alternated run(s):\n\n${cost}${note}`;
}

/** What the decode worker decoded: a k/8 size, a camera's embedded preview, or the whole file. */
function originText(o: PixelOrigin | undefined): string {
  if (!o) return '?';
  if (o.kind === 'reduced') return `${o.width}×${o.height}`;
  if (o.kind === 'jpeg-preview') return `MPF preview ${o.width}×${o.height}`;
  return 'full size';
}

/** The app on camera-like 24-MP JPEGs (bench/e2e24.ts): img/s to scores against encoder-only, fast vs exact path. */
export function formatE2e24Table(e: E2e24Results): string {
  const enc = e.encoderOnly;
  const head =
    `End to end on 24 MP (\`--e2e-24mp${e.set?.mpfPreview ? ' --mpf' : ''}\`), ${e.date.slice(0, 10)}: ${e.images}× ${e.width}×${e.height} camera-like JPEG (${f1(e.fileMB)} MB, EXIF with thumbnail, every 4th Orientation 6${e.set?.mpfPreview ? `, a ${e.set.mpfPreview.width}×${e.set.mpfPreview.height} MPF preview after the photo` : ''}), ` +
    `model clip-b32-random, WASM ${e.threads ?? '?'} threads (app's choice), batch 8; encoder-only img/s measured in a lab page before the first app run and after each (${enc.points.map((p) => f2(p.imagesPerSecond)).join(', ')}): each run's ratio is to the better of the two around it. ` +
    `${e.machine.cpuCount} cores shared with other engineers' tests during the run: load average ${e.loadAverage.start[0].toFixed(1)} at start, ${e.loadAverage.end[0].toFixed(1)} at end (per run in the notes); ${e.runs.length / Math.max(1, e.summary.length)} run(s) per configuration, alternated, all rows from this one invocation (${(e.totalSeconds / 60).toFixed(1)} min). ` +
    `Every run starts with the app's phrase-embedding cache warm (${e.warmup.reused ? 'reused from an earlier invocation' : `a warm-up page paid it: ${sec(e.warmup.ms)} s`}), as a returning user's browser does.`;
  const rows = e.summary.map((x) => {
    const runs = e.runs.filter((r) => r.path === x.path && r.people === x.people);
    const ratios = runs.map((r) => r.ratioAdjacent ?? NaN);
    const steady = runs.map((r) => (r.steadyImagesPerSecond === null || !r.encoderOnlyAdjacent ? NaN : r.steadyImagesPerSecond / Math.max(r.encoderOnlyAdjacent.before, r.encoderOnlyAdjacent.after)));
    const avg = (v: number[]) => v.reduce((s, y) => s + y, 0) / v.length;
    const meanRatio = avg(ratios);
    const ok = meanRatio >= x.target ? 'meets' : 'misses';
    const perRun = runs
      .map((r) => {
        const tl = r.timeline;
        return `run ${r.run}: ${sec(r.elapsedMs)} s to the last score${r.people === 'on' ? ` (people done ${r.peopleDoneMs === null ? `— ${r.peopleProblem ?? '?'}` : `${sec(r.peopleDoneMs)} s`})` : ''}, decoded ${sec(tl.firstDecoded)}–${sec(tl.lastDecoded)} s, scored ${sec(tl.firstScored)}–${sec(tl.lastScored)} s, in-run decode ${r.stages.decodeMs.toFixed(0)} + preprocess ${r.stages.preprocessMs.toFixed(0)} ms, encoder busy ${(100 * r.stages.encoderBusyFraction).toFixed(0)} %, load ${r.load1.toFixed(1)}${r.failed ? `, ${r.failed} failed` : ''}`;
      })
      .join('; ');
    return [
      `${x.path === 'fast' ? 'fast path (default)' : 'exact path (`exact=on`, the old full-size decode)'}`,
      `people ${x.people}`,
      runs.map((r) => f2(r.imagesPerSecond)).join(' / '),
      `${runs.map((r) => `${f2(r.ratioAdjacent ?? NaN)}× of ${f2(Math.max(r.encoderOnlyAdjacent?.before ?? NaN, r.encoderOnlyAdjacent?.after ?? NaN))}`).join(' / ')}`,
      `${f2(meanRatio)}× (${ok} ${x.target})`,
      `${f2(avg(steady))}×`,
      perRun,
    ];
  });
  const app = md(['app run', 'people checks', 'img/s to scores, each run', '× encoder-only around each run', 'mean (target)', 'mean, after the first batch', 'notes'], rows);
  const dec = md(
    ['decode worker alone (no encoder)', 'people checks', 'decoded at', 'decode + preprocess ms', 'with thumbnail, figures, metadata, face image'],
    e.decode.map((d) => {
      const o = d.timings[0]?.origin;
      return [d.path, d.people, originText(o), `${d.mean.decodeMs.toFixed(0)} + ${d.mean.preprocessMs.toFixed(0)} = ${(d.mean.decodeMs + d.mean.preprocessMs).toFixed(0)}`, `${d.mean.wallMs.toFixed(0)} ms`];
    }),
  );
  return `${head}\n\n${app}\n\n${dec}`;
}
