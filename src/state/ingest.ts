/**
 * Stage 1 of the pipeline (state/pipeline.ts): dropped files become tiles. Each file is identified by its
 * content hash (read in a decode worker), so a re-drop or a copy attaches to the tile it already has, with
 * its decisions; new ones are recorded in IndexedDB at once, so a reload brings back what was read so far.
 * A RAW+JPEG pair is one photo, identified and analysed by its JPEG; the RAW rides along (state/companions.ts).
 */
import type { PickedFile } from '../library/collectFiles';
import type { DecodePool } from '../library/decodePool';
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
import { flushTilePatches, queueNewTile, tileById } from './tilePatches';

let nextUnreadable = 1;
/** Content hashes already being added in this session (a folder may hold the same file twice). */
const claimed = new Set<string>();

/** Identified images are handed on in chunks of this many (and whatever is left at the end). */
const CHUNK = 256;

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
  let pending: string[] = [];
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
      const item = photos[next++];
      const id = await identify(p, item);
      if (id) pending.push(id);
      // A store update per file would re-render per file; every 25 is plenty for a progress line.
      if (++done % 25 === 0) useLibrary.getState().setReading({ done, total: photos.length });
      if (pending.length >= CHUNK) flush();
    }
  };
  // Identifying is mostly waiting (a worker's hash, two IndexedDB transactions): many in flight keep the pool busy.
  try {
    await Promise.all(Array.from({ length: p.size * 8 }, reader));
  } finally {
    flush();
  }
  useLibrary.getState().setReading(null);
  // New images are part of the session at once: a reload from here on brings them back.
  await saveSessionNow();
}

/** Returns the tile id when the file needs analysis. */
async function identify(p: DecodePool, photo: PhotoFiles): Promise<string | null> {
  const item = photo.primary;
  const companion = photo.companion ? companionRecord(photo.companion) : null;
  const hashed = await p.identify({ file: item.file, name: item.file.name, firstLookSize: appConfig().thumbSize });
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
    // The same content again (a re-drop after reload, or a copy): attach the file, keep one tile.
    useLibrary.getState().patchTile(id, { hasFile: true });
    attachCompanion(id, existing.path, photo.companion);
    const again = existing.status === 'cancelled' || (existing.status === 'decoded' && !!currentModelId());
    if (again) useLibrary.getState().patchTile(id, { status: 'queued' });
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
  // The file's own thumbnail shows at once; the analysis replaces it with its own (state/analyse.ts).
  if (!tile.thumbUrl && hashed.firstLook) Object.assign(tile, { thumbUrl: URL.createObjectURL(hashed.firstLook), firstLook: true });
  queueNewTile(tile);
  return id;
}
