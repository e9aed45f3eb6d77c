/**
 * What survives a reload: per-image records (thumbnail, size, the user's decision and stars) keyed by the
 * file's content hash, embeddings and scores per model, tag embeddings, and the session (which images,
 * which tags). IndexedDB through idb-keyval; one small database per kind so each can be cleared alone.
 */
import type { ImageMetadata } from './metadata/readMetadata';
import type { PixelOrigin } from './decodeApi';
import type { MeasuredFaces } from '../scoring/faces/measure';
import type { TechnicalQuality } from '../scoring/technicalQuality';
import { createStore, del, get, getMany, promisifyRequest, set, setMany, update, values, type UseStore } from 'idb-keyval';

export type Decision = 'pick' | 'reject' | 'none';
export type Stars = 0 | 1 | 2 | 3 | 4 | 5;
/** Lightroom's keys 6–9 (Red, Yellow, Green, Blue); 'none' when the photo has no colour label. */
export type ColourLabel = 'none' | 'red' | 'yellow' | 'green' | 'blue';

export interface StoredImage {
  key: string;
  name: string;
  path: string;
  bytes: number;
  width: number | null;
  height: number | null;
  thumbnail: Blob | null;
  decision: Decision;
  stars: Stars;
  /** Absent in records older than colour labels: none. */
  label?: ColourLabel;
  error: string | null;
  /** Technical figures measured when the image was decoded (absent in records older than them). */
  quality?: TechnicalQuality | null;
  /** What the pixels were decoded from (absent: the whole file, or a record older than this field). */
  origin?: PixelOrigin;
  /** EXIF capture facts and AI generation prompt, read from the file. */
  metadata?: ImageMetadata | null;
  /** The face worker's raw measurements (judged again on load, so thresholds can move without a rerun). */
  faces?: MeasuredFaces;
  /** Why the people checks could not look at this image (absent when they did, or have not yet). */
  facesNote?: string;
  /** The RAW shot with this JPEG (library/rawJpegPairs.ts): one photo, two files; null or absent when none. */
  companion?: StoredCompanion | null;
}

/** A RAW file that rides with its JPEG's record: only what exports and the badge need, never its bytes. */
export interface StoredCompanion {
  name: string;
  path: string;
  bytes: number;
}

export interface StoredEmbedding {
  embedding: Float32Array;
  aesthetic: number | null;
}

export interface StoredSession {
  /** Content hashes of the session's images, in the order they were added. */
  order: string[];
  tags: string[];
  activeTag: string | null;
  tieMargin: number;
  /** Per-tag threshold the user set; absent = calibrated on the folder. */
  thresholds: Record<string, number>;
}

export interface LibraryDb {
  images: UseStore;
  embeddings: UseStore;
  tagEmbeddings: UseStore;
  session: UseStore;
  tasteHeads: UseStore;
}

export function openLibraryDb(prefix = 'loupe'): LibraryDb {
  return {
    images: createStore(`${prefix}-images`, 'images'),
    embeddings: createStore(`${prefix}-embeddings`, 'embeddings'),
    tagEmbeddings: createStore(`${prefix}-tag-embeddings`, 'tag-embeddings'),
    session: createStore(`${prefix}-session`, 'session'),
    tasteHeads: createStore(`${prefix}-taste-heads`, 'taste-heads'),
  };
}

const embeddingKey = (modelId: string, key: string) => `${modelId}|${key}`;

export async function getImages(db: LibraryDb, keys: string[]): Promise<(StoredImage | undefined)[]> {
  return getMany<StoredImage>(keys, db.images);
}

/**
 * Merges new facts about an image (size, thumbnail, error) into its record without touching the decision
 * and stars already stored: a re-dropped file must not lose the user's work.
 */
export async function mergeImage(db: LibraryDb, image: NewFacts): Promise<StoredImage> {
  let merged: StoredImage | null = null;
  await update<StoredImage>(image.key, (old) => (merged = mergedRecord(old, image)), db.images);
  return merged!;
}

type NewFacts = Omit<StoredImage, 'decision' | 'stars' | 'label'>;

function mergedRecord(old: StoredImage | undefined, image: NewFacts): StoredImage {
  return {
    ...image,
    thumbnail: image.thumbnail ?? old?.thumbnail ?? null,
    quality: image.quality ?? old?.quality,
    metadata: image.metadata ?? old?.metadata,
    faces: image.faces ?? old?.faces,
    facesNote: image.facesNote ?? old?.facesNote,
    // Analysis results say nothing of the RAW beside the file (undefined); identifying it says null when none.
    companion: image.companion === undefined ? old?.companion : image.companion,
    decision: old?.decision ?? 'none',
    stars: old?.stars ?? 0,
    label: old?.label,
  };
}

/**
 * mergeImage for many records in one transaction: one transaction per image cost the page about a
 * millisecond each while thousands were analysed. Facts for the same key are merged in the order given.
 */
export async function mergeImages(db: LibraryDb, images: readonly NewFacts[]): Promise<void> {
  if (images.length === 0) return;
  const byKey = new Map<string, NewFacts[]>();
  for (const image of images) byKey.set(image.key, [...(byKey.get(image.key) ?? []), image]);
  await db.images('readwrite', (store) => {
    for (const [key, facts] of byKey) {
      const read = store.get(key);
      read.onsuccess = () => store.put(facts.reduce<StoredImage | undefined>(mergedRecord, read.result as StoredImage | undefined), key);
    }
    return promisifyRequest(store.transaction);
  });
}

