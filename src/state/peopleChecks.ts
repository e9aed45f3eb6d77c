/**
 * People checks (faces, eyes, focus, frame), one image at a time in the face worker, which starts the first
 * time an image is checked. Results go to the tiles (batched like the analysis's) and to IndexedDB, so a
 * reload never runs them twice. Off: nothing is loaded or run.
 *
 * When the CLIP encoder runs on the CPU (WASM), the checks wait until the CLIP pass is over: the encoder's
 * threads and the face worker share the same cores, and beside each other the encoder lost more than the
 * face worker gained (24-MP bench: 393 against 227 ms per image, and the whole drop took longer than scores
 * first, faces after; docs/faces.md). On a GPU, or without a model, they run beside the CLIP pass and take
 * the image its decode made.
 */
import { create } from 'zustand';
import { faceClient } from '../engine/faceClient';
import type { FaceEngineReady, ScaledFaceImage } from '../engine/faceProtocol';
import { Cancelled } from '../engine/rpc';
import { setFaces } from '../library/persistence';
import { judgePeople } from '../scoring/faces/faceJudgement';
import { FACE_WORKING_LONG_SIDE, type MeasuredFaces } from '../scoring/faces/measure';
import { decodePool } from './decoders';
import { db } from './libraryDb';
import { useEngine } from './engineStore';
import { useLibrary } from './libraryStore';
import { reportStorageError } from './storageErrors';
import { flushTilePatches, queueTilePatch } from './tilePatches';
import { waitUntil } from './waitUntil';

export interface PeopleChecksState {
  enabled: boolean;
  /**
   * Images checked and queued since the queue last ran dry; null before the first. `waiting`: held back
   * until the CLIP pass is over (checksWaitForScores).
   */
  progress: { done: number; total: number; running: boolean; waiting?: boolean } | null;
  engine: FaceEngineReady | null;
  /** Why the face worker could not start; the checks stop until they are switched on again. */
  error: string | null;
}

export const usePeopleChecks = create<PeopleChecksState>(() => ({ enabled: true, progress: null, engine: null, error: null }));

/**
 * An image to check. `image`: the photo at the working size, from the decode that fed CLIP (the face worker
 * then decodes nothing); without it the decode pool opens the file again (any format it reads, RAW and HEIC
 * included) when its turn comes.
 */
export interface PeopleCheckItem {
  id: string;
  file: File;
  name: string;
  image?: ScaledFaceImage;
}

/**
 * Decoded images waiting in the queue hold their bitmaps (≈ 7 MB each at 1600 px): past this many, new ones
 * are dropped and decoded again in their turn, so a face pass that falls behind cannot fill memory.
 */
const MAX_HELD_IMAGES = 12;
let held = 0;

const queue: PeopleCheckItem[] = [];
const queued = new Set<string>();
/** Checked in this session: their verdicts may still be on the way to the store (patches are batched). */
const checked = new Set<string>();
let abort = new AbortController();
let looping = false;

/** Whether the checks wait for the CLIP pass: its encoder runs on the CPU, the cores the face worker needs. */
export function checksWaitForScores(): boolean {
  return useEngine.getState().ready?.backend === 'wasm';
}

const clipPassBusy = () => checksWaitForScores() && useLibrary.getState().running;

/** Resolves when the checks may run (false: cancelled meanwhile); the progress line says why they wait. */
async function scoresFirst(signal: AbortSignal): Promise<boolean> {
  if (!clipPassBusy()) return !signal.aborted;
  setWaiting(true);
  const subscribeBoth = (listener: () => void) => {
    const stops = [useLibrary.subscribe(listener), useEngine.subscribe(listener)];
    return () => stops.forEach((stop) => stop());
  };
  const ok = await waitUntil(() => !clipPassBusy(), subscribeBoth, signal);
  setWaiting(false);
  return ok;
}

function setWaiting(waiting: boolean): void {
  const p = usePeopleChecks.getState().progress;
  if (p && p.waiting !== waiting) usePeopleChecks.setState({ progress: { ...p, waiting } });
}

/** Queues images for the people checks (those already checked or queued are skipped). */
export function checkPeople(items: PeopleCheckItem[]): void {
  const s = usePeopleChecks.getState();
  if (!s.enabled || s.error) return;
  const tiles = useLibrary.getState().tiles;
  const isFresh = (it: PeopleCheckItem) => !queued.has(it.id) && !checked.has(it.id) && tiles[it.id]?.people === undefined && tiles[it.id]?.peopleNote === undefined;
  const fresh: PeopleCheckItem[] = [];
  for (const it of items) {
    if (!isFresh(it)) {
      it.image?.bitmap.close();
      continue;
    }
    if (it.image && held >= MAX_HELD_IMAGES) {
      it.image.bitmap.close();
      delete it.image;
    }
    if (it.image) held++;
    fresh.push(it);
    queue.push(it);
    queued.add(it.id);
  }
  if (fresh.length === 0) return;
  // One count for a whole drop: the queue may run dry between images while the CLIP pass still runs.
  const continues = s.progress && (s.progress.running || useLibrary.getState().running);
  const p = continues && s.progress ? s.progress : { done: 0, total: 0, running: true };
  usePeopleChecks.setState({ progress: { ...p, total: p.total + fresh.length, running: true } });
  // The face models load now, even when the checks wait for the scores: loading is mostly fetching and
  // compiling, and it would otherwise hold up the first check once the scores are done. A failed start is
  // reported by the first check (checkOne).
  faceClient()
    .ready()
    .catch(() => undefined);
  if (!looping) void drain();
}

