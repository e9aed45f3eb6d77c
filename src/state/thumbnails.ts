/**
 * Thumbnails at scale (issue 15): 20,000 object URLs of in-memory blobs cost the tab memory and the page a
 * synchronous call each (createObjectURL was the page's largest cost in bench/profileMain.ts). A thumbnail
 * lives in IndexedDB with its image's record; a blob stays here only until that record is written (or, for a
 * file's own first look, until the analysis replaces it). URLs are made for the tiles on screen, in one read
 * per batch, and kept for the most recently shown few hundred; the rest are revoked.
 */
import { getImages } from '../library/persistence';
import { db } from './libraryDb';

/** Object URLs kept for tiles no longer on screen: a few screens of scroll back and forth. */
const KEEP_URLS = 400;
/** A replaced URL may still be on screen until the next render: let it go a little later. */
const REVOKE_AFTER_MS = 5000;

/** Blobs not (yet) in storage, by tile id. */
const unstored = new Map<string, Blob>();
/** Made URLs, least recently wanted first. */
const urls = new Map<string, string>();
/** How many mounted views show each id (theirs are never revoked). */
const users = new Map<string, number>();
const listeners = new Map<string, Set<() => void>>();
/** Bumped when an id's thumbnail changes, so a read that started before is not used. */
const generation = new Map<string, number>();
const wanted = new Set<string>();
let loadScheduled = false;

/** A new thumbnail for this tile (the analysis's, or the file's first look): views showing it switch to it. */
export function setThumbnail(id: string, blob: Blob): void {
  unstored.set(id, blob);
  generation.set(id, (generation.get(id) ?? 0) + 1);
  const old = urls.get(id);
  if (old) {
    urls.delete(id);
    setTimeout(() => URL.revokeObjectURL(old), REVOKE_AFTER_MS);
  }
  if (users.get(id)) want(id);
}

/** This blob is now in the image's stored record: it is read back from there when next shown. */
export function thumbnailStored(id: string, blob: Blob): void {
  if (unstored.get(id) === blob) unstored.delete(id);
}

/** Forgets every thumbnail (the library was cleared). */
export function clearThumbnails(): void {
  for (const url of urls.values()) URL.revokeObjectURL(url);
  urls.clear();
  unstored.clear();
  wanted.clear();
  for (const id of generation.keys()) generation.set(id, (generation.get(id) ?? 0) + 1);
}

/** How many object URLs exist now (test/thumbnails.test.ts checks the bound). */
export function thumbnailUrlCount(): number {
  return urls.size;
}

/** The URL of a tile's thumbnail if it is made; a watcher is told when it is (ui/useThumbnailUrl.ts). */
export function thumbnailUrl(id: string): string | null {
  return urls.get(id) ?? null;
}

/**
 * A view shows this tile's thumbnail from now until the returned function is called: its URL is made (one
 * read per batch of views) and kept; `onChange` runs when it is made or replaced.
 */
export function watchThumbnail(id: string, onChange: () => void): () => void {
  const listening = listeners.get(id) ?? new Set();
  listening.add(onChange);
  listeners.set(id, listening);
  users.set(id, (users.get(id) ?? 0) + 1);
  const url = urls.get(id);
  if (url) {
    // Most recently wanted: last to be revoked.
    urls.delete(id);
    urls.set(id, url);
  } else {
    want(id);
  }
  return () => {
    listening.delete(onChange);
    if (listening.size === 0) listeners.delete(id);
    const n = (users.get(id) ?? 1) - 1;
    if (n > 0) users.set(id, n);
    else users.delete(id);
    trim();
  };
}

function want(id: string): void {
  wanted.add(id);
  if (loadScheduled) return;
  loadScheduled = true;
  // Every tile that mounts in this render asks first; one read serves them all.
  setTimeout(() => void load(), 0);
}

async function load(): Promise<void> {
  loadScheduled = false;
  const ids = [...wanted].filter((id) => users.get(id) && !urls.has(id));
  wanted.clear();
  if (ids.length === 0) return;
  const started = new Map(ids.map((id) => [id, generation.get(id) ?? 0]));
  const fromMemory = ids.filter((id) => unstored.has(id));
  const fromStorage = ids.filter((id) => !unstored.has(id));
  const stored = fromStorage.length ? await getImages(db, fromStorage).catch(() => fromStorage.map(() => undefined)) : [];
  const blobs = new Map<string, Blob | null | undefined>([
    ...fromMemory.map((id) => [id, unstored.get(id)] as const),
    ...fromStorage.map((id, i) => [id, unstored.get(id) ?? stored[i]?.thumbnail] as const),
  ]);
  for (const [id, blob] of blobs) {
    // Replaced while it was read (its new one is wanted already), or no longer on screen, or none stored.
    if (!blob || (generation.get(id) ?? 0) !== started.get(id) || !users.get(id) || urls.has(id)) continue;
    urls.set(id, URL.createObjectURL(blob));
    for (const listener of listeners.get(id) ?? []) listener();
  }
  trim();
}

/** Revokes the least recently wanted URLs that no view shows, down to KEEP_URLS. */
function trim(): void {
  if (urls.size <= KEEP_URLS) return;
  for (const [id, url] of urls) {
    if (urls.size <= KEEP_URLS) break;
    if (users.get(id)) continue;
    urls.delete(id);
    URL.revokeObjectURL(url);
  }
}
