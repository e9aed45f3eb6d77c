/** What "Copy picks to…" writes: every file of every picked photo, the RAW of a RAW+JPEG pair included. */
import type { Tile } from './libraryStore';

export interface FileToCopy {
  path: string;
  name: string;
  file: Blob;
}

export interface PickedFiles {
  files: FileToCopy[];
  /** Paths of picked files whose File is not in this tab (after a reload, until the folder is dropped again). */
  missing: string[];
}

export function pickedFiles(
  tiles: readonly Tile[],
  fileOf: (id: string) => Blob | undefined,
  companionFileOf: (id: string) => Blob | undefined,
): PickedFiles {
  const out: PickedFiles = { files: [], missing: [] };
  const add = (path: string, name: string, file: Blob | undefined) => {
    if (file) out.files.push({ path, name, file });
    else out.missing.push(path);
  };
  for (const t of tiles) {
    if (t.decision !== 'pick') continue;
    add(t.path, t.name, fileOf(t.id));
    if (t.companion) add(t.companion.path, t.companion.name, companionFileOf(t.id));
  }
  return out;
}
