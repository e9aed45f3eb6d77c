/**
 * Flags, stars, colour labels, undo and the bulk decisions: each writes through state/decisions, so Ctrl+Z
 * undoes it. The keys are Lightroom Classic's: P X U, Shift+P X U (flag, then the next photo), 0–5, 6–9.
 */
import type { ColourLabel, Decision, Stars } from '../../library/persistence';
import { decide, undo } from '../../state/decisions';
import { keepBestAndSay } from '../../state/groupActions';
import { useLibrary } from '../../state/libraryStore';
import { focusedIds } from './context';
import { moveFocus } from './moveActions';
import { plain, shifted, withCommand } from './keys';
import { EVERYWHERE, type Action, type ActionContext } from './types';

const hasFocus = (ctx: ActionContext) => ctx.ui.focusedId !== null;

function flagAction(id: string, key: string, label: string, decision: Decision): Action {
  return {
    id,
    label,
    group: 'Flag',
    keys: [plain(key)],
    scopes: EVERYWHERE,
    enabled: hasFocus,
    perform: (ctx) => decide(focusedIds(ctx), { decision }),
  };
}

export const pick = flagAction('pick', 'p', 'Pick', 'pick');
export const reject = flagAction('reject', 'x', 'Reject', 'reject');
export const unflag = flagAction('unflag', 'u', 'Unflag', 'none');

/** Lightroom's Shift+P/X/U: the decision, then the focus moves to the next photo at once (not after the write). */
function flagAndNextAction(id: string, key: string, label: string, decision: Decision): Action {
  return {
    id,
    label,
    helpRow: 'Pick / reject / unflag, then the next photo',
    group: 'Flag',
    keys: [shifted(key)],
    scopes: EVERYWHERE,
    enabled: hasFocus,
    perform: (ctx) => {
      const decided = decide(focusedIds(ctx), { decision });
      moveFocus(ctx, (i) => i + 1);
      return decided;
    },
  };
}

export const pickAndNext = flagAndNextAction('pick-next', 'p', 'Pick and move on', 'pick');
export const rejectAndNext = flagAndNextAction('reject-next', 'x', 'Reject and move on', 'reject');
export const unflagAndNext = flagAndNextAction('unflag-next', 'u', 'Unflag and move on', 'none');

function starsAction(stars: Stars): Action {
  return {
    id: `stars-${stars}`,
    label: stars === 0 ? 'No stars' : `${stars} star${stars === 1 ? '' : 's'}`,
    helpRow: stars === 0 ? undefined : '1 to 5 stars',
    group: 'Rate',
    keys: [plain(String(stars))],
    scopes: EVERYWHERE,
    enabled: hasFocus,
    perform: (ctx) => decide(focusedIds(ctx), { stars }),
  };
}

// 1–5 first, so the help lists "1 2 3 4 5" before "0".
export const stars = ([1, 2, 3, 4, 5, 0] as const).map(starsAction);

/** Lightroom's colour-label keys and names (its default label set): 6 Red, 7 Yellow, 8 Green, 9 Blue. */
export const LABEL_KEYS: readonly { key: string; label: Exclude<ColourLabel, 'none'> }[] = [
  { key: '6', label: 'red' },
  { key: '7', label: 'yellow' },
  { key: '8', label: 'green' },
  { key: '9', label: 'blue' },
];

/** The label a key sets: its colour, or none when every focused photo has it already (Lightroom toggles). */
export function labelAfterKey(current: readonly ColourLabel[], pressed: Exclude<ColourLabel, 'none'>): ColourLabel {
  return current.length > 0 && current.every((l) => l === pressed) ? 'none' : pressed;
}

function labelAction({ key, label }: (typeof LABEL_KEYS)[number]): Action {
  return {
    id: `label-${label}`,
    label: `${label[0].toUpperCase()}${label.slice(1)} label`,
    helpRow: 'Red, Yellow, Green, Blue label (again: none)',
    group: 'Rate',
    keys: [plain(key)],
    scopes: EVERYWHERE,
    enabled: hasFocus,
    perform: (ctx) => {
      const ids = focusedIds(ctx);
      const tiles = useLibrary.getState().tiles;
      return decide(ids, { label: labelAfterKey(ids.map((id) => tiles[id]?.label ?? 'none'), label) });
    },
  };
}

export const colourLabels = LABEL_KEYS.map(labelAction);

export const keepBest: Action = {
  id: 'keep-best',
  label: 'Keep best of each group',
  detail: 'reject every image of each group of similar images except its best (★) by the current ranking; Ctrl+Z undoes',
  group: 'Flag',
  keys: [plain('k')],
  scopes: EVERYWHERE,
  // The button greys out with nothing to cull; the key still says so in a notice.
  enabled: () => true,
  perform: (ctx) => keepBestAndSay(ctx.view),
};

export const undoLast: Action = {
  id: 'undo',
  label: 'Undo',
  group: 'Edit',
  keys: withCommand('z'),
  scopes: EVERYWHERE,
  preventsDefault: true,
  enabled: () => true,
  perform: async (ctx) => {
    const n = await undo();
    if (n > 0) ctx.ui.notify(`Undone: ${n} image${n === 1 ? '' : 's'} restored`);
  },
};

function bulkAction(id: string, decision: 'pick' | 'reject', label: string, done: string): Action {
  return {
    id,
    label,
    detail: `${decision} every image shown`,
    group: 'Flag',
    keys: [],
    scopes: EVERYWHERE,
    enabled: (ctx) => ctx.view.items.length > 0,
    perform: async (ctx) => {
      const shown = ctx.view.items.map((i) => i.tile.id);
      const n = shown.length;
      if (n === 0) return;
      if (await decide(shown, { decision })) ctx.ui.notify(`${done} ${n} image${n === 1 ? '' : 's'}. Ctrl+Z undoes.`);
    },
  };
}

export const pickShown = bulkAction('pick-shown', 'pick', 'Pick shown', 'Picked');
export const rejectShown = bulkAction('reject-shown', 'reject', 'Reject shown', 'Rejected');
