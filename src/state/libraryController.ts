/**
 * The library side: files in (hashed, decoded and analysed in workers), scores out, the session kept in
 * IndexedDB. Everything the user does that must survive a reload goes through here and is stored first.
 */
import { runAnalysis, type AnalysisItem, type AnalysisProgress } from '../engine/analysis';
import { PIXELS_PER_IMAGE } from '../engine/encoders';
import type { PickedFile } from '../library/collectFiles';
import { DecodePool } from '../library/decodePool';
import {
  getEmbeddings,
  getImages,
  loadSession,
  mergeImage,
  putEmbedding,
  saveSession,
  type StoredImage,
} from '../library/persistence';
import { setEmbedding } from './embeddingRegistry';
import { appConfig, currentModelId, inferenceClient, onEngineReady, whenEngineReady } from './engineController';
import { useLibrary, type Tile } from './libraryStore';
import { useRanking } from './rankingStore';
import { reportStorageError } from './storageErrors';
import { OverallProgress } from './overallProgress';
import { judgePeople } from '../scoring/faces/faceJudgement';
import { cancelPeopleChecks, checkPeople, usePeopleChecks } from './peopleChecks';
import { flushTilePatches, queueNewTile, queueProgress, queueTilePatch, tileById } from './tilePatches';

export { db } from './libraryDb';
import { db } from './libraryDb';
import { attachFile, fileOf, hasFile } from './files';
let pool: DecodePool | null = null;
let queue: Promise<void> = Promise.resolve();
let abort = new AbortController();
const overall = new OverallProgress();
let nextUnreadable = 1;
/** Content hashes already being added in this session (a folder may hold the same file twice). */
const claimed = new Set<string>();

function decodePool(): DecodePool {
  // Leave a core for the encoder: on two cores, decode and inference compete (REFERENCE §7).
  pool ??= new DecodePool(Math.max(2, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)));
  return pool;
}

const modelId = currentModelId;

onEngineReady(() => {
  void attachKeptEmbeddings().then(() => {
    // Images decoded while the model was missing get their scores once it arrives.
    const { tiles, order } = useLibrary.getState();
    const pending = order.filter((id) => tiles[id].status === 'decoded' && hasFile(id));
    if (pending.length > 0) enqueue(pending);
  });
});

/** After a reload or a model change: scores and embeddings already computed for these files. */
async function attachKeptEmbeddings(): Promise<void> {
  const model = modelId();
  if (!model) return;
  const { order, tiles } = useLibrary.getState();
  const ids = order.filter((id) => tiles[id].status !== 'scored' && tiles[id].status !== 'failed');
  if (ids.length === 0) return;
  const kept = await getEmbeddings(db, model, ids);
  const patches: { id: string; patch: Partial<Tile> }[] = [];
  kept.forEach((k, i) => {
    if (!k) return;
    setEmbedding(ids[i], k.embedding);
    patches.push({ id: ids[i], patch: { status: 'scored', score: k.aesthetic } });
  });
  useLibrary.getState().patchTiles(patches);
  useLibrary.getState().bumpEmbeddings();
}

function tileFrom(stored: StoredImage, hasFile: boolean): Tile {
  return {
    id: stored.key,
    name: stored.name,
    path: stored.path,
    bytes: stored.bytes,
    status: stored.error ? 'failed' : hasFile ? 'queued' : 'cancelled',
    score: null,
    error: stored.error,
    thumbUrl: stored.thumbnail ? URL.createObjectURL(stored.thumbnail) : null,
    width: stored.width,
    height: stored.height,
    decision: stored.decision,
    stars: stored.stars,
    hasFile,
    quality: stored.quality,
    capture: stored.metadata?.capture ?? null,
    generation: stored.metadata?.generation ?? null,
    people: stored.faces ? judgePeople(stored.faces) : undefined,
    peopleNote: stored.facesNote,
  };
}

/** Brings back the last session: its images (thumbnails, decisions), tags and sliders. */
export async function restoreSession(): Promise<void> {
  const session = await loadSession(db).catch(() => undefined);
  if (!session) return;
  useRanking.getState().restore(session);
  const stored = await getImages(db, session.order);
  useLibrary.getState().upsertTiles(stored.filter((s): s is StoredImage => !!s).map((s) => tileFrom(s, false)));
  if (await whenEngineReady()) await attachKeptEmbeddings();
}

let saveTimer: ReturnType<typeof setTimeout> | null = null;

