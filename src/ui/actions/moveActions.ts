/** Moving the focus: through the grid, or through the images compared while compare is open. */
import { navigableIds } from './context';
import { plain } from './keys';
import { OUTSIDE_CULLING, type Action, type ActionContext } from './types';

interface Step {
  id: string;
  key: string;
  label: string;
  helpRow: string;
  /** Where the focus goes from `index` (-1 when nothing is focused yet). */
  to(index: number, last: number, columns: number): number;
}

const fromFocus = (index: number, by: number) => (index < 0 ? 0 : index + by);

const STEPS: Step[] = [
  { id: 'move-previous', key: 'ArrowLeft', label: 'Previous image', helpRow: 'Previous / next image', to: (i) => fromFocus(i, -1) },
  { id: 'move-next', key: 'ArrowRight', label: 'Next image', helpRow: 'Previous / next image', to: (i) => fromFocus(i, 1) },
  { id: 'move-up', key: 'ArrowUp', label: 'Row above', helpRow: 'Row above / below', to: (i, _, columns) => fromFocus(i, -columns) },
  { id: 'move-down', key: 'ArrowDown', label: 'Row below', helpRow: 'Row above / below', to: (i, _, columns) => fromFocus(i, columns) },
  { id: 'move-first', key: 'Home', label: 'First image', helpRow: 'First / last image', to: () => 0 },
  { id: 'move-last', key: 'End', label: 'Last image', helpRow: 'First / last image', to: (_, last) => last },
];

/** Focuses the image `to` picks, kept inside the list. */
export function moveFocus(ctx: ActionContext, to: Step['to']): void {
  const ids = navigableIds(ctx);
  if (ids.length === 0) return;
  const index = ctx.ui.focusedId ? ids.indexOf(ctx.ui.focusedId) : -1;
  // Compare lays its images out in a row, so ↑/↓ step one at a time there.
  const columns = ctx.scope === 'compare' ? 1 : ctx.ui.columns;
  ctx.ui.focus(ids[Math.max(0, Math.min(ids.length - 1, to(index, ids.length - 1, columns)))]);
}

export const moves: Action[] = STEPS.map((step) => ({
  id: step.id,
  label: step.label,
  helpRow: step.helpRow,
  group: 'Move',
  keys: [plain(step.key)],
  scopes: OUTSIDE_CULLING,
  preventsDefault: true,
  enabled: (ctx) => navigableIds(ctx).length > 0,
  perform: (ctx) => moveFocus(ctx, step.to),
}));
