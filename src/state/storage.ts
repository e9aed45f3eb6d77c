/**
 * Keeping the user's data: the browser is asked to keep it (`navigator.storage.persist()`) at moments a user
 * understands (the first decision, once a model is cached for offline use), once per visit, never on load; the
 * storage panel shows what is kept and offers to ask again, or to delete the downloaded models.
 */
import { create } from 'zustand';
import { deleteModelCache, readStorageFacts, requestPersistence, type StorageFacts } from '../library/storageFacts';

export type KeepMoment = 'first-decision' | 'model-cached' | 'asked-by-user';

interface StorageState {
  facts: StorageFacts | null;
  /** The last time the browser was asked to keep the data, and why. */
  asked: { moment: KeepMoment; granted: boolean | null } | null;
  set(patch: Partial<Pick<StorageState, 'facts' | 'asked'>>): void;
}

export const useStorage = create<StorageState>((set) => ({
  facts: null,
  asked: null,
  set: (patch) => set(patch),
}));

export async function refreshStorageFacts(): Promise<StorageFacts> {
  const facts = await readStorageFacts();
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

export async function deleteDownloadedModels(): Promise<void> {
  await deleteModelCache();
  await refreshStorageFacts();
}
