import { describe, expect, it } from 'vitest';
import { isStorageQuotaError } from '../src/platform/storageQuotaError';

describe('isStorageQuotaError', () => {
  it("recognises every browser's way of saying the storage is full", () => {
    expect(isStorageQuotaError(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    // Firefox's own name, and old WebKit's legacy code 22 under another name.
    expect(isStorageQuotaError(new DOMException('full', 'NS_ERROR_DOM_QUOTA_REACHED'))).toBe(true);
    expect(isStorageQuotaError({ name: 'Error', code: 22 })).toBe(true);
  });

  it('recognises a quota error that is not a DOMException (a polyfill or a test double)', () => {
    const error = new Error('storing 2000 bytes would exceed the quota');
    error.name = 'QuotaExceededError';
    expect(isStorageQuotaError(error)).toBe(true);
    expect(isStorageQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
  });

  it('leaves other failures alone', () => {
    expect(isStorageQuotaError(new DOMException('gone', 'NotFoundError'))).toBe(false);
    expect(isStorageQuotaError(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isStorageQuotaError(new Error('QuotaExceededError'))).toBe(false);
    expect(isStorageQuotaError('QuotaExceededError')).toBe(false);
    expect(isStorageQuotaError(null)).toBe(false);
    expect(isStorageQuotaError(undefined)).toBe(false);
  });
});
