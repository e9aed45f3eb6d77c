/**
 * Face checks for the lab page (`window.loupeLab.faces…`): the app's own face client and worker, driven by
 * e2e/faces.e2e.ts on labelled photos.
 */
import type { BackendPreference } from '../engine/backend';
import { FaceClient, faceImageFromBlob, type FaceAnalysis } from '../engine/faceClient';
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
  if (form === 'bytes') return faceImageFromBlob(blob);
  return { kind: 'bitmap', bitmap: await createImageBitmap(blob, { imageOrientation: 'from-image' }) };
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
  const before = await c.detect(await faceImageFromBlob(blob));
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
  const after = await c.detect(await faceImageFromBlob(edited));
  return { before, after };
}

function facesClose(): void {
  client?.terminate();
  client = null;
  clientPreference = null;
}

export const facesLab = { facesStart, facesDetect, facesAbortCheck, facesEditCheck, facesClose };
