/**
 * Stage 1 of the pipeline (state/pipeline.ts): dropped files become tiles. First each file's own small preview
 * is shown (state/firstLooks.ts: read from its first bytes, in a few seconds for a whole card), then each file is
 * identified by its content hash (read in a decode worker), so a re-drop or a copy attaches to the tile it already
 * has, with its decisions; new ones are recorded in IndexedDB at once, so a reload brings back what was read so far.
 * A RAW+JPEG pair is one photo, identified and analysed by its JPEG; the RAW rides along (state/companions.ts).
 */
import type { PickedFile } from '../library/collectFiles';
import type { DecodePool, HashOutcome } from '../library/decodePool';
import { getImages, mergeImage, type StoredImage } from '../library/persistence';
import { pairKey, pairRawJpeg, type PhotoFiles } from '../library/rawJpegPairs';
import { attachCompanion, attachLateCompanions, companionRecord, existingPhotos } from './companions';
import { decodePool } from './decoders';
import { appConfig, currentModelId } from './engineController';
import { attachCompanionFile, attachFile } from './files';
import { db } from './libraryDb';
import { useLibrary } from './libraryStore';
import { saveSessionNow, tileFrom } from './session';
import { reportStorageError } from './storageErrors';
import { queueFirstLook, takeFirstLook, type FirstLook } from './firstLooks';
import { flushTilePatches, queueNewTile, queueTilePatch, scheduleTileFlush, tileById } from './tilePatches';
import { setThumbnail } from './thumbnails';

let nextUnreadable = 1;
/** Content hashes already being added in this session (a folder may hold the same file twice). */
const claimed = new Set<string>();

/**
 * Identified images are handed on in chunks: the first of one encoder batch, so the analysis starts after a
 * handful of files rather than after 256 (3–6 s of hashing on a card of 24-MP JPEGs), then twice as many each
 * time up to CHUNK (a flush saves the session: a few per drop, not one per file), and whatever is left at the end.
 */
const FIRST_CHUNK = 8;
const CHUNK = 256;
/** Files per first-look call: each is a small read and decode, so one call per file would be mostly overhead. */
const LOOK_BATCH = 8;
/** A folder whose first files carry no preview (exports, screenshots, AI images) is not searched further. */
const LOOK_GIVE_UP_AFTER = 64;
let nextDrop = 1;

/**
 * Reads and identifies the files (content hash, in workers); `onChunk` receives the ids that need analysis,
 * a chunk at a time, while the rest are still being read.
 */
export async function identifyFiles(dropped: PickedFile[], onChunk: (ids: string[]) => void): Promise<void> {
  const p = decodePool();
  // RAW+JPEG pairs become one photo before anything is hashed: the RAW is never identified or analysed.
  flushTilePatches();
  const { photos, late } = pairRawJpeg(dropped, existingPhotos());
  attachLateCompanions(late);
  let done = 0;
  useLibrary.getState().setReading({ done, total: photos.length });
  const looks = showFirstLooks(p, photos);
  let pending: string[] = [];
  let chunk = FIRST_CHUNK;
  const flush = () => {
    if (pending.length > 0) onChunk(pending);
    pending = [];
    // A reload while 20,000 files are being read must bring back those read so far, with their decisions.
    flushTilePatches();
    void saveSessionNow();
  };
  let next = 0;
  const reader = async () => {
    while (next < photos.length) {
      const index = next++;
      const item = photos[index];
      const id = await identify(p, item, () => looks.identified(index));
      if (id) pending.push(id);
      // A store update per file would re-render per file; every 25 is plenty for a progress line.
      if (++done % 25 === 0) useLibrary.getState().setReading({ done, total: photos.length });
      if (pending.length >= chunk) {
        flush();
        chunk = Math.min(CHUNK, chunk * 2);
      }
    }
  };
  // Identifying is mostly waiting (a worker's hash, two IndexedDB transactions): many in flight keep the pool busy.
  try {
    await Promise.all(Array.from({ length: p.size * 8 }, reader));
  } finally {
    looks.stop();
    flush();
  }
  useLibrary.getState().setReading(null);
  // New images are part of the session at once: a reload from here on brings them back.
  await saveSessionNow();
}

interface FirstLookPass {
  /**
   * The file at `index` is identified: once its look is known (looks go first in the pool, so this is soon), the
   * look leaves the grid and its thumbnail URL is the caller's; null when it has none.
   */
  identified(index: number): Promise<FirstLook | null>;
  /** No more looks are wanted (all files are identified): the rest of the pass is dropped. */
  stop(): void;
}

/**
 * Shows each file's first look (state/firstLooks.ts) while the files wait to be identified: a few files per
 * decode-worker call, ahead of every hash and decode in the pool.
 */
