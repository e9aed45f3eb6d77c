import { useUi } from '../../state/uiStore';
import type { View } from '../../state/view';
import { cullStops, stopIndexOf } from '../../state/cullStops';
import type { ActionContext, KeyScope } from './types';

/** The context of this moment: the store's current focus, selection and overlay. */
export function actionContext(view: View): ActionContext {
  const ui = useUi.getState();
  const scope: KeyScope = ui.overlay ?? 'grid';
  return { view, ui, scope };
}

/** The ids compare shows: the selection when it has 2–4, else the focused image and the next one. */
export function compareIds(view: View, focusedId: string | null, selection: string[]): string[] {
  if (selection.length >= 2) return selection.slice(0, 4);
  const i = view.items.findIndex((it) => it.tile.id === focusedId);
  if (i < 0) return [];
  return view.items.slice(i, i + 2).map((it) => it.tile.id);
}

/** The images the arrow keys (and Shift+P/X/U) move through: those compared, the culled group's, else the grid's. */
export function navigableIds({ view, ui, scope }: ActionContext): string[] {
  if (scope === 'compare') return compareIds(view, ui.focusedId, ui.selection);
  if (scope === 'cull') {
    const stops = cullStops(view);
    return stops[stopIndexOf(stops, ui.focusedId)]?.members ?? [];
  }
  return view.items.map((i) => i.tile.id);
}

/** The focused image as a list, for the operations that take many (none when nothing is focused). */
export function focusedIds({ ui }: ActionContext): string[] {
  return ui.focusedId ? [ui.focusedId] : [];
}
