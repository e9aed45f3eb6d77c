/**
 * Finish's rejects, set aside in the browser: each moves into "_rejects" in its own folder, as the script's
 * `set_aside` does, inside the source folder the user opened (File System Access, read-write).
 * - Where the browser can move a file (FileSystemFileHandle.move), it is a move: nothing is deleted.
 * - Where it cannot, the file is copied, read back and checked by size and SHA-256, and only then is the
 *   original removed; and only when the caller says the user confirmed that a second time.
 * A file already in "_rejects" (an interrupted run, repeated) counts as set aside; one of the same name with
 * other bytes is left alone and reported. Nothing else in the folder is touched.
 */
import { rejectsFolderOf } from './archivePlan';

export interface SourceFile {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
  /** Chromium's move of a handle into another folder (absent where unsupported). */
  move?(destination: SourceFolder): Promise<void>;
}

export interface SourceFolder {
  kind: 'directory';
  name: string;
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<SourceFolder>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<SourceFile & { createWritable?(): Promise<{ write(data: Blob): Promise<void>; close(): Promise<void> }> }>;
  removeEntry(name: string): Promise<void>;
}

export interface RejectsReport {
  /** Paths (as dropped) now in "_rejects". */
  moved: string[];
  /** Already in "_rejects" from an earlier run. */
  alreadyAside: string[];
  failed: { path: string; reason: string }[];
}

export interface MoveOptions {
  /** The user confirmed, a second time, that an original may be removed once its checked copy is in "_rejects". */
  copyThenDelete: boolean;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

const isNotFound = (err: unknown) => err instanceof Error && err.name === 'NotFoundError';
const orNull = (err: unknown): null => {
  if (isNotFound(err)) return null;
  throw err;
};

async function sha256(blob: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function folderAt(root: SourceFolder, parts: string[], create = false): Promise<SourceFolder> {
  let dir = root;
  for (const part of parts) dir = await dir.getDirectoryHandle(part, { create });
  return dir;
}

async function fileIn(dir: SourceFolder, name: string): Promise<SourceFile | null> {
  return dir.getFileHandle(name).catch(orNull);
}

/** Whether this browser moves handles (so no original is ever removed by copy and delete). */
export function canMoveFiles(file: SourceFile): boolean {
  return typeof file.move === 'function';
}

/**
 * Sets the rejects aside. `paths` are as dropped: the first part is the source folder's own name (`root`), the
 * rest lead to the file.
 */
export async function moveRejects(root: SourceFolder, paths: readonly string[], options: MoveOptions): Promise<RejectsReport> {
  const report: RejectsReport = { moved: [], alreadyAside: [], failed: [] };
  let done = 0;
  for (const path of paths) {
    if (options.signal?.aborted) break;
    try {
      await moveOne(root, path, options, report);
    } catch (err) {
      report.failed.push({ path, reason: err instanceof Error ? err.message : String(err) });
    }
    options.onProgress?.(++done, paths.length);
  }
  return report;
}

async function moveOne(root: SourceFolder, path: string, options: MoveOptions, report: RejectsReport): Promise<void> {
  const parts = path.split('/');
  if (parts.length < 2 || parts[0] !== root.name) {
    report.failed.push({ path, reason: `not in the folder “${root.name}”` });
    return;
  }
  const name = parts[parts.length - 1];
  // Dropped again from inside "_rejects": it is aside already.
  if (parts[parts.length - 2] === '_rejects') return void report.alreadyAside.push(path);
  const aside = rejectsFolderOf(path).split('/').slice(1);
  const parent = await folderAt(root, parts.slice(1, -1)).catch(orNull);
  const original = parent && (await fileIn(parent, name));
  if (!parent || !original) {
    const rejectsNow = await folderAt(root, aside).catch(orNull);
    if (rejectsNow && (await fileIn(rejectsNow, name))) report.alreadyAside.push(path);
    else report.failed.push({ path, reason: 'not found in the folder (moved or renamed since it was dropped?)' });
    return;
  }
  const rejects = await folderAt(root, aside, true);
  const there = await fileIn(rejects, name);
  if (there) {
    const [a, b] = await Promise.all([original.getFile(), there.getFile()]);
    if (a.size === b.size && (await sha256(a)) === (await sha256(b))) {
      // The copy of an interrupted copy-then-delete run: only the removal was left.
      if (!options.copyThenDelete) return void report.failed.push({ path, reason: 'a checked copy is in _rejects; removing the original needs your confirmation' });
      await parent.removeEntry(name);
      report.alreadyAside.push(path);
    } else {
      report.failed.push({ path, reason: 'a different file of the same name is already in _rejects: left as it is' });
    }
    return;
  }
  if (canMoveFiles(original)) {
    await original.move!(rejects);
    report.moved.push(path);
    return;
  }
  if (!options.copyThenDelete) {
    report.failed.push({ path, reason: 'this browser cannot move files; copying and then deleting the original needs your confirmation' });
    return;
  }
  const source = await original.getFile();
  const target = await rejects.getFileHandle(name, { create: true });
  if (!target.createWritable) throw new Error('this browser cannot write files into the folder');
  const out = await target.createWritable();
  await out.write(source);
  await out.close();
  const copy = await target.getFile();
  if (copy.size !== source.size || (await sha256(copy)) !== (await sha256(source))) {
    await rejects.removeEntry(name).catch(() => undefined);
    report.failed.push({ path, reason: 'the copy in _rejects did not match the original: the original is kept' });
    return;
  }
  await parent.removeEntry(name);
  report.moved.push(path);
}
