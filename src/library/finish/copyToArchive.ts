/**
 * Finish's copy: every file of the plan written into the archive folder and read back, checked by size and
 * SHA-256 against the original. Nothing there is ever overwritten: a file already there with the same bytes
 * is skipped (so an interrupted run can simply be run again), one with other bytes is left as it is and
 * reported. A sidecar already there is merged into (the caller's `sidecarText`), never replaced.
 * The File System Access API writes to a temporary file and moves it into place on close, so an interrupted
 * write leaves no half file under the real name.
 */
import { contentHash } from '../contentHash';
import { fileIn } from '../folderEntry';
import type { ArchivePlan, ArchiveUnit } from './archivePlan';

interface ArchiveFileHandle {
  getFile(): Promise<Blob>;
  createWritable(): Promise<{ write(data: Blob | string): Promise<void>; close(): Promise<void> }>;
}

/** The part of FileSystemDirectoryHandle this needs, so tests can pass an in-memory folder. */
export interface ArchiveFolder {
  name: string;
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<ArchiveFolder>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<ArchiveFileHandle>;
  removeEntry?(name: string): Promise<void>;
}

export interface ArchiveReport {
  /** Archive paths ("2026/2026-12-03/IMG_1.JPG") written and checked. */
  copied: string[];
  /** Archive paths already there with the same bytes. */
  alreadyThere: string[];
  sidecarsWritten: string[];
  sidecarsMerged: string[];
  failed: { path: string; reason: string }[];
  /** Bytes read back and checked. */
  verifiedBytes: number;
}

async function folderOf(root: ArchiveFolder, segments: string[]): Promise<ArchiveFolder> {
  let dir = root;
  for (const s of segments) dir = await dir.getDirectoryHandle(s, { create: true });
  return dir;
}

const same = async (a: Blob, b: Blob) => a.size === b.size && (await contentHash(a)) === (await contentHash(b));

async function writeChecked(dir: ArchiveFolder, name: string, data: Blob): Promise<void> {
  const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
  await writable.write(data);
  await writable.close();
  const back = await (await dir.getFileHandle(name)).getFile();
  if (back.size !== data.size) throw new Error(`the copy has ${back.size} bytes, the original ${data.size}`);
  if ((await contentHash(back)) !== (await contentHash(data))) throw new Error('the copy’s SHA-256 differs from the original’s');
}

export interface ArchiveSources {
  /** The original's bytes, or undefined when the file is not in this tab (after a reload, before a re-drop). */
  fileOf(path: string): Blob | undefined;
  /** A sidecar's text: fresh when `existingText` is null, else merged into it. Throws to leave it alone. */
  sidecarText(unit: ArchiveUnit, name: string, existingText: string | null): string;
}

async function copyUnit(root: ArchiveFolder, unit: ArchiveUnit, sources: ArchiveSources, report: ArchiveReport): Promise<void> {
  const where = (name: string) => [...unit.folder, name].join('/');
  const dir = await folderOf(root, unit.folder);
  let complete = true;
  for (const file of unit.files) {
    const path = where(file.name);
    try {
      const original = sources.fileOf(file.source.path);
      if (!original) throw new Error(`${file.source.path} is not in this tab: drop its folder again first`);
      const there = await fileIn(dir, file.name);
      if (there) {
        if (await same(await there.getFile(), original)) report.alreadyThere.push(path);
        else throw new Error(`a different file named “${file.name}” is already there: left as it is`);
      } else {
        try {
          await writeChecked(dir, file.name, original);
        } catch (err) {
          // A copy that failed its check is not left under the real name.
          await dir.removeEntry?.(file.name).catch(() => undefined);
          throw err;
        }
        report.copied.push(path);
        report.verifiedBytes += original.size;
      }
    } catch (err) {
      complete = false;
      report.failed.push({ path, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  // A sidecar is written only beside a complete keeper.
  if (!complete) return;
  for (const name of unit.sidecars) {
    const path = where(name);
    try {
      const there = await fileIn(dir, name);
      const before = there ? await (await there.getFile()).text() : null;
      const text = sources.sidecarText(unit, name, before);
      if (text === before) continue;
      await writeChecked(dir, name, new Blob([text], { type: 'application/rdf+xml' }));
      (before === null ? report.sidecarsWritten : report.sidecarsMerged).push(path);
    } catch (err) {
      report.failed.push({ path, reason: err instanceof Error ? err.message : String(err) });
    }
  }
}

export async function copyToArchive(
  root: ArchiveFolder,
  plan: ArchivePlan,
  sources: ArchiveSources,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<ArchiveReport> {
  const report: ArchiveReport = { copied: [], alreadyThere: [], sidecarsWritten: [], sidecarsMerged: [], failed: [], verifiedBytes: 0 };
  for (const [i, unit] of plan.units.entries()) {
    if (signal?.aborted) break;
    try {
      await copyUnit(root, unit, sources, report);
    } catch (err) {
      report.failed.push({ path: [...unit.folder, unit.files[0].name].join('/'), reason: err instanceof Error ? err.message : String(err) });
    }
    onProgress?.(i + 1, plan.units.length);
  }
  return report;
}
