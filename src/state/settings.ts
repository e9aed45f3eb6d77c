import { get, set } from 'idb-keyval';
import { parseBackendPreference, type BackendPreference } from '../engine/backend';
import type { SidecarNaming } from '../library/export/sidecarName';

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

const TEMPLATES_KEY = 'loupe:settings:prompt-templates';

/** The user's prompt templates, or null for the defaults. */
export async function loadPromptTemplates(): Promise<string[] | null> {
  try {
    const saved = await get<string[]>(TEMPLATES_KEY);
    return Array.isArray(saved) && saved.every((t) => typeof t === 'string') ? saved : null;
  } catch {
    return null;
  }
}

export async function savePromptTemplates(templates: string[] | null): Promise<void> {
  await set(TEMPLATES_KEY, templates);
}

/** Lines of the editor → templates; each must hold exactly one {} where the tag goes. */
export function parseTemplates(text: string): { templates: string[]; problems: string[] } {
  const templates: string[] = [];
  const problems: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (line.split('{}').length !== 2) problems.push(`“${line}” needs exactly one {} where the tag goes`);
    else if (!templates.includes(line)) templates.push(line);
  }
  return { templates, problems };
}

/**
 * An on/off setting kept in IndexedDB, with a URL parameter (`?name=on|off`, for tests, benchmarks, a demo
 * machine) that wins over the saved choice for one visit.
 */
export interface Switch {
  load(): Promise<boolean>;
  save(on: boolean): Promise<void>;
  /** The URL's choice; null when the parameter is absent or neither on nor off. */
  fromUrl(search: string): boolean | null;
}

function storedSwitch(key: string, param: string, fallback: boolean): Switch {
  return {
    load: async () => {
      try {
        const v = await get<boolean>(key);
        return typeof v === 'boolean' ? v : fallback;
      } catch {
        return fallback;
      }
    },
    save: (on) => set(key, on),
    fromUrl: (search) => {
      const v = new URLSearchParams(search).get(param);
      return v === 'on' ? true : v === 'off' ? false : null;
    },
  };
}

/** Whether people checks (faces, eyes, focus) run on analysed images: on unless the user switched them off. */
export const peopleChecksSetting = storedSwitch('loupe:settings:people-checks', 'people', true);

/** Whether JPEGs are decoded at full size for PIL parity (the exact path); off unless the user chose it. */
export const exactPreprocessingSetting = storedSwitch('loupe:settings:exact-preprocessing', 'exact', false);

const RAW_SIDECAR_KEY = 'loupe:settings:raw-sidecar-naming';

/** How RAW files' sidecars are named (library/export/sidecars.ts): Lightroom's IMG_0001.xmp unless the user chose otherwise. */
export async function loadRawSidecarNaming(): Promise<SidecarNaming> {
  try {
    return (await get<string>(RAW_SIDECAR_KEY)) === 'append' ? 'append' : 'replace';
  } catch {
    return 'replace';
  }
}

export async function saveRawSidecarNaming(naming: SidecarNaming): Promise<void> {
  await set(RAW_SIDECAR_KEY, naming);
}
