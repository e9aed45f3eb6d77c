/**
 * Stage 2 of the pipeline (state/pipeline.ts): each identified image is decoded (decode worker: CLIP's
 * 224² tensor, thumbnail, technical figures, metadata), embedded and scored (inference worker), and its
 * tile and stored record are updated. Chunks run one after another; one progress line covers them all.
 */
import { getEmbeddings } from '../library/persistence';
import { flushAnalysisWrites, queueEmbedding, queueImageRecord } from './analysisWrites';
import { AnalysisFeed, runAnalysis, type AnalysisItem, type AnalysisProgress, type Decoded } from './analysisScheduler';
import { decodePool } from './decoders';
import { analysisDecodeOptions } from './decodeOptions';
import { setEmbedding } from './embeddingRegistry';
import { appConfig, currentModelId, embeddingDim, inferenceClient, whenEngineReady } from './engineController';
import { fileOf, hasFile } from './files';
import { db } from './libraryDb';
import { useLibrary, type Tile } from './libraryStore';
import { OverallProgress } from './overallProgress';
import { cancelPeopleChecks, checkPeople } from './peopleChecks';
import { setThumbnail } from './thumbnails';
import { flushTilePatches, queueProgress, queueTilePatch } from './tilePatches';
import { useUi } from './uiStore';

let queue: Promise<void> = Promise.resolve();
let abort = new AbortController();
const overall = new OverallProgress();

/** The last run queued, while files are still being read: later chunks join its feed (AnalysisFeed). */
let joinable: { feed: AnalysisFeed; ids: string[]; signal: AbortSignal; model: string | null } | null = null;

/**
 * Stopped (Cancel, or storage full) while files may still be read: chunks identified from then on are marked
 * cancelled instead of analysed, for Resume to pick up. A new drop or Resume ends it.
 */
let paused = false;

/** A drop is being read: the progress line counts from here until the last chunk is analysed. */
export function beginReading(): void {
  paused = false;
  overall.reading();
}

export function endReading(): void {
  const idle = overall.readDone();
  if (!overall.isReading()) closeJoinable();
  if (idle) useLibrary.getState().setRunning(false);
}

function closeJoinable(): void {
  joinable?.feed.close();
  joinable = null;
}

/** Queues images for analysis after those already queued, or adds them to the run still taking chunks. */
export function analyseImages(ids: string[]): void {
  if (paused) {
    flushTilePatches();
    markCancelled(ids);
    return;
  }
  // The signal of the moment: a cancel stops this chunk even if it has not started yet.
  const signal = abort.signal;
  const model = currentModelId();
  if (joinable && joinable.signal === signal && joinable.model === model) {
    // The chunk's new tiles may still be in the patch queue: they must be in the store to be analysed.
    flushTilePatches();
    const items = itemsOf(ids);
    overall.joined(ids.length, ids.length - items.length);
    joinable.ids.push(...ids);
    joinable.feed.add(items);
    return;
  }
  closeJoinable();
  overall.queued(ids.length);
  useLibrary.getState().setRunning(true);
  // The feed stays open for more chunks while a drop is being read; one queued behind it closes it.
  const run = { feed: new AnalysisFeed([], overall.isReading()), ids: [...ids], signal, model };
  if (!run.feed.closed) joinable = run;
  let final: AnalysisProgress | null = null;
  queue = queue
    .then(async () => void (final = await analyse(run.feed, ids, run.ids, signal)))
    .catch((err: unknown) => console.error('analysis failed', err))
    .finally(() => {
      if (joinable === run) closeJoinable();
      if (overall.finished(final, run.ids.length)) useLibrary.getState().setRunning(false);
    });
}

/** Those of these images still waiting for analysis wait for Resume instead. */
function markCancelled(ids: string[]): void {
  // Patches still waiting (a re-drop's "queued") land first, so none turns a cancelled image back to queued.
  flushTilePatches();
  // One store change for all of them: a change per image copies the tile map each time (O(n²) at 20,000).
  const { tiles, patchTiles } = useLibrary.getState();
  patchTiles(ids.filter((id) => tiles[id]?.status === 'queued').map((id) => ({ id, patch: { status: 'cancelled' as const } })));
}

/** The images of these ids that can be analysed now (their file is here and their tile too). */
function itemsOf(ids: string[]): AnalysisItem[] {
  const lib = useLibrary.getState();
  return ids.filter((id) => hasFile(id) && lib.tiles[id]).map((id) => ({ id, file: fileOf(id)!, name: lib.tiles[id].name }));
}

export function cancelAnalysis(): void {
  paused = true;
  abort.abort(new Error('cancelled'));
  abort = new AbortController();
  cancelPeopleChecks();
}

/** Re-queues the images a cancel left unanalysed (those whose file is here). */
export function resumeAnalysis(): void {
  paused = false;
  useUi.setState({ storageFull: false });
  const { tiles, order, patchTiles } = useLibrary.getState();
  const ids = order.filter((id) => tiles[id].status === 'cancelled' && hasFile(id));
  patchTiles(ids.map((id) => ({ id, patch: { status: 'queued' as const } })));
  if (ids.length > 0) analyseImages(ids);
  checkPeopleOnAll();
}

