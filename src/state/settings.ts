import { get, set } from 'idb-keyval';
import { parseBackendPreference, type BackendPreference } from '../engine/backend';

const BACKEND_KEY = 'loupe:settings:backend';

/** The saved backend choice; a `?backend=` URL parameter wins over it. */
export async function loadBackendPreference(): Promise<BackendPreference> {
  try {
    return parseBackendPreference(await get<string>(BACKEND_KEY));
  } catch {
    // Private windows and blocked storage: fall back to the automatic choice.
    return 'auto';
  }
}

export async function saveBackendPreference(preference: BackendPreference): Promise<void> {
  await set(BACKEND_KEY, preference);
}
