/** Looking a file up in a folder handle (File System Access API) where "not there" is an answer, not an error. */

/** Chromium says NotFoundError for a missing name, TypeMismatchError for a folder of that name. */
export const isNotFound = (err: unknown) => ['NotFoundError', 'TypeMismatchError'].includes((err as { name?: string } | null)?.name ?? '');

/** The file handle, or null when the folder has no file of that name. */
export async function fileIn<F>(dir: { getFileHandle(name: string): Promise<F> }, name: string): Promise<F | null> {
  try {
    return await dir.getFileHandle(name);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}
