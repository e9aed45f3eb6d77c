/**
 * Finish (issue 16, item 7): where each keeper's files go in the archive folder, worked out before anything is
 * written, so the dialog can say how many files go where. A keeper is one photo: its file, its RAW when it is a
 * RAW+JPEG pair, and its sidecars, all under one base name in one folder (flat, or by capture date).
 */
import { sidecarPaths, type SidecarSetOptions } from '../export/sidecars';

export type ArchiveLayout = 'flat' | 'by-date';

export interface SourceFile {
  /** Path in the dropped folder, "card/IMG_0001.JPG". */
  path: string;
  name: string;
  bytes: number;
}

export interface Keeper {
  photo: SourceFile;
  raw: SourceFile | null;
  /** ms since epoch, the camera's wall clock read as UTC when the file has no offset (metadata/exif.ts). */
  capturedAt: number | null;
  /** The offset from UTC the camera wrote (minutes), if any: the day folder is the photo's own local day. */
  offsetMinutes?: number | null;
}

export interface ArchiveFile {
  source: SourceFile;
  /** The name in the archive: the source's, numbered when two keepers would share it ("IMG_1 (2).JPG"). */
  name: string;
}

export interface ArchiveUnit {
  keeper: Keeper;
  /** Folders inside the archive folder: [] when flat, ["2026", "2026-12-03"] by date. */
  folder: string[];
  /** The photo first, then its RAW. */
  files: ArchiveFile[];
  /** The sidecars' names beside them, as the sidecar naming setting makes them from the archived names. */
  sidecars: string[];
}

export interface ArchiveFolderSummary {
  /** "2026/2026-12-03", or "" for the archive folder itself. */
  folder: string;
  photos: number;
  files: number;
  bytes: number;
}

export interface ArchivePlan {
  units: ArchiveUnit[];
  folders: ArchiveFolderSummary[];
  photos: number;
  /** Photo and RAW files, sidecars not included. */
  files: number;
  sidecars: number;
  bytes: number;
}

/**
 * The capture day's folders, "2026/2026-12-03", on the photo's own clock: with the offset the camera wrote, the
 * local day where it was taken (23:30 in New York is not the next day in UTC); without one, the wall clock as
 * written. Photos with no capture time go to "undated".
 */
export function dateFolder(capturedAt: number | null, offsetMinutes: number | null = null): string[] {
  if (capturedAt === null || !Number.isFinite(capturedAt)) return ['undated'];
  const day = new Date(capturedAt + (offsetMinutes ?? 0) * 60_000).toISOString().slice(0, 10);
  return [day.slice(0, 4), day];
}

const stem = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
};
const extension = (name: string) => name.slice(stem(name).length);

/** "IMG_1.JPG" numbered 2: "IMG_1 (2).JPG"; 1 leaves it as it is. */
export function numbered(name: string, n: number): string {
  return n <= 1 ? name : `${stem(name)} (${n})${extension(name)}`;
}

export function planArchive(keepers: readonly Keeper[], layout: ArchiveLayout, sidecarOptions: SidecarSetOptions): ArchivePlan {
  // In a name's order within each folder, so a repeated run numbers the same keeper the same way.
  const placed = keepers
    .map((keeper) => ({ keeper, folder: layout === 'by-date' ? dateFolder(keeper.capturedAt, keeper.offsetMinutes ?? null) : [] }))
    .sort((a, b) => a.folder.join('/').localeCompare(b.folder.join('/')) || a.keeper.photo.path.localeCompare(b.keeper.photo.path));
  const taken = new Set<string>();
  const units: ArchiveUnit[] = [];
  for (const { keeper, folder } of placed) {
    const sources = keeper.raw ? [keeper.photo, keeper.raw] : [keeper.photo];
    const at = (name: string) => `${folder.join('/')}/${name}`.toLowerCase();
    // One number for the whole keeper, so its RAW and sidecars keep the photo's base name.
    let n = 1;
    const namesAt = (k: number) => {
      const files = sources.map((s) => numbered(s.name, k));
      const sidecars = sidecarPaths({ path: files[0], raw: keeper.raw ? { path: files[1], name: files[1], bytes: keeper.raw.bytes } : null }, sidecarOptions);
      return { files, sidecars };
    };
    while ([...namesAt(n).files, ...namesAt(n).sidecars].some((name) => taken.has(at(name)))) n++;
    const { files, sidecars } = namesAt(n);
    [...files, ...sidecars].forEach((name) => taken.add(at(name)));
    units.push({ keeper, folder, files: sources.map((source, i) => ({ source, name: files[i] })), sidecars });
  }
  const folders = new Map<string, ArchiveFolderSummary>();
  for (const u of units) {
    const key = u.folder.join('/');
    const f = folders.get(key) ?? { folder: key, photos: 0, files: 0, bytes: 0 };
    f.photos += 1;
    f.files += u.files.length;
    f.bytes += u.files.reduce((s, x) => s + x.source.bytes, 0);
    folders.set(key, f);
  }
  return {
    units,
    folders: [...folders.values()],
    photos: units.length,
    files: units.reduce((s, u) => s + u.files.length, 0),
    sidecars: units.reduce((s, u) => s + u.sidecars.length, 0),
    bytes: units.reduce((s, u) => s + u.files.reduce((t, x) => t + x.source.bytes, 0), 0),
  };
}

/** A reject set aside: moved into "_rejects" inside its own folder ("card/_rejects/IMG_2.JPG"). */
export function rejectsFolderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '_rejects' : `${path.slice(0, slash)}/_rejects`;
}
