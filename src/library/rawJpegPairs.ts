/**
 * RAW+JPEG pairs: a camera set to RAW+JPEG writes IMG_0001.CR2 and IMG_0001.JPG side by side, one shot in two
 * files. They become one photo, analysed from the JPEG (the browser decodes it whole and fast) with the RAW as
 * its companion, so a decision covers both. Pairing is by folder and base name, before anything is hashed.
 */
import type { PickedFile } from './collectFiles';
import { fileKind } from './rawExtensions';

/** One photo of a drop: the file that is analysed, and the RAW shot with it when there is one. */
export interface PhotoFiles {
  primary: PickedFile;
  companion?: PickedFile;
}

/** A photo the library already holds, for a RAW that arrives in a later drop than its JPEG. */
export interface ExistingPhoto {
  id: string;
  path: string;
  /** Path of the RAW already recorded with it, if any. */
  companionPath?: string;
}

export interface Pairing {
  photos: PhotoFiles[];
  /** RAWs that belong to a photo already in the library: they join it instead of becoming photos. */
  late: { id: string; companion: PickedFile }[];
}

/**
 * "trip/img_0001" for trip/IMG_0001.JPG and trip/IMG_0001.cr2: the folder exactly, the base name without case
 * (cameras write upper case, some importers lower it, and Windows and macOS treat the two as one name).
 */
export function pairKey(path: string): string {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  return `${path.slice(0, slash + 1)}${(dot > 0 ? name.slice(0, dot) : name).toLowerCase()}`;
}

/** JPEG before HEIC as the partner: every browser decodes it, and it is what RAW+JPEG cameras write. */
function partnerOf(files: PickedFile[]): PickedFile | undefined {
  return files.find((f) => fileKind(f.path) === 'jpeg') ?? files.find((f) => fileKind(f.path) === 'heic');
}

/**
 * Groups a drop's files into photos, in the drop's order. A RAW with a JPEG (or HEIC) of the same folder and
 * base name rides with it; a second RAW or JPEG of the same name stays a photo of its own (never silently
 * dropped); a lone RAW stays a photo of its own unless `existing` holds its partner from an earlier drop.
 */
export function pairRawJpeg(picked: readonly PickedFile[], existing: readonly ExistingPhoto[] = []): Pairing {
  const byKey = new Map<string, PickedFile[]>();
  for (const f of picked) {
    const kind = fileKind(f.path);
    if (kind === 'other') continue;
    const key = pairKey(f.path);
    byKey.set(key, [...(byKey.get(key) ?? []), f]);
  }
  const companionOf = new Map<PickedFile, PickedFile>();
  const paired = new Set<PickedFile>();
  for (const group of byKey.values()) {
    const raw = group.find((f) => fileKind(f.path) === 'raw');
    const partner = partnerOf(group);
    if (!raw || !partner) continue;
    companionOf.set(partner, raw);
    paired.add(raw);
  }
  const existingByKey = new Map<string, ExistingPhoto>();
  for (const e of existing) {
    const kind = fileKind(e.path);
    if (kind === 'jpeg' || kind === 'heic') existingByKey.set(pairKey(e.path), e);
  }
  const photos: PhotoFiles[] = [];
  const late: Pairing['late'] = [];
  const joined = new Set<string>();
  for (const f of picked) {
    if (paired.has(f)) continue;
    const companion = companionOf.get(f);
    if (companion) {
      photos.push({ primary: f, companion });
      continue;
    }
    const target = fileKind(f.path) === 'raw' ? existingByKey.get(pairKey(f.path)) : undefined;
    // A photo keeps the RAW it has: another RAW of the same name (a .DNG beside the .CR2) is a photo of its own.
    const fits = target && !joined.has(target.id) && (target.companionPath === undefined || target.companionPath.toLowerCase() === f.path.toLowerCase());
    if (target && fits) {
      joined.add(target.id);
      late.push({ id: target.id, companion: f });
    } else {
      photos.push({ primary: f });
    }
  }
  return { photos, late };
}
