/**
 * Long enough for the browser to have started reading the blob (Firefox and Safari fail if the URL is revoked
 * during the click's task), short enough not to hold a large zip in memory for the whole session.
 */
const REVOKE_AFTER_MS = 30_000;

/** Browser only: hands a blob to the browser's download machinery under the given file name. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  // Firefox ignores clicks on links that are not in the document.
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}