/** Drops what is queued and stops the image being checked. */
export function cancelPeopleChecks(): void {
  for (const it of queue) releaseImage(it);
  queue.length = 0;
  queued.clear();
  abort.abort(new Cancelled());
  abort = new AbortController();
  const p = usePeopleChecks.getState().progress;
  if (p) usePeopleChecks.setState({ progress: { ...p, running: false } });
}

export function setPeopleChecksEnabled(enabled: boolean): void {
  if (!enabled) cancelPeopleChecks();
  usePeopleChecks.setState({ enabled, error: null });
}

function releaseImage(item: PeopleCheckItem): void {
  if (!item.image) return;
  item.image.bitmap.close();
  delete item.image;
  held--;
}

type TakenImage = ScaledFaceImage | { reason: string };

/** The item's image, taken from it (it is the face worker's once sent): the held one, else decoded now. */
async function takeImage(item: PeopleCheckItem, signal: AbortSignal): Promise<TakenImage> {
  const image = item.image;
  if (image) {
    delete item.image;
    held--;
    return image;
  }
  const r = await decodePool().faceImage({ file: item.file, name: item.name, longSide: FACE_WORKING_LONG_SIDE }, signal);
  return r.type === 'failed' ? { reason: r.reason } : { bitmap: r.bitmap, source: { width: r.width, height: r.height } };
}

/** An image taken ahead of its check and no longer wanted (cancelled): its bitmap is let go. */
function discard(image: Promise<TakenImage>): void {
  void image.then((i) => ('bitmap' in i ? i.bitmap.close() : undefined), () => undefined);
}

function record(id: string, outcome: { faces: MeasuredFaces } | { facesNote: string }): void {
  checked.add(id);
  if ('faces' in outcome) queueTilePatch(id, { people: judgePeople(outcome.faces), peopleNote: undefined });
  else queueTilePatch(id, { peopleNote: outcome.facesNote });
  void setFaces(db, id, outcome).catch(reportStorageError);
}

async function drain(): Promise<void> {
  looping = true;
  // The next image is decoded (decode pool) while the face worker checks this one.
  let ahead: { item: PeopleCheckItem; image: Promise<TakenImage>; signal: AbortSignal } | null = null;
  try {
    while (queue.length > 0 || ahead) {
      const signal = abort.signal;
      if (ahead && ahead.signal !== signal) {
        discard(ahead.image);
        ahead = null;
        continue;
      }
      if (!(await scoresFirst(signal))) continue;
      const item = ahead?.item ?? queue.shift()!;
      const image = ahead?.image ?? takeImage(item, signal);
      ahead = null;
      const next = queue.shift();
      if (next) ahead = { item: next, image: takeImage(next, signal), signal };
      // Still "queued" while it runs: the analysis may offer the same image again meanwhile.
      await checkOne(item, image, signal).finally(() => queued.delete(item.id));
      const p = usePeopleChecks.getState().progress;
      if (p && !signal.aborted) usePeopleChecks.setState({ progress: { ...p, done: p.done + 1 } });
      if (usePeopleChecks.getState().error) break;
    }
  } finally {
    if (ahead) {
      discard(ahead.image);
      queued.delete(ahead.item.id);
    }
    looping = false;
    // "Done" must not show before the last verdicts are on the tiles (their patches are batched).
    flushTilePatches();
    const p = usePeopleChecks.getState().progress;
    if (p) usePeopleChecks.setState({ progress: { ...p, running: false } });
  }
}

async function checkOne(item: PeopleCheckItem, taken: Promise<TakenImage>, signal: AbortSignal): Promise<void> {
  const tile = useLibrary.getState().tiles[item.id];
  if (!tile || tile.status === 'failed') return discard(taken);
  const client = faceClient();
  try {
    const engine = await client.ready(signal);
    if (usePeopleChecks.getState().engine !== engine) usePeopleChecks.setState({ engine });
  } catch (err) {
    discard(taken);
    if (err instanceof Cancelled) return;
    usePeopleChecks.setState({ error: `People checks are off: the face models did not load (${(err as Error).message}).` });
    return;
  }
  try {
    const image = await taken;
    if ('reason' in image) return record(item.id, { facesNote: `people not checked: ${image.reason}` });
    // The client closes or transfers the bitmap whichever way the call ends.
    const r = await client.detect(image, signal);
    record(item.id, { faces: r.measured });
  } catch (err) {
    if (err instanceof Cancelled || signal.aborted) return;
    record(item.id, { facesNote: `people not checked: ${(err as Error).message}` });
  }
}
