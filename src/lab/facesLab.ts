/**
 * Face checks for the lab page (`window.loupeLab.faces…`): the app's own face client and worker, driven by
 * e2e/faces.e2e.ts on labelled photos.
 */
import type { BackendPreference } from '../engine/backend';
import { FaceClient, type FaceAnalysis } from '../engine/faceClient';
import type { FaceEngineReady, FaceImage } from '../engine/faceProtocol';

let client: FaceClient | null = null;
let clientPreference: BackendPreference | null = null;

export interface FacesLabResult extends FaceAnalysis {
  url: string;
  /** Main-thread wall time for this image: request, worker, answer. */
  wallMs: number;
}

async function image(url: string, form: 'bytes' | 'bitmap'): Promise<FaceImage> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const blob = await res.blob();
  // 'bytes': the file itself, as the app sends it; the worker reads and decodes it.
  if (form === 'bytes') return blob;
  return createImageBitmap(blob, { imageOrientation: 'from-image' });
}

/** Starts (or reuses) the face client for `preference`; returns the engine and how long the start took. */
async function facesStart(preference: BackendPreference): Promise<{ engine: FaceEngineReady; startMs: number }> {
  if (client && clientPreference !== preference) facesClose();
  client ??= new FaceClient({ preference });
  clientPreference = preference;
  const t0 = performance.now();
  const engine = await client.ready();
  return { engine, startMs: performance.now() - t0 };
}

/** Runs each URL through the face worker, one after another. */
async function facesDetect(o: { urls: string[]; preference: BackendPreference; form?: 'bytes' | 'bitmap' }): Promise<FacesLabResult[]> {
  await facesStart(o.preference);
  const c = client;
  if (!c) throw new Error('no face client');
  const out: FacesLabResult[] = [];
  for (const url of o.urls) {
    const img = await image(url, o.form ?? 'bytes');
    const t0 = performance.now();
    const r = await c.detect(img);
    out.push({ url, wallMs: performance.now() - t0, ...r });
  }
  return out;
}

/** Aborts a detection right after sending it: must reject with an AbortError and leave the worker usable. */
async function facesAbortCheck(url: string, preference: BackendPreference): Promise<{ aborted: string; after: number }> {
  await facesStart(preference);
  const c = client;
  if (!c) throw new Error('no face client');
  const controller = new AbortController();
  const pending = c.detect(await image(url, 'bytes'), controller.signal);
  controller.abort();
  const aborted = await pending.then(
    () => 'resolved',
    (e: unknown) => (e instanceof Error ? e.name : String(e)),
  );
  const after = await c.detect(await image(url, 'bytes'));
  return { aborted, after: after.people.counts.faces };
}

export interface FacesEdit {
  /** Keep only this part of the photo (fractions of its width and height): cuts faces at the frame's edge. */
  crop?: { x: number; y: number; width: number; height: number };
  /**
   * Blur each detected face box alone, with a Gaussian whose sigma is this fraction of the face's size (the
   * rest of the picture untouched), as when focus lands behind the people.
   */
  blurFaces?: number;
}

/**
 * Edits a real photo the way a shot goes wrong, then detects again: returns the faces before and after. The
 * edited image is re-encoded losslessly (PNG).
 */
async function facesEditCheck(url: string, edit: FacesEdit, preference: BackendPreference): Promise<{ before: FaceAnalysis; after: FaceAnalysis }> {
  await facesStart(preference);
  const c = client;
  if (!c) throw new Error('no face client');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const blob = await res.blob();
  const before = await c.detect(blob);
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const W = bitmap.width;
  const H = bitmap.height;
  const crop = edit.crop ?? { x: 0, y: 0, width: 1, height: 1 };
  const canvas = new OffscreenCanvas(Math.round(crop.width * W), Math.round(crop.height * H));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.translate(-crop.x * W, -crop.y * H);
  ctx.drawImage(bitmap, 0, 0);
  if (edit.blurFaces) {
    for (const f of before.people.faces) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(f.box.x * W, f.box.y * H, f.box.width * W, f.box.height * H);
      ctx.clip();
      ctx.filter = `blur(${(edit.blurFaces * f.sourceSizePx).toFixed(2)}px)`;
      ctx.drawImage(bitmap, 0, 0);
      ctx.restore();
    }
  }
  bitmap.close();
  const edited = await canvas.convertToBlob({ type: 'image/png' });
  const after = await c.detect(edited);
  return { before, after };
}

/** Images made in the page (the composed many-face photo), addressed by name where a URL is expected. */
const composed = new Map<string, Blob>();

async function blobOf(source: string): Promise<Blob> {
  const held = composed.get(source);
  if (held) return held;
  const res = await fetch(source);
  if (!res.ok) throw new Error(`${source}: HTTP ${res.status}`);
  return res.blob();
}

