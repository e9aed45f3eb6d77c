/**
 * Keeping the user's data: the browser is asked to keep it (`navigator.storage.persist()`) at moments a user
 * understands (the first decision, once a model is cached for offline use), once per visit, never on load; the
 * storage panel shows what is kept and offers to ask again, or to delete the downloaded models.
 */
import { create } from 'zustand';
import { deleteModelCache, readStorageFacts, requestPersistence, type StorageFacts } from '../library/storageFacts';
import { writeMarker } from './keptMarker';
import { db } from './libraryDb';

export type KeepMoment = 'first-decision' | 'model-cached' | 'asked-by-user';

interface StorageState {
  facts: StorageFacts | null;
  /** The last time the browser was asked to keep the data, and why. */
  asked: { moment: KeepMoment; granted: boolean | null } | null;
  /** What the browser deleted since the last visit, as told on load (eviction.ts); null when nothing. */
  evicted: string | null;
  set(patch: Partial<Pick<StorageState, 'facts' | 'asked' | 'evicted'>>): void;
}

export const useStorage = create<StorageState>((set) => ({
  facts: null,
  asked: null,
  evicted: null,
  set: (patch) => set(patch),
}));

let refreshes = 0;

/**
 * Reads the facts again. The thumbnails are counted (a pass over every image record) only when asked, for the
 * storage panel; otherwise the last count stays. The note of what is stored follows the model cache.
 */
export async function refreshStorageFacts(options: { thumbnails?: boolean } = {}): Promise<StorageFacts> {
  const mine = ++refreshes;
  const read = await readStorageFacts(options.thumbnails ? db : undefined);
  const current = useStorage.getState().facts;
  // Reads overlap (the panel opening, a delete, a request to keep the data): the last one started has the
  // latest figures, so an earlier read that ends after it only adds its thumbnail count.
  if (mine !== refreshes && current) {
    const facts = options.thumbnails ? { ...current, thumbnailBytes: read.thumbnailBytes } : current;
    useStorage.getState().set({ facts });
    return facts;
  }
  const facts = options.thumbnails ? read : { ...read, thumbnailBytes: current?.thumbnailBytes ?? null };
  if (facts.modelIds) writeMarker({ models: facts.modelIds });
  useStorage.getState().set({ facts });
  return facts;
}

/** Asks the browser to keep the data, unless it already does or was asked this visit (the user may ask again). */
export async function askToKeepData(moment: KeepMoment): Promise<void> {
  const { asked } = useStorage.getState();
  if (asked && moment !== 'asked-by-user') return;
  // Marked before the await: two decisions in a row ask once.
  useStorage.getState().set({ asked: { moment, granted: null } });
  const granted = (await navigator.storage?.persisted?.().catch(() => false)) ? true : await requestPersistence();
  useStorage.getState().set({ asked: { moment, granted } });
  await refreshStorageFacts();
}

/** Deletes the downloaded models; the note then says none are stored, so the next load reports no loss. */
export async function deleteDownloadedModels(): Promise<void> {
  await deleteModelCache();
  writeMarker({ models: [] });
  await refreshStorageFacts();
}