/** The user's decision, written in one transaction; resolves only once it is stored. */
export async function setDecision(
  db: LibraryDb,
  key: string,
  patch: { decision?: Decision; stars?: Stars },
): Promise<void> {
  await update<StoredImage>(
    key,
    (old) => {
      if (!old) throw new Error(`no stored image ${key}`);
      return { ...old, ...patch };
    },
    db.images,
  );
}

/** A RAW that joined its JPEG's photo in a later drop; a record forgotten meanwhile is left alone. */
export async function setCompanion(db: LibraryDb, key: string, companion: StoredCompanion): Promise<void> {
  await db.images('readwrite', (store) => {
    const req = store.get(key);
    req.onsuccess = () => {
      const old = req.result as StoredImage | undefined;
      if (old) store.put({ ...old, companion }, key);
    };
    return transactionDone(store.transaction);
  });
}

/** The people checks' outcome for one stored image: measurements, or why there are none. */
export async function setFaces(db: LibraryDb, key: string, outcome: { faces: MeasuredFaces } | { facesNote: string }): Promise<void> {
  await db.images('readwrite', (store) => {
    const req = store.get(key);
    req.onsuccess = () => {
      const old = req.result as StoredImage | undefined;
      if (!old) return; // forgotten meanwhile: nothing to attach to
      const next: StoredImage = { ...old, ...outcome };
      if ('faces' in outcome) delete next.facesNote;
      else delete next.faces;
      store.put(next, key);
    };
    return transactionDone(store.transaction);
  });
}

/** Several decisions in one transaction (bulk actions, undo). */
export async function setDecisions(
  db: LibraryDb,
  patches: { key: string; decision?: Decision; stars?: Stars; label?: ColourLabel }[],
): Promise<void> {
  await db.images('readwrite', (store) => {
    for (const p of patches) {
      const req = store.get(p.key);
      req.onsuccess = () => {
        const old = req.result as StoredImage | undefined;
        if (!old) return;
        const next: StoredImage = { ...old };
        if (p.decision !== undefined) next.decision = p.decision;
        if (p.stars !== undefined) next.stars = p.stars;
        if (p.label !== undefined) next.label = p.label;
        store.put(next, p.key);
      };
    }
    return transactionDone(store.transaction);
  });
}

function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function putEmbedding(db: LibraryDb, modelId: string, key: string, value: StoredEmbedding): Promise<void> {
  await set(embeddingKey(modelId, key), value, db.embeddings);
}

/** Many embeddings of one model in one transaction. */
export async function putEmbeddings(db: LibraryDb, modelId: string, entries: readonly [key: string, value: StoredEmbedding][]): Promise<void> {
  if (entries.length > 0) await setMany(entries.map(([key, value]) => [embeddingKey(modelId, key), value]), db.embeddings);
}

export async function getEmbeddings(db: LibraryDb, modelId: string, keys: string[]): Promise<(StoredEmbedding | undefined)[]> {
  return getMany<StoredEmbedding>(keys.map((k) => embeddingKey(modelId, k)), db.embeddings);
}

export async function getTagEmbedding(db: LibraryDb, cacheKey: string): Promise<Float32Array | undefined> {
  return get<Float32Array>(cacheKey, db.tagEmbeddings);
}

export async function putTagEmbedding(db: LibraryDb, cacheKey: string, embedding: Float32Array): Promise<void> {
  await set(cacheKey, embedding, db.tagEmbeddings);
}

export async function loadSession(db: LibraryDb): Promise<StoredSession | undefined> {
  return get<StoredSession>('current', db.session);
}

export async function saveSession(db: LibraryDb, session: StoredSession): Promise<void> {
  await set('current', session, db.session);
}

/** What a taste head was trained on and how well it did, shown in the UI and written into its export. */
export interface TasteHeadInfo {
  tag: string;
  modelId: string;
  trainedAt: string;
  picks: number;
  rejects: number;
  starred: number;
  images: number;
  trainPairs: number;
  heldOutPairs: number;
  heldOutAccuracy: number | null;
  /** The ranking score's accuracy on the same held-out pairs, before the taste head. */
  priorHeldOutAccuracy: number | null;
  trainAccuracy: number | null;
  finalLoss: number;
  steps: number;
  /** The score the head was regressed towards (eq. (1)'s s_i): which score ranked the tag before. */
  prior: string;
  backend: string;
  ms: number;
}

/** A head the user trained for one tag of one model: the ONNX itself, so a reload needs no retraining. */
export interface StoredTasteHead {
  onnx: Uint8Array;
  info: TasteHeadInfo;
  enabled: boolean;
}

const tasteKey = (modelId: string, tag: string) => `${modelId}|${tag}`;

export async function putTasteHead(db: LibraryDb, head: StoredTasteHead): Promise<void> {
  await set(tasteKey(head.info.modelId, head.info.tag), head, db.tasteHeads);
}

export async function getTasteHeads(db: LibraryDb, modelId: string): Promise<StoredTasteHead[]> {
  return (await values<StoredTasteHead>(db.tasteHeads)).filter((h) => h.info.modelId === modelId);
}

export async function deleteTasteHead(db: LibraryDb, modelId: string, tag: string): Promise<void> {
  await del(tasteKey(modelId, tag), db.tasteHeads);
}
