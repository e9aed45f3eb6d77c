/**
 * Culling mode (Nítido's way): one burst or near-duplicate group at a time, its suggested best shown large,
 * then the photos of no group that are still undecided. Enter keeps the shown frame and rejects the rest of
 * its group in one undoable change; ↑/↓ change group, ←/→ the frame; P/X/U, stars and labels work as
 * everywhere (they act on the shown frame, which is the focused photo).
 */
import { cullStops, nextOpenStop, stopIndexOf, type CullStop } from '../../state/cullStops';
import { decideMany } from '../../state/decisions';
import { useLibrary } from '../../state/libraryStore';
import { plain } from './keys';
import { EVERYWHERE, type Action, type ActionContext } from './types';

const inCulling = (ctx: ActionContext) => ctx.scope === 'cull';

function where(ctx: ActionContext): { stops: CullStop[]; index: number } {
  const stops = cullStops(ctx.view);
  return { stops, index: stopIndexOf(stops, ctx.ui.focusedId) };
}

function showStop(ctx: ActionContext, stops: CullStop[], index: number): void {
  const stop = stops[Math.max(0, Math.min(stops.length - 1, index))];
  if (stop) ctx.ui.focus(stop.best);
}

export const cullingMode: Action = {
  id: 'culling-mode',
  label: 'Culling mode',
  detail: 'one burst or group of similar photos at a time, its best shown large, then the photos left undecided',
  group: 'Cull',
  keys: [plain('m')],
  scopes: EVERYWHERE,
  enabled: (ctx) => ctx.view.items.length > 0,
  perform: (ctx) => {
    if (ctx.ui.overlay === 'cull') return ctx.ui.open(null);
    const { stops, index } = where(ctx);
    if (stops.length === 0) return ctx.ui.notify('Nothing to cull yet: drop a folder first.');
    const tiles = useLibrary.getState().tiles;
    // The group the user is in, if it still has an undecided photo, else the first that has; its best shown.
    const open = index >= 0 && nextOpenStop(stops, tiles, index - 1) === index ? index : nextOpenStop(stops, tiles, -1);
    showStop(ctx, stops, open < 0 ? 0 : open);
    ctx.ui.open('cull');
  },
};

export const cullKeep: Action = {
  id: 'cull-keep',
  label: 'Keep this frame',
  detail: 'pick the shown frame and reject the rest of its group, then go to the next group (Ctrl+Z undoes)',
  group: 'Cull',
  keys: [plain('Enter')],
  scopes: ['cull'],
  preventsDefault: true,
  enabled: (ctx) => inCulling(ctx) && ctx.ui.focusedId !== null,
  perform: async (ctx) => {
    const { stops, index } = where(ctx);
    const keep = ctx.ui.focusedId;
    if (index < 0 || !keep) return;
    const rest = stops[index].members.filter((id) => id !== keep);
    const done = await decideMany([
      { ids: [keep], patch: { decision: 'pick' } },
      { ids: rest, patch: { decision: 'reject' } },
    ]);
    if (!done) return;
    const next = nextOpenStop(stops, useLibrary.getState().tiles, index);
    const kept = rest.length ? `Kept 1, rejected ${rest.length}.` : 'Picked.';
    if (next < 0) return ctx.ui.notify(`${kept} Culling done: every group and photo has a decision. Ctrl+Z undoes.`);
    showStop(ctx, stops, next);
    ctx.ui.notify(`${kept} Ctrl+Z undoes.`);
  },
};

function stepGroup(id: string, key: string, label: string, by: number): Action {
  return {
    id,
    label,
    helpRow: 'Previous / next group',
    group: 'Cull',
    keys: [plain(key)],
    scopes: ['cull'],
    preventsDefault: true,
    enabled: inCulling,
    perform: (ctx) => {
      const { stops, index } = where(ctx);
      showStop(ctx, stops, index + by);
    },
  };
}

function stepFrame(id: string, key: string, label: string, by: number): Action {
  return {
    id,
    label,
    helpRow: 'Previous / next frame of the group',
    group: 'Cull',
    keys: [plain(key)],
    scopes: ['cull'],
    preventsDefault: true,
    enabled: inCulling,
    perform: (ctx) => {
      const { stops, index } = where(ctx);
      const members = stops[index]?.members ?? [];
      const at = members.indexOf(ctx.ui.focusedId ?? '');
      const to = members[Math.max(0, Math.min(members.length - 1, at + by))];
      if (to) ctx.ui.focus(to);
    },
  };
}

export const cullMoves: Action[] = [
  stepGroup('cull-previous-group', 'ArrowUp', 'Previous group', -1),
  stepGroup('cull-next-group', 'ArrowDown', 'Next group', 1),
  stepFrame('cull-previous-frame', 'ArrowLeft', 'Previous frame', -1),
  stepFrame('cull-next-frame', 'ArrowRight', 'Next frame', 1),
];
