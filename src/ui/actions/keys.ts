/** Key bindings: what the key cap says in the help, and which KeyboardEvent it stands for. */

/** The part of a KeyboardEvent a binding reads (a plain object in tests). */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  /** Read only by Shift bindings (absent in tests means not held). */
  shiftKey?: boolean;
}

export interface KeyBinding {
  /** KeyboardEvent.key; single characters match in either case, so Shift and Caps Lock do not get in the way. */
  key: string;
  /** Ctrl (Windows, Linux) and ⌘ (macOS) are separate bindings, so the help names both. */
  modifier: 'ctrl' | 'meta' | null;
  /**
   * Lightroom's Shift+P/X/U: matches only with Shift held. A binding without it ignores Shift, so a Shift or
   * Caps Lock held by mistake still culls; a Shift binding wins over it (see actionForKey).
   */
  shift?: boolean;
  /** What the help shows. */
  caps: string;
}

const CAPS: Record<string, string> = {
  ' ': 'Space',
  Escape: 'Esc',
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
};

const normal = (key: string) => (key.length === 1 ? key.toLowerCase() : key);

/** A key pressed on its own (Shift allowed, so '?' works): `plain('p')`, `plain('ArrowLeft')`. */
export function plain(key: string): KeyBinding {
  return { key, modifier: null, caps: CAPS[key] ?? (key.length === 1 ? key.toUpperCase() : key) };
}

/** A letter with Shift: `shifted('p')` is Shift+P. */
export function shifted(key: string): KeyBinding {
  return { key, modifier: null, shift: true, caps: `Shift+${key.toUpperCase()}` };
}

/** The same letter with Ctrl and with ⌘. */
export function withCommand(key: string): KeyBinding[] {
  const cap = key.toUpperCase();
  return [
    { key, modifier: 'ctrl', caps: `Ctrl+${cap}` },
    { key, modifier: 'meta', caps: `⌘${cap}` },
  ];
}

export function matches(binding: KeyBinding, press: KeyPress): boolean {
  if (normal(press.key) !== normal(binding.key)) return false;
  if (binding.shift && !press.shiftKey) return false;
  if (binding.modifier === 'ctrl') return press.ctrlKey;
  if (binding.modifier === 'meta') return press.metaKey;
  return !press.ctrlKey && !press.metaKey;
}

/** Two bindings that one key press would both match. */
export function sameBinding(a: KeyBinding, b: KeyBinding): boolean {
  return normal(a.key) === normal(b.key) && a.modifier === b.modifier && !!a.shift === !!b.shift;
}
