/**
 * The one SHA-256 of the app, as lower-case hex, through Web Crypto: pages, workers, the service worker and
 * Node (the CLI and tests) all have `crypto.subtle`. Used for content hashes, download checks, precache checks
 * and taste-head files.
 */
export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  // subtle.digest refuses views on a SharedArrayBuffer; copying is only needed in that unusual case.
  const data = bytes instanceof ArrayBuffer || bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer> | ArrayBuffer) : bytes.slice();
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
