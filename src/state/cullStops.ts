/**
 * Culling mode's path through the folder: one stop per burst or near-duplicate group (in the view's order,
 * the group's best first to be shown), then one stop per photo of no group. Pure functions of the view and
 * the tiles' decisions; where the user is comes from the focused photo, so no second cursor can drift from it.
 */
import type { Tile } from './libraryStore';
import type { View } from './view';

export interface CullStop {
  /**
   * The photos of the stop: the best first, then the rest in the view's order. The best leads so that the
   * strip reads from the suggestion and → from it always reaches another frame (in the view's order the best
   * can come last: a sort by score puts a blink frame first when its aesthetic score is higher).
   */
  members: string[];
  /** The one shown first and suggested: the group's best (★), or the photo itself. */
  best: string;
  kind: 'group' | 'single';
}

export function cullStops(view: View): CullStop[] {
  // view.groups lists every member in the view's order, those folded into a stack too.
  const position = new Map(view.items.map((it, i) => [it.tile.id, i]));
  const first = (members: string[]) => Math.min(...members.map((id) => position.get(id) ?? Infinity));
  const groups = (view.groups ?? [])
    .filter((g) => g.members.length >= 2)
    .map((g) => {
      const best = g.members.includes(g.best) ? g.best : g.members[0];
      return { members: [best, ...g.members.filter((id) => id !== best)], best, kind: 'group' as const };
    })
    .sort((a, b) => first(a.members) - first(b.members));
  const grouped = new Set(groups.flatMap((g) => g.members));
  const singles = view.items
    .filter((it) => !grouped.has(it.tile.id) && it.tile.status !== 'failed')
    .map((it) => ({ members: [it.tile.id], best: it.tile.id, kind: 'single' as const }));
  return [...groups, ...singles];
}

/** The stop holding this photo, or -1. */
export function stopIndexOf(stops: readonly CullStop[], id: string | null): number {
  return id === null ? -1 : stops.findIndex((s) => s.members.includes(id));
}

const undecided = (stop: CullStop, tiles: Record<string, Tile>) => stop.members.some((id) => (tiles[id]?.decision ?? 'none') === 'none');

/**
 * The next stop after `from` that still has an undecided photo (groups first, then the photos left
 * undecided), or -1 when none is left. `from` -1 finds the first.
 */
export function nextOpenStop(stops: readonly CullStop[], tiles: Record<string, Tile>, from: number): number {
  for (let i = from + 1; i < stops.length; i++) if (undecided(stops[i], tiles)) return i;
  return -1;
}
