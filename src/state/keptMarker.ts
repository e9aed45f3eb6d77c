/**
 * A note of what this site had stored (issue 15): which models were in the model cache and how many photos the
 * library held. It lives in localStorage, which the browser does not clear when it evicts a site's Cache Storage
 * and IndexedDB under storage pressure, so on the next load the app can tell "evicted" from "never stored" and
 * say so. It follows the data (written whenever the models or the library change, also by the app's own delete
 * actions), so a deliberate delete is never reported as a loss. Clearing the site's data clears it too.
 */

export interface KeptMarker {
  /** Models with files in the model cache. */
  models: string[];
  /** Photos in the library's session. */
  library: number;
}

/** What a load found; null where it could not tell (no Cache Storage, IndexedDB failing). */
export interface FoundOnLoad {
  models: string[] | null;
  library: number | null;
}

/** What the browser deleted since the last visit. */
export interface Evicted {
  models: string[];
  library: number;
}

const KEY = 'loupe-kept-v1';

export function parseMarker(text: string | null): KeptMarker | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<KeptMarker> | null;
    if (!value || typeof value !== 'object') return null;
    return {
      models: Array.isArray(value.models) ? value.models.filter((m): m is string => typeof m === 'string') : [],
      library: typeof value.library === 'number' && Number.isFinite(value.library) && value.library > 0 ? Math.floor(value.library) : 0,
    };
  } catch {
    return null;
  }
}

/**
 * The rule: something was evicted when the note says it was there and the load finds it gone (the model cache
 * empty, the library's records gone). No note (a first visit) or a figure the load could not read says nothing.
 */
export function whatWasEvicted(marker: KeptMarker | null, found: FoundOnLoad): Evicted | null {
  if (!marker) return null;
  const models = marker.models.length > 0 && found.models !== null && found.models.length === 0 ? marker.models : [];
  const library = marker.library > 0 && found.library === 0 ? marker.library : 0;
  return models.length > 0 || library > 0 ? { models, library } : null;
}

/** The plain sentence the user reads. */
export function evictionNotice(evicted: Evicted): string {
  const lost: string[] = [];
  const n = evicted.library;
  if (n > 0) lost.push(`this site’s saved library (${n} ${n === 1 ? 'photo’s' : 'photos’'} decisions and scores)`);
  if (evicted.models.length > 0) lost.push(`the downloaded ${evicted.models.length === 1 ? 'model' : 'models'} (${evicted.models.join(', ')})`);
  const sentences = [`The browser deleted ${lost.join(' and ')} to free space.`];
  if (n > 0) sentences.push('Drop the folder again to analyse it.');
  if (evicted.models.length > 0) sentences.push(`${evicted.models.length === 1 ? 'It is' : 'They are'} downloaded again, which needs a connection.`);
  sentences.push('To stop this, choose “Keep my data on this device” in Storage.');
  return sentences.join(' ');
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage blocked for this site
  }
}

export function readMarker(): KeptMarker | null {
  try {
    return parseMarker(storage()?.getItem(KEY) ?? null);
  } catch {
    return null;
  }
}

/** Updates one part of the note, keeping the other. */
export function writeMarker(patch: Partial<KeptMarker>): void {
  const store = storage();
  if (!store) return;
  const next = { ...(readMarker() ?? { models: [], library: 0 }), ...patch };
  try {
    store.setItem(KEY, JSON.stringify(next));
  } catch {
    // A full or blocked localStorage: the next load just says nothing.
  }
}