/** Images decoded while the model was missing get their scores once it arrives. */
export function analyseDecodedWithoutScores(): void {
  const { tiles, order } = useLibrary.getState();
  const pending = order.filter((id) => tiles[id].status === 'decoded' && hasFile(id));
  if (pending.length > 0) analyseImages(pending);
}

/** Queues the people checks for every analysed image whose file is here and that has not been checked. */
export function checkPeopleOnAll(): void {
  const { tiles, order } = useLibrary.getState();
  checkPeople(
    order.flatMap((id) => {
      const t = tiles[id];
      const file = fileOf(id);
      return file && (t.status === 'scored' || t.status === 'decoded') ? [{ id, file, name: t.name }] : [];
    }),
  );
}

/**
 * One run: decode → embed → score → tile, each image stored as soon as it has something to keep. `first` are
 * the ids it was queued with; `all` grows as chunks join its feed.
 */
async function analyse(feed: AnalysisFeed, first: string[], all: string[], signal: AbortSignal): Promise<AnalysisProgress> {
  flushTilePatches();
  const ok = await whenEngineReady();
  const items = itemsOf(first);
  overall.skipped(first.length - items.length);
  // Chunks that joined while the engine started are behind these, as they were read.
  feed.prepend(items);
  const model = currentModelId();
  const client = ok ? inferenceClient() : null;
  const pool = decodePool();
  try {
    return await runAnalysis(
      feed,
      {
        decodeConcurrency: pool.size,
        lookup: model ? (item) => keptResult(model, item.id) : undefined,
        decode: async (item, s) => {
          const tile = useLibrary.getState().tiles[item.id];
          const needsThumb = !tile?.hasThumb || tile.firstLook === true;
          const r = await pool.decode({ file: item.file, name: item.name, thumbSize: needsThumb ? appConfig().thumbSize : 0, ...analysisDecodeOptions() }, s);
          return r.type === 'decoded' ? { ok: true, ...r } : { ok: false, reason: r.reason };
        },
        embed: client ? (images, s) => client.embedImages(images, images.length, s) : null,
      },
      {
        onDecoded: (id, d) => decoded(id, d, !client),
        onFailed: failed,
        onScored: (id, embedding, score) => scored(model, id, embedding, score),
        onProgress: (p) => queueProgress(overall.combine(p)),
      },
      { batchSize: appConfig().batchSize, maxBatchesAhead: 2, embedDim: embeddingDim() },
      signal,
    );
  } finally {
    flushTilePatches();
    if (signal.aborted) markCancelled(all);
    // The run counts as finished once its results are stored: a reload from then on loses nothing.
    await flushAnalysisWrites();
  }
}

/** What an earlier run kept for this file and model; without the decode-time facts the file is decoded again. */
async function keptResult(model: string, id: string): Promise<{ embedding: Float32Array; score: number | null } | null> {
  const tile = useLibrary.getState().tiles[id];
  if (!tile?.hasThumb || tile.quality === undefined) return null;
  const [kept] = await getEmbeddings(db, model, [id]);
  return kept ? { embedding: kept.embedding, score: kept.aesthetic } : null;
}

function decoded(id: string, d: Extract<Decoded, { ok: true }>, final: boolean): void {
  const patch: Partial<Tile> = {
    width: d.width,
    height: d.height,
    quality: d.quality ?? null,
    capture: d.metadata?.capture ?? null,
    generation: d.metadata?.generation ?? null,
  };
  if (d.thumbnail) {
    patch.hasThumb = true;
    // The file's first look (if it showed one) gives way to the analysis's thumbnail.
    patch.firstLook = undefined;
    setThumbnail(id, d.thumbnail);
  }
  if (d.origin && d.origin.kind !== 'file') patch.origin = d.origin;
  // Without a model, decoding is as far as an image goes.
  if (final) patch.status = 'decoded';
  queueTilePatch(id, patch);
  const file = fileOf(id);
  const t = useLibrary.getState().tiles[id];
  const image = d.faceImage ? { bitmap: d.faceImage, source: { width: d.width, height: d.height } } : undefined;
  if (file && t) checkPeople([{ id, file, name: t.name, image }]);
  else d.faceImage?.close();
  queueImageRecord(db, { key: id, name: t.name, path: t.path, bytes: t.bytes, width: d.width, height: d.height, thumbnail: d.thumbnail, error: null, quality: d.quality ?? null, metadata: d.metadata ?? null, origin: d.origin });
}

function failed(id: string, reason: string): void {
  queueTilePatch(id, { status: 'failed', error: reason });
  const t = useLibrary.getState().tiles[id];
  queueImageRecord(db, { key: id, name: t.name, path: t.path, bytes: t.bytes, width: null, height: null, thumbnail: null, error: reason });
}

function scored(model: string | null, id: string, embedding: Float32Array, score: number | null): void {
  setEmbedding(id, embedding);
  // Kept embeddings skip the decode: their people checks are queued here (checked ones are skipped).
  const t = useLibrary.getState().tiles[id];
  const file = fileOf(id);
  if (file && t) checkPeople([{ id, file, name: t.name }]);
  queueTilePatch(id, { status: 'scored', score }, true);
  if (model) queueEmbedding(db, model, id, { embedding, aesthetic: score });
}
