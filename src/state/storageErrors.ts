import { isStorageQuotaError } from '../platform/storageQuotaError';
import { useUi } from './uiStore';

/** Storage failures never stop the work in progress; the user is told what was not kept. */
export function reportStorageError(error: unknown): void {
  const message = isStorageQuotaError(error)
    ? 'The browser’s storage for this site is full: new results are shown but not kept after a reload. Free space or export your work.'
    : `Could not save to the browser’s storage: ${error instanceof Error ? error.message : String(error)}`;
  useUi.getState().notify(message);
}
