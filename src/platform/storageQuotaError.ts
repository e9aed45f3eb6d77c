/**
 * Whether a failed write ran out of the site's storage (IndexedDB, Cache Storage): the one rule for every
 * store, so a full disk is reported the same way wherever it happens.
 *
 * The union of the two rules this replaces: any thrown object is looked at, not only a `DOMException` (a
 * polyfill or a test double may throw an Error with the same name). Firefox used its own name; old WebKit
 * only set the legacy code 22.
 */
export function isStorageQuotaError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22;
}