/** Saves the session (which images, tags, sliders) now. */
export async function saveSessionNow(): Promise<void> {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  const { order } = useLibrary.getState();
  const r = useRanking.getState();
  await saveSession(db, {
    order: order.filter((id) => !id.startsWith('unreadable:')),
    tags: r.tags.map((t) => t.text),
    activeTag: r.activeTag,
    thresholds: r.thresholds,
    tieMargin: r.tieMargin,
  }).catch(reportStorageError);
}

/** Slider moves and tag clicks come in bursts: the session is saved shortly after the last one. */
export function saveSessionSoon(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void saveSessionNow(), 250);
}

/** Reads and identifies dropped files (content hash, in workers), then queues those that need analysis. */
export async function addFiles(picked: PickedFile[]): Promise<void> {
  if (picked.length === 0) return;
  const p = decodePool();
  const lib = useLibrary.getState();
  let done = 0;
  lib.setReading({ done, total: picked.length });
  overall.reading();
  let pending: string[] = [];
  const flush = () => {
    if (pending.length > 0) enqueue(pending);
    pending = [];
    // A reload while 20,000 files are being read must bring back those read so far, with their decisions.
    flushTilePatches();
    void saveSessionNow();
  };
  let next = 0;
  const worker = async () => {
    while (next < picked.length) {
      const item = picked[next++];
      const id = await identify(p, item);
      if (id) pending.push(id);
      // A store update per file would re-render per file; every 25 is plenty for a progress line.
      if (++done % 25 === 0) useLibrary.getState().setReading({ done, total: picked.length });
      if (pending.length >= 256) flush();
    }
  };
  // Identifying is mostly waiting (a worker's hash, two IndexedDB transactions): many in flight keep the pool busy.
  try {
    await Promise.all(Array.from({ length: p.size * 8 }, worker));
  } finally {
    flush();
    if (overall.readDone()) useLibrary.getState().setRunning(false);
  }
  flushTilePatches();
  useLibrary.getState().setReading(null);
  // New images are part of the session at once: a reload from here on brings them back.
  await saveSessionNow();
}

/** Returns the tile id when the file needs analysis. */
async function identify(p: DecodePool, item: PickedFile): Promise<string | null> {
  const hashed = await p.hash(item.file);
  if (hashed.type === 'failed') {
    const id = `unreadable:${nextUnreadable++}`;
    queueNewTile(
      tileFrom({ key: id, name: item.file.name, path: item.path, bytes: item.file.size, width: null, height: null, thumbnail: null, decision: 'none', stars: 0, error: hashed.reason }, true),
    );
    return null;
  }
  const id = hashed.contentHash;
  const existing = tileById(id);
  attachFile(id, item.file);
  if (claimed.has(id) && !existing) return null; // the same content is being added right now
  claimed.add(id);
  if (existing) {
    // The same content again (a re-drop after reload, or a copy): attach the file, keep one tile.
    useLibrary.getState().patchTile(id, { hasFile: true });
    const again = existing.status === 'cancelled' || (existing.status === 'decoded' && !!modelId());
    if (again) useLibrary.getState().patchTile(id, { status: 'queued' });
    return again ? id : null;
  }
  const [stored] = await getImages(db, [id]).catch(() => [undefined]);
  const record: StoredImage = stored
    ? { ...stored, name: item.file.name, path: item.path }
    : { key: id, name: item.file.name, path: item.path, bytes: item.file.size, width: null, height: null, thumbnail: null, decision: 'none', stars: 0, error: null };
  await mergeImage(db, record).catch(reportStorageError);
  queueNewTile({ ...tileFrom(record, true), status: 'queued', error: null });
  return id;
}

function enqueue(ids: string[]): void {
  // The signal of the moment: a cancel stops this chunk even if it has not started yet.
  const signal = abort.signal;
  overall.queued(ids.length);
  useLibrary.getState().setRunning(true);
  let final: AnalysisProgress | null = null;
  queue = queue
    .then(async () => void (final = await analyse(ids, signal)))
    .catch((err: unknown) => console.error('analysis failed', err))
    .finally(() => {
      if (overall.finished(final, ids.length)) useLibrary.getState().setRunning(false);
    });
}

export function cancelAnalysis(): void {
  abort.abort(new Error('cancelled'));
  abort = new AbortController();
  cancelPeopleChecks();
}

/** Queues the people checks for every analysed image whose file is here and that has not been checked. */
export function checkPeopleOnAll(): void {
  const { tiles, order } = useLibrary.getState();
  checkPeople(
    order.flatMap((id) => {
      const t = tiles[id];
      const file = fileOf(id);
      return file && (t.status === 'scored' || t.status === 'decoded') ? [{ id, file, width: t.width, height: t.height }] : [];
    }),
  );
}

