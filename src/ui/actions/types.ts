/**
 * The shape of one user operation (excalidraw's "actions"): defined once, then read by the keyboard
 * handler, the buttons and the shortcut help. No React or CSS here, so the registry loads in Node tests.
 */
import type { useUi } from '../../state/uiStore';
import type { View } from '../../state/view';
import type { KeyBinding } from './keys';

/** Where a key is bound: the grid, or the overlay that is open over it. */
export type KeyScope = 'grid' | 'loupe' | 'compare' | 'explain' | 'help' | 'storage' | 'cull' | 'finish' | 'target';

export const EVERYWHERE: readonly KeyScope[] = ['grid', 'loupe', 'compare', 'explain', 'help', 'storage', 'cull', 'finish', 'target'];
export const IN_OVERLAYS: readonly KeyScope[] = ['loupe', 'compare', 'explain', 'help', 'storage', 'cull', 'finish', 'target'];
/** Culling mode gives the arrows and Enter their own meaning (groups and frames; keep this frame). */
export const OUTSIDE_CULLING: readonly KeyScope[] = EVERYWHERE.filter((s) => s !== 'cull');

/** The help's sections, in the order it shows them. */
export const HELP_GROUPS = ['Flag', 'Rate', 'Move', 'Cull', 'View', 'Edit', 'Rank', 'Export'] as const;
export type HelpGroup = (typeof HELP_GROUPS)[number];

export type UiSnapshot = ReturnType<typeof useUi.getState>;

/** What an action reads: the view on screen, and the focus, selection and open overlay of that moment. */
export interface ActionContext {
  view: View;
  ui: UiSnapshot;
  scope: KeyScope;
}

export interface Action {
  id: string;
  /** The words on the button, and the start of the help's line. */
  label: string;
  /** A fragment that finishes the label in the help and becomes the button's tooltip ("reject every image …"). */
  detail?: string;
  /** Actions with the same helpRow share one line of the help (the five star ratings, ← and →). */
  helpRow?: string;
  group: HelpGroup;
  /** Empty for operations that only a button starts. */
  keys: readonly KeyBinding[];
  scopes: readonly KeyScope[];
  /** Arrows, Space and Enter would scroll the page or press the focused button; Ctrl+Z would undo in the browser. */
  preventsDefault?: boolean;
  enabled(ctx: ActionContext): boolean;
  perform(ctx: ActionContext): void | Promise<unknown>;
}