export interface FacesTiming {
  source: string;
  sourceWidth: number;
  sourceHeight: number;
  bytes: number;
  /** Faces kept by the verdict (judgePeople), from the first timed run. */
  faces: number;
  warmupMs: number;
  /** Per timed run: main-thread wall time for the image (as facesDetect's wallMs), and Human's detect call. */
  wallMs: number[];
  detectMs: number[];
}

/**
 * Times one image through the face worker: a warm-up run first, because TF.js compiles kernels for each new
 * input shape and the first run of a size would time that, then `runs` timed runs. The file is fetched once,
 * so only what the app pays per image (bytes → worker → answer) is timed.
 */
async function facesTime(o: { source: string; runs: number; preference: BackendPreference }): Promise<FacesTiming> {
  await facesStart(o.preference);
  const c = client;
  if (!c) throw new Error('no face client');
  const blob = await blobOf(o.source);
  const once = async () => {
    const t0 = performance.now();
    const r = await c.detect(blob);
    return { r, ms: performance.now() - t0 };
  };
  const warm = await once();
  const wallMs: number[] = [];
  const detectMs: number[] = [];
  let faces = -1;
  for (let i = 0; i < o.runs; i++) {
    const { r, ms } = await once();
    if (faces < 0) faces = r.people.counts.faces;
    wallMs.push(ms);
    detectMs.push(r.timings.detectMs);
  }
  const m = warm.r.measured;
  return { source: o.source, sourceWidth: m.sourceWidth, sourceHeight: m.sourceHeight, bytes: blob.size, faces, warmupMs: warm.ms, wallMs, detectMs };
}

export interface ComposedGrid {
  /** Pass to facesTime as its source. */
  source: string;
  width: number;
  height: number;
  bytes: number;
  cells: number;
  /** Portraits used (cycled through the cells), and those skipped because the worker found no face alone. */
  portraits: string[];
  skipped: string[];
}

/**
 * A many-face photo for timing, since no real one with ≈ 30 faces is at hand: a cols × rows grid of square
 * crops of one-face portraits, cycled. Each crop is centred on the face the worker finds in the portrait
 * alone and sized so that the face spans `faceFraction` of the cell: a plain centre crop would leave the
 * full-body shots' faces too small for the detector's 256-px view of the whole grid. Encoded to JPEG by
 * canvas.toBlob, as a camera-sized file would arrive.
 */
async function facesComposeGrid(o: {
  urls: string[];
  cols: number;
  rows: number;
  cell: number;
  faceFraction: number;
  quality: number;
  preference: BackendPreference;
}): Promise<ComposedGrid> {
  await facesStart(o.preference);
  const c = client;
  if (!c) throw new Error('no face client');
  const crops: { url: string; bitmap: ImageBitmap; sx: number; sy: number; side: number }[] = [];
  const skipped: string[] = [];
  for (const url of o.urls) {
    const blob = await blobOf(url);
    const face = (await c.detect(blob)).people.faces[0];
    if (!face) {
      skipped.push(url);
      continue;
    }
    const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
    const W = bitmap.width;
    const H = bitmap.height;
    const side = Math.min(W, H, Math.max(face.box.width * W, face.box.height * H) / o.faceFraction);
    const cx = (face.box.x + face.box.width / 2) * W;
    const cy = (face.box.y + face.box.height / 2) * H;
    const sx = Math.min(W - side, Math.max(0, cx - side / 2));
    const sy = Math.min(H - side, Math.max(0, cy - side / 2));
    crops.push({ url, bitmap, sx, sy, side });
  }
  if (crops.length === 0) throw new Error('no portrait with a face to compose');
  const canvas = document.createElement('canvas');
  canvas.width = o.cols * o.cell;
  canvas.height = o.rows * o.cell;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  const cells = o.cols * o.rows;
  for (let i = 0; i < cells; i++) {
    const k = crops[i % crops.length];
    ctx.drawImage(k.bitmap, k.sx, k.sy, k.side, k.side, (i % o.cols) * o.cell, Math.floor(i / o.cols) * o.cell, o.cell, o.cell);
  }
  for (const k of crops) k.bitmap.close();
  const jpeg = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob gave nothing'))), 'image/jpeg', o.quality));
  const source = `composed-grid-${o.cols}x${o.rows}`;
  composed.set(source, jpeg);
  return { source, width: canvas.width, height: canvas.height, bytes: jpeg.size, cells, portraits: crops.map((k) => k.url), skipped };
}

function facesClose(): void {
  client?.terminate();
  client = null;
  clientPreference = null;
}

export const facesLab = { facesStart, facesDetect, facesTime, facesComposeGrid, facesAbortCheck, facesEditCheck, facesClose };
