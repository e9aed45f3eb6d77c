/**
 * "Copy keepers to…": writes the chosen originals into a folder the user picked (File System Access API).
 * Never overwrites: a name already there gets " (2)", " (3)"… before its extension.
 */
import { fileIn } from './folderEntry';

/** The part of FileSystemDirectoryHandle this needs, so tests can pass an in-memory folder. */
export interface WritableDirectory {
  name: string;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<{
    createWritable(): Promise<{ write(data: Blob): Promise<void>; close(): Promise<void> }>;
  }>;
}

export interface CopyReport {
  copied: { from: string; to: string }[];
  failed: { from: string; reason: string }[];
}

async function exists(dir: WritableDirectory, name: string): Promise<boolean> {
  return (await fileIn(dir, name)) !== null;
}

export function numberedName(name: string, n: number): string {
  if (n <= 1) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

export async function copyFilesToFolder(
  dir: WritableDirectory,
  files: { path: string; file: Blob; name: string }[],
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<CopyReport> {
  const report: CopyReport = { copied: [], failed: [] };
  const taken = new Set<string>();
  for (const [i, f] of files.entries()) {
    if (signal?.aborted) break;
    try {
      let n = 1;
      while (taken.has(numberedName(f.name, n).toLowerCase()) || (await exists(dir, numberedName(f.name, n)))) n++;
      const target = numberedName(f.name, n);
      taken.add(target.toLowerCase());
      const writable = await (await dir.getFileHandle(target, { create: true })).createWritable();
      await writable.write(f.file);
      await writable.close();
      report.copied.push({ from: f.path, to: target });
    } catch (err) {
      report.failed.push({ from: f.path, reason: err instanceof Error ? err.message : String(err) });
    }
    onProgress?.(i + 1, files.length);
  }
  return report;
}
