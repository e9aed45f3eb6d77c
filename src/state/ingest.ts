/**
 * Stage 1 of the pipeline (state/pipeline.ts): dropped files become tiles. Each file is identified by its
 * content hash (read in a decode worker), so a re-drop or a copy attaches to the tile it already has, with
 * its decisions; new ones are recorded in IndexedDB at once, so a reload brings back what was read so far.
 */
import type { PickedFile } from '../library/collectFiles';
import type { DecodePool } from '../library/decodePool';
import { getImages, mergeImage, type StoredImage } from '../library/persistence';
import { decodePool } from './decoders';
import { currentModelId } from './engineController';
import { attachFile } from './files';
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
export async function identifyFiles(picked: PickedFile[], onChunk: (ids: string[]) => void): Promise<void> {
  const p = decodePool();
  let done = 0;
  useLibrary.getState().setReading({ done, total: picked.length });
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
    while (next < picked.length) {
      const item = picked[next++];
      const id = await identify(p, item);
      if (id) pending.push(id);
      // A store update per file would re-render per file; every 25 is plenty for a progress line.
      if (++done % 25 === 0) useLibrary.getState().setReading({ done, total: picked.length });
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
    const again = existing.status === 'cancelled' || (existing.status === 'decoded' && !!currentModelId());
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
