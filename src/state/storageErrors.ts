import { isStorageQuotaError } from '../platform/storageQuotaError';
import { useUi } from './uiStore';

type QuotaListener = () => void;
const quotaListeners = new Set<QuotaListener>();

/**
 * Told when a write ran out of the site's storage (state/backgroundPasses.ts pauses the analysis then: every
 * image analysed on would be lost on a reload, and each failed write would say so again).
 */
export function onStorageFull(listener: QuotaListener): () => void {
  quotaListeners.add(listener);
  return () => quotaListeners.delete(listener);
}

/**
 * Storage failures are told to the user with what was not kept. A full storage also pauses the analysis
 * (onStorageFull); decisions stay on screen, and those saved before stay saved.
 */
export function reportStorageError(error: unknown): void {
  if (isStorageQuotaError(error)) {
    useUi.setState({ storageFull: true });
    useUi
      .getState()
      .notify(
        'The browser’s storage for this site is full: analysis is paused, and results from here on would not be kept after a reload. Free space (Storage, in the header: delete models or data you no longer need), then Resume.',
      );
    for (const listener of quotaListeners) listener();
    return;
  }
  useUi.getState().notify(`Could not save to the browser’s storage: ${error instanceof Error ? error.message : String(error)}`);
}