function showFirstLooks(p: DecodePool, photos: PhotoFiles[]): FirstLookPass {
  const drop = nextDrop++;
  const key = (index: number) => `${drop}:${index}`;
  const stopped = new AbortController();
  const size = appConfig().thumbSize;
  /** Files whose look is known (shown, or none); all of them once the pass ends. */
  let known = 0;
  let waiting: { index: number; resolve: () => void }[] = [];
  const advance = (to: number) => {
    known = to;
    const ready = waiting.filter((w) => w.index < known);
    waiting = waiting.filter((w) => w.index >= known);
    for (const w of ready) w.resolve();
  };
  // Batches are taken in order by as many loops as there are workers; `known` moves on as the batches before
  // it complete, so a file is never identified ahead of its look.
  let found = 0;
  let next = 0;
  const done = new Set<number>();
  const looker = async () => {
    while (next < photos.length && !stopped.signal.aborted) {
      const start = next;
      next += LOOK_BATCH;
      if (start >= LOOK_GIVE_UP_AFTER && found === 0) return;
      const batch = photos.slice(start, start + LOOK_BATCH).map((ph) => ({ file: ph.primary.file, name: ph.primary.file.name }));
      const outcome = await p.firstLooks({ files: batch, size }, stopped.signal).catch(() => null);
      // A worker that crashed on the batch (or whose script did not load) ends the looks, not the drop.
      if (!outcome || outcome.type === 'failed') return;
      outcome.looks.forEach((look, k) => {
        if (!look) return;
        found++;
        const { file, path } = photos[start + k].primary;
        queueFirstLook({ key: key(start + k), name: file.name, path, thumbUrl: URL.createObjectURL(look), thumbnail: look });
      });
      scheduleTileFlush();
      done.add(start);
      let to = known;
      while (done.has(to)) to += LOOK_BATCH;
      if (to > known) advance(Math.min(to, photos.length));
    }
  };
  // However the pass ends, no file waits for a look any more.
  void Promise.allSettled(Array.from({ length: p.size }, looker)).then(() => advance(photos.length));
  return {
    identified: async (index) => {
      if (index >= known) await new Promise<void>((resolve) => waiting.push({ index, resolve }));
      return takeFirstLook(key(index));
    },
    stop: () => stopped.abort(),
  };
}

/** Returns the tile id when the file needs analysis. `firstLook`: the file's look, if it was shown. */
async function identify(p: DecodePool, photo: PhotoFiles, firstLook: () => Promise<FirstLook | null>): Promise<string | null> {
  const item = photo.primary;
  const companion = photo.companion ? companionRecord(photo.companion) : null;
  const hashed = await p.hash(item.file);
  const look = await firstLook();
  // The tile below shows the look only when it is new and has no thumbnail of its own.
  try {
    return await tileFor(hashed, photo, companion, look);
  } finally {
    // The look's place in the grid goes with the next flush; the tile shows its blob by a URL of its own.
    if (look) setTimeout(() => URL.revokeObjectURL(look.thumbUrl), 5000);
  }
}

async function tileFor(
  hashed: HashOutcome,
  photo: PhotoFiles,
  companion: ReturnType<typeof companionRecord> | null,
  firstLook: FirstLook | null,
): Promise<string | null> {
  const item = photo.primary;
  if (hashed.type === 'failed') {
    const id = `unreadable:${nextUnreadable++}`;
    queueNewTile(
      tileFrom({ key: id, name: item.file.name, path: item.path, bytes: item.file.size, width: null, height: null, thumbnail: null, decision: 'none', stars: 0, error: hashed.reason, companion }, true),
    );
    return null;
  }
  const id = hashed.contentHash;
  const existing = tileById(id);
  attachFile(id, item.file);
  if (claimed.has(id) && !existing) return null; // the same content is being added right now
  claimed.add(id);
  if (existing) {
    // The same content again (a re-drop after reload, or a copy): attach the file, keep one tile. The change
    // goes out with the next flush: one store change per file would copy the tile map each time (O(n²) when
    // 20,000 files are dropped again).
    attachCompanion(id, existing.path, photo.companion);
    const again = existing.status === 'cancelled' || (existing.status === 'decoded' && !!currentModelId());
    queueTilePatch(id, again ? { hasFile: true, status: 'queued' } : { hasFile: true });
    return again ? id : null;
  }
  const [stored] = await getImages(db, [id]).catch(() => [undefined]);
  // A RAW recorded earlier stays while the JPEG is where it was; the JPEG moved elsewhere leaves it behind.
  const kept = stored?.companion && pairKey(stored.companion.path) === pairKey(item.path) ? stored.companion : null;
  const record: StoredImage = stored
    ? { ...stored, name: item.file.name, path: item.path, companion: companion ?? kept }
    : { key: id, name: item.file.name, path: item.path, bytes: item.file.size, width: null, height: null, thumbnail: null, decision: 'none', stars: 0, error: null, companion };
  if (photo.companion) attachCompanionFile(id, photo.companion.file);
  await mergeImage(db, record).catch(reportStorageError);
  const tile = { ...tileFrom(record, true), status: 'queued' as const, error: null };
  // The file's own thumbnail goes on showing; the analysis replaces it with its own (state/analyse.ts).
  if (!tile.hasThumb && firstLook) {
    Object.assign(tile, { hasThumb: true, firstLook: true });
    setThumbnail(id, firstLook.thumbnail);
  }
  queueNewTile(tile);
  return id;
}
