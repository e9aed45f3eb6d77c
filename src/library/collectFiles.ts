/** A file the user gave us, with its path inside the dropped or picked folder. */
export interface PickedFile {
  file: File;
  path: string;
}

// Finder/Explorer metadata files are never photos; listing them as "not an image" would be noise.
const IGNORED = /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|\._[^/]*)$/i;

export function keepFile(path: string): boolean {
  return !IGNORED.test(path);
}

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call; keep reading until it returns none.
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        next();
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: prefix + entry.name });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) {
      await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}

/** Files from a drop, folders walked recursively. */
export async function filesFromDataTransfer(dt: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(dt.items ?? [])
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  const out: PickedFile[] = [];
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    for (const entry of entries) await walk(entry!, '', out);
  } else {
    for (const file of Array.from(dt.files)) out.push({ file, path: file.name });
  }
  return out.filter((f) => keepFile(f.path));
}

/** Files from an <input type=file>, with folder paths when it had webkitdirectory. */
export function filesFromInput(list: FileList | null): PickedFile[] {
  return Array.from(list ?? [])
    .map((file) => ({ file, path: file.webkitRelativePath || file.name }))
    .filter((f) => keepFile(f.path));
}