usePeopleChecks.subscribe((s, prev) => {
  if (s.enabled && !prev.enabled) checkPeopleOnAll();
});

/** Re-queues the images a cancel left unanalysed (those whose file is here). */
export function resumeAnalysis(): void {
  const { tiles, order, patchTile } = useLibrary.getState();
  const ids = order.filter((id) => tiles[id].status === 'cancelled' && hasFile(id));
  for (const id of ids) patchTile(id, { status: 'queued' });
  if (ids.length > 0) enqueue(ids);
  checkPeopleOnAll();
}

async function analyse(ids: string[], signal: AbortSignal): Promise<AnalysisProgress> {
  flushTilePatches();
  const ok = await whenEngineReady();
  const config = appConfig();
  const c = inferenceClient();
  const lib = useLibrary.getState();
  const items: AnalysisItem[] = ids
    .filter((id) => hasFile(id) && lib.tiles[id])
    .map((id) => ({ id, file: fileOf(id)!, name: lib.tiles[id].name }));
  overall.skipped(ids.length - items.length);
  const p = decodePool();
  const model = modelId();
  const embed =
    ok && c
      ? async (pixels: Float32Array, count: number, s: AbortSignal) => {
          const r = await c.embedImages(pixels, count, s);
          return { embeddings: r.embeddings, scores: r.scores };
        }
      : null;
  try {
    return await runAnalysis(
      items,
      {
        decodeConcurrency: p.size,
        lookup: model
          ? async (item) => {
              const tile = useLibrary.getState().tiles[item.id];
              // Without the decode-time facts (thumbnail, technical figures) the file is decoded again.
              if (!tile?.thumbUrl || tile.quality === undefined) return null;
              const [kept] = await getEmbeddings(db, model, [item.id]);
              return kept ? { embedding: kept.embedding, score: kept.aesthetic } : null;
            }
          : undefined,
        decode: async (item, s) => {
          const needsThumb = useLibrary.getState().tiles[item.id]?.thumbUrl === null;
          const r = await p.decode(item.file, item.name, needsThumb ? config.thumbSize : 0, s);
          return r.type === 'decoded' ? { ok: true, ...r } : { ok: false, reason: r.reason };
        },
        embed,
      },
      {
        onDecoded: (id, d) => {
          const patch: Partial<Tile> = {
            width: d.width,
            height: d.height,
            quality: d.quality ?? null,
            capture: d.metadata?.capture ?? null,
            generation: d.metadata?.generation ?? null,
          };
          if (d.thumbnail) patch.thumbUrl = URL.createObjectURL(d.thumbnail);
          if (!embed) patch.status = 'decoded';
          queueTilePatch(id, patch);
          const file = fileOf(id);
          if (file) checkPeople([{ id, file, width: d.width, height: d.height }]);
          const t = useLibrary.getState().tiles[id];
          void mergeImage(db, { key: id, name: t.name, path: t.path, bytes: t.bytes, width: d.width, height: d.height, thumbnail: d.thumbnail, error: null, quality: d.quality ?? null, metadata: d.metadata ?? null }).catch(reportStorageError);
        },
        onFailed: (id, reason) => {
          queueTilePatch(id, { status: 'failed', error: reason });
          const t = useLibrary.getState().tiles[id];
          void mergeImage(db, { key: id, name: t.name, path: t.path, bytes: t.bytes, width: null, height: null, thumbnail: null, error: reason }).catch(reportStorageError);
        },
        onScored: (id, embedding, score) => {
          setEmbedding(id, embedding);
          // Kept embeddings skip the decode: their people checks are queued here (checked ones are skipped).
          const t = useLibrary.getState().tiles[id];
          const file = fileOf(id);
          if (file && t) checkPeople([{ id, file, width: t.width, height: t.height }]);
          queueTilePatch(id, { status: 'scored', score }, true);
          if (model) void putEmbedding(db, model, id, { embedding, aesthetic: score }).catch(reportStorageError);
        },
        onProgress: (p) => queueProgress(overall.combine(p)),
      },
      { batchSize: config.batchSize, maxBatchesAhead: 2, pixelsPerImage: PIXELS_PER_IMAGE, embedDim: 512 },
      signal,
    );
  } finally {
    flushTilePatches();
    if (signal.aborted) {
      const { tiles, patchTile } = useLibrary.getState();
      for (const id of ids) if (tiles[id]?.status === 'queued') patchTile(id, { status: 'cancelled' });
    }
  }
}
