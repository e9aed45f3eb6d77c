/** Flags, stars, undo and the bulk decisions: each writes through state/decisions, so Ctrl+Z undoes it. */
import type { Decision, Stars } from '../../library/persistence';
import { decide, undo } from '../../state/decisions';
import { keepBestAndSay } from '../../state/groupActions';
import { focusedIds } from './context';
import { plain, withCommand } from './keys';
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
