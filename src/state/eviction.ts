/**
 * On load: did the browser delete the models or the library since the last visit? The note in localStorage
 * (keptMarker.ts) says what was stored; the model cache and the library's records say what is left. A loss is
 * said plainly in a notice and in the storage panel, once; the note then follows the library as it changes.
 */
import { cachedModelIds, storedImageCount } from '../library/storageFacts';
import { evictionNotice, readMarker, whatWasEvicted, writeMarker } from './keptMarker';
import { db } from './libraryDb';
import { useLibrary } from './libraryStore';
import { useStorage } from './storage';
import { useUi } from './uiStore';

/** Photos with a stored record: every tile but the unreadable drops, which are never stored. */
const storedCount = (order: readonly string[]) => order.reduce((n, id) => (id.startsWith('unreadable:') ? n : n + 1), 0);

let watching = false;

/** Keeps the note's photo count in step with the library (only when its list of photos changes). */
function watchLibrary(): void {
  if (watching) return;
  watching = true;
  let timer: ReturnType<typeof setTimeout> | null = null;
  useLibrary.subscribe((state, previous) => {
    if (state.order === previous.order) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => writeMarker({ library: storedCount(useLibrary.getState().order) }), 500);
  });
}

/**
 * Resolves once the model cache has been looked at (call it before the engine may fill the cache again); the
 * library is looked at after, off the start's path.
 */
export async function checkForEviction(): Promise<void> {
  const marker = readMarker();
  watchLibrary();
  const models = await cachedModelIds().catch(() => null);
  const modelsLost = whatWasEvicted(marker, { models, library: null });
  if (modelsLost) writeMarker({ models: [] });
  void storedImageCount(db)
    .catch(() => null)
    .then((library) => {
      const evicted = whatWasEvicted(marker, { models, library });
      if (!evicted) return;
      if (evicted.library > 0) writeMarker({ library: storedCount(useLibrary.getState().order) });
      const message = evictionNotice(evicted);
      useStorage.getState().set({ evicted: message });
      useUi.getState().notify(message);
    });
}
