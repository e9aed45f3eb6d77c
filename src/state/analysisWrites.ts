/**
 * The analysis's writes to IndexedDB (each image's record when decoded or failed, its embedding when
 * scored), gathered and written in one transaction per store. Written one by one they cost the page two
 * transactions per image, about 8 s of main thread for 8,000 images (bench/profileMain.ts).
 * They go out with the tile patches (state/tilePatches.ts): a tile shown as analysed, and so a tile the user
 * can decide on, always has its results on their way to storage.
 */
import { mergeImages, putEmbeddings, type LibraryDb, type StoredEmbedding, type StoredImage } from '../library/persistence';
import { reportStorageError } from './storageErrors';
import { thumbnailStored } from './thumbnails';

type ImageFacts = Omit<StoredImage, 'decision' | 'stars' | 'label'>;

let target: LibraryDb | null = null;
let records: ImageFacts[] = [];
let embeddings = new Map<string, [string, StoredEmbedding][]>();
let writing: Promise<void> = Promise.resolve();

export function queueImageRecord(db: LibraryDb, record: ImageFacts): void {
  use(db);
  records.push(record);
}

export function queueEmbedding(db: LibraryDb, model: string, id: string, value: StoredEmbedding): void {
  use(db);
  const list = embeddings.get(model) ?? [];
  list.push([id, value]);
  embeddings.set(model, list);
}

/** Writes what is queued; resolves once it, and every write before it, is stored (or has failed and been reported). */
export function flushAnalysisWrites(): Promise<void> {
  const db = target;
  const batch = { records, embeddings };
  records = [];
  embeddings = new Map();
  if (db && (batch.records.length > 0 || batch.embeddings.size > 0)) {
    // Started at once: IndexedDB runs read-write transactions on the same store in the order they were made.
    writing = Promise.all([writing, write(db, batch)]).then(() => undefined);
  }
  return writing;
}

async function write(db: LibraryDb, batch: { records: ImageFacts[]; embeddings: Map<string, [string, StoredEmbedding][]> }): Promise<void> {
  await Promise.all([
    mergeImages(db, batch.records).then(() => {
      // Stored: the thumbnail is read back from there when next shown, and its blob can go.
      for (const r of batch.records) if (r.thumbnail) thumbnailStored(r.key, r.thumbnail);
    }, reportStorageError),
    ...[...batch.embeddings].map(([model, list]) => putEmbeddings(db, model, list).catch(reportStorageError)),
  ]);
}

function use(db: LibraryDb): void {
  // Writes for another database (tests open their own) go out first, to the one they were queued for.
  if (target && target !== db) void flushAnalysisWrites();
  target = db;
}

if (typeof addEventListener === 'function') addEventListener('pagehide', () => void flushAnalysisWrites());
