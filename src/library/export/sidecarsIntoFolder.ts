/**
 * Sidecars written beside the photos, in the folder they were dropped from (File System Access API), so
 * Lightroom, darktable and digiKam find them on their next import or sync. A sidecar already there is merged
 * into (xmpMerge.ts), never replaced; a file that is not XMP is left alone and reported.
 */
import { fileIn, isNotFound } from '../folderEntry';
import { sidecarPaths, type SidecarSetOptions } from './sidecars';
import type { ExportContext, ExportImage } from './types';
import { toXmpSidecar } from './xmp';
import { mergeXmpSidecar, XmpMergeError, type XmlTools } from './xmpMerge';

interface WritableFile {
  getFile(): Promise<Blob>;
  createWritable(): Promise<{ write(data: string): Promise<void>; close(): Promise<void> }>;
}

/** The part of FileSystemDirectoryHandle this needs, so tests can pass an in-memory folder. */
export interface SidecarFolder {
  name: string;
  getDirectoryHandle(name: string): Promise<SidecarFolder>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<WritableFile>;
}

export interface SidecarFolderReport {
  /** Sidecar paths, as the photos' paths name them. */
  created: string[];
  merged: string[];
  skipped: { path: string; reason: string }[];
}


async function folderAt(root: SidecarFolder, segments: string[]): Promise<SidecarFolder | null> {
  let dir = root;
  for (const s of segments) {
    try {
      dir = await dir.getDirectoryHandle(s);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }
  return dir;
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * The folder holding the photo. Paths start with the dropped folder's name ("wedding/IMG_1.JPG"), so with that
 * folder picked the first segment is the picked folder itself; with its parent picked it is a subfolder. The
 * photo's own file must be there: a sidecar is never written beside nothing.
 */
async function photoFolder(root: SidecarFolder, image: ExportImage): Promise<SidecarFolder | null> {
  const segments = image.path.split('/').slice(0, -1);
  const candidates = segments[0] === root.name ? [segments.slice(1), segments] : [segments];
  const names = [image.name, ...(image.raw ? [image.raw.name] : [])];
  for (const c of candidates) {
    const dir = await folderAt(root, c);
    if (!dir) continue;
    for (const n of names) if (await fileIn(dir, n)) return dir;
  }
  return null;
}

async function writeText(dir: SidecarFolder, name: string, text: string): Promise<void> {
  const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
  await writable.write(text);
  await writable.close();
}

export async function writeSidecarsIntoFolder(
  root: SidecarFolder,
  images: readonly ExportImage[],
  ctx: ExportContext,
  options: SidecarSetOptions,
  xml: XmlTools,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<SidecarFolderReport> {
  const report: SidecarFolderReport = { created: [], merged: [], skipped: [] };
  // IMG_1.JPG and IMG_1.PNG both want IMG_1.xmp with 'replace' naming: the second would write into the first's.
  const written = new Set<string>();
  for (const [i, image] of images.entries()) {
    if (signal?.aborted) break;
    try {
      const dir = await photoFolder(root, image);
      if (!dir) {
        report.skipped.push({ path: image.path, reason: `not found in “${root.name}”` });
        continue;
      }
      for (const sidecar of sidecarPaths(image, options)) {
        if (written.has(sidecar.toLowerCase())) {
          report.skipped.push({ path: sidecar, reason: 'another photo of the same name has this sidecar' });
          continue;
        }
        written.add(sidecar.toLowerCase());
        const name = baseName(sidecar);
        const existing = await fileIn(dir, name);
        if (!existing) {
          await writeText(dir, name, toXmpSidecar(image, ctx, options));
          report.created.push(sidecar);
          continue;
        }
        try {
          await writeText(dir, name, mergeXmpSidecar(await (await existing.getFile()).text(), image, ctx, options, xml));
          report.merged.push(sidecar);
        } catch (err) {
          if (!(err instanceof XmpMergeError)) throw err;
          report.skipped.push({ path: sidecar, reason: `left as it was: ${err.message}` });
        }
      }
    } catch (err) {
      report.skipped.push({ path: image.path, reason: err instanceof Error ? err.message : String(err) });
    }
    onProgress?.(i + 1, images.length);
  }
  return report;
}

/** The browser's own XML parser and serializer. */
export function browserXmlTools(): XmlTools {
  return {
    parse: (text) => new DOMParser().parseFromString(text, 'application/xml'),
    serialize: (doc) => new XMLSerializer().serializeToString(doc),
  };
}
