/**
 * Folders opened with the File System Access API (Chromium): the handle is kept in IndexedDB, so after a
 * reload one click (the browser asks for permission again) re-attaches every file by content hash, with no
 * re-drop. Elsewhere the app falls back to <input webkitdirectory> and re-dropping.
 */
import { get, set } from 'idb-keyval';
import { keepFile, type PickedFile } from './collectFiles';
import type { SourceFolder } from './finish/moveRejects';

const HANDLES_KEY = 'loupe:folder-handles';

type PermissionMode = { mode: 'read' | 'readwrite' };
/** The parts of FileSystemDirectoryHandle used here (permission methods are not in every DOM typing yet). */
export interface FolderHandle {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<FolderHandle | FileHandle>;
  queryPermission?(options: PermissionMode): Promise<PermissionState>;
  requestPermission?(options: PermissionMode): Promise<PermissionState>;
}
interface FileHandle {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

export function canOpenFolders(): boolean {
  return typeof window !== 'undefined' && 'showDirectoryPicker' in window;
}

export async function pickFolder(): Promise<FolderHandle | null> {
  const picker = (window as unknown as { showDirectoryPicker?: (o: PermissionMode) => Promise<FolderHandle> }).showDirectoryPicker;
  if (!picker) return null;
  try {
    return await picker({ mode: 'read' });
  } catch {
    return null; // the user closed the dialog
  }
}

/** Every file under the folder, with paths that start with the folder's name (as webkitdirectory gives). */
export async function filesInFolder(dir: FolderHandle, prefix = `${dir.name}/`): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  for await (const entry of dir.values()) {
    if (entry.kind === 'file') out.push({ file: await entry.getFile(), path: prefix + entry.name });
    else out.push(...(await filesInFolder(entry, `${prefix}${entry.name}/`)));
  }
  return out.filter((f) => keepFile(f.path)).sort((a, b) => a.path.localeCompare(b.path));
}

export async function rememberFolder(dir: FolderHandle): Promise<void> {
  const saved = (await get<FolderHandle[]>(HANDLES_KEY).catch(() => undefined)) ?? [];
  await set(HANDLES_KEY, [...saved.filter((h) => h.name !== dir.name), dir].slice(-8)).catch(() => undefined);
}

export async function rememberedFolders(): Promise<FolderHandle[]> {
  return (await get<FolderHandle[]>(HANDLES_KEY).catch(() => undefined)) ?? [];
}

/**
 * The remembered folder of this name, with leave to write into it (asked for if need be: a user gesture);
 * null when no folder of that name was opened with "Open folder", or the user said no.
 */
export async function writableFolder(name: string): Promise<SourceFolder | null> {
  const dir = (await rememberedFolders()).find((h) => h.name === name);
  if (!dir) return null;
  const mode: PermissionMode = { mode: 'readwrite' };
  const granted = (await dir.queryPermission?.(mode)) === 'granted' || (await dir.requestPermission?.(mode)) === 'granted';
  // A real FileSystemDirectoryHandle: FolderHandle names only the part that reading needs.
  return granted ? (dir as unknown as SourceFolder) : null;
}

/** Asks for read access again after a reload; needs a user gesture (a click). */
export async function regainAccess(dir: FolderHandle): Promise<boolean> {
  const mode: PermissionMode = { mode: 'read' };
  if ((await dir.queryPermission?.(mode)) === 'granted') return true;
  return (await dir.requestPermission?.(mode)) === 'granted';
}
