import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Tile } from '../src/state/libraryStore';
import { useInsights } from '../src/state/insightsStore';
import { NO_FILTERS } from '../src/state/rankingStore';
import { useUi } from '../src/state/uiStore';
import { computeView } from '../src/state/view';
import { actionContext } from '../src/ui/actions/context';
import { colourLabels, labelAfterKey, pick, pickAndNext, rejectAndNext, rejectShown, stars, undoLast, unflag } from '../src/ui/actions/decisionActions';
import { useLibrary } from '../src/state/libraryStore';
import { sameBinding } from '../src/ui/actions/keys';
import { moves } from '../src/ui/actions/moveActions';
import { ACTIONS, actionForKey, helpSections, performIfEnabled } from '../src/ui/actions/registry';
import { learnTaste } from '../src/ui/actions/tasteActions';
import { EVERYWHERE, type Action } from '../src/ui/actions/types';
import { compare, loupe, stacks, zoom } from '../src/ui/actions/viewActions';

// The stores' writers reach IndexedDB and the workers: stand-ins record what the actions ask of them.
const { decide, undo, trainTaste } = vi.hoisted(() => ({
  decide: vi.fn(async (_ids: string[], _patch: object) => true),
  undo: vi.fn(async () => 2),
  trainTaste: vi.fn(async (_tag: string) => undefined),
}));
vi.mock('../src/state/decisions', () => ({ decide, undo }));
vi.mock('../src/state/taste', () => ({ trainTaste, rankingScoresFor: () => null }));

const tile = (id: string, score: number): Tile => ({
  id, name: `${id}.jpg`, path: `${id}.jpg`, bytes: 1, status: 'scored', score, error: null,
  hasThumb: false, width: null, height: null, decision: 'none', stars: 0, hasFile: true,
});
/** The grid sorted by score: a, b, c, d. */
const viewOf = (ids: string[]) =>
  computeView(ids.map((id, i) => tile(id, 10 - i)), null, () => undefined, { sort: 'score', thresholdOverride: null, tieMargin: 0, filters: NO_FILTERS });
const grid = viewOf(['a', 'b', 'c', 'd']);
const key = (k: string, mods: { ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean } = {}) => ({ key: k, ctrlKey: false, metaKey: false, ...mods });
const run = (action: Action, view = grid) => performIfEnabled(action, actionContext(view));

beforeEach(() => {
  decide.mockClear();
  trainTaste.mockClear();
  useUi.setState({ focusedId: null, selection: [], overlay: null, zoom: 'fit', notice: null, columns: 2 });
});

describe('the shortcut help', () => {
  it('lists every key of every action, in the action’s group', () => {
    const sections = helpSections();
    for (const action of ACTIONS) {
      const rows = sections.find((s) => s.group === action.group)?.rows ?? [];
      for (const k of action.keys) expect(rows.some((r) => r.caps.includes(k.caps)), `${action.id}: ${k.caps}`).toBe(true);
    }
  });

  it('shows the star ratings and the arrow pairs as one line each, and says where zoom works', () => {
    const rows = helpSections().flatMap((s) => s.rows);
    expect(rows.find((r) => r.text === '1 to 5 stars')?.caps).toEqual(['1', '2', '3', '4', '5']);
    expect(rows.find((r) => r.text === 'Previous / next image')?.caps).toEqual(['←', '→']);
    expect(rows.find((r) => r.caps.includes('Z'))?.text).toBe('Zoom 100 % / fit (in the loupe)');
    expect(rows.find((r) => r.text === 'Undo')?.caps).toEqual(['Ctrl+Z', '⌘Z']);
  });
});

describe('key bindings', () => {
  it('binds no key twice in one scope', () => {
    for (const scope of EVERYWHERE) {
      const bound = ACTIONS.filter((a) => a.scopes.includes(scope)).flatMap((a) => a.keys.map((k) => ({ id: a.id, k })));
      for (const [i, a] of bound.entries()) {
        const clash = bound.slice(i + 1).find((b) => sameBinding(a.k, b.k));
        expect(clash, `${scope}: ${a.k.caps} is bound to ${a.id} and ${clash?.id}`).toBeUndefined();
      }
    }
  });

  it('finds the action for a key where the user is: Z zooms in the loupe only, Ctrl/⌘+Z undoes everywhere', () => {
    expect(actionForKey('grid', key('P'))).toBe(pick);
    expect(actionForKey('grid', key('p', { ctrlKey: true }))).toBeUndefined();
    expect(actionForKey('grid', key('z'))).toBeUndefined();
    expect(actionForKey('loupe', key('z'))).toBe(zoom);
    expect(actionForKey('loupe', key('z', { ctrlKey: true }))).toBe(undoLast);
    expect(actionForKey('grid', key('Z', { metaKey: true }))).toBe(undoLast);
    expect(actionForKey('compare', key(' '))).toBe(loupe);
    expect(actionForKey('grid', key('Escape'))).toBeUndefined();
    expect(actionForKey('help', key('Escape'))?.id).toBe('close');
  });

  it("Shift+P/X/U are Lightroom's flag-and-next; without Shift (or with Caps Lock) they flag in place", () => {
    expect(actionForKey('grid', key('P', { shiftKey: true }))).toBe(pickAndNext);
    expect(actionForKey('loupe', key('X', { shiftKey: true }))).toBe(rejectAndNext);
    expect(actionForKey('grid', key('U', { shiftKey: true }))?.id).toBe('unflag-next');
    expect(actionForKey('grid', key('P'))).toBe(pick); // Caps Lock: "P" without Shift
    expect(actionForKey('grid', key('u'))).toBe(unflag);
    expect(actionForKey('grid', key('?', { shiftKey: true }))?.id).toBe('help');
    expect(actionForKey('grid', key('7'))?.id).toBe('label-yellow');
  });
});

describe('enabled and perform', () => {
  it('pick decides on the focused image, and waits for a focus', () => {
    expect(pick.enabled(actionContext(grid))).toBe(false);
    useUi.getState().focus('b');
    run(pick);
    expect(decide).toHaveBeenCalledWith(['b'], { decision: 'pick' });
    run(stars.find((s) => s.id === 'stars-3')!);
    expect(decide).toHaveBeenLastCalledWith(['b'], { stars: 3 });
  });

  it('Shift+P picks the focused image and moves the focus to the next one at once', () => {
    useUi.getState().focus('b');
    run(pickAndNext);
    expect(decide).toHaveBeenCalledWith(['b'], { decision: 'pick' });
    expect(useUi.getState().focusedId).toBe('c');
    useUi.getState().focus('d'); // the last: the focus stays
    run(rejectAndNext);
    expect(decide).toHaveBeenLastCalledWith(['d'], { decision: 'reject' });
    expect(useUi.getState().focusedId).toBe('d');
  });

  it('6–9 set Red, Yellow, Green, Blue; the same key again removes the label, as in Lightroom', () => {
    expect(colourLabels.map((a) => [a.keys[0].caps, a.id])).toEqual([['6', 'label-red'], ['7', 'label-yellow'], ['8', 'label-green'], ['9', 'label-blue']]);
    expect(labelAfterKey(['none'], 'red')).toBe('red');
    expect(labelAfterKey(['red'], 'red')).toBe('none');
    expect(labelAfterKey(['red', 'blue'], 'red')).toBe('red');
    expect(labelAfterKey(['blue'], 'red')).toBe('red');
    useLibrary.setState({ tiles: { b: { ...tile('b', 1), label: 'green' } } });
    useUi.getState().focus('b');
    run(colourLabels[2]);
    expect(decide).toHaveBeenLastCalledWith(['b'], { label: 'none' });
    run(colourLabels[0]);
    expect(decide).toHaveBeenLastCalledWith(['b'], { label: 'red' });
    const rows = helpSections().flatMap((s) => s.rows);
    expect(rows.find((r) => r.caps.includes('6'))).toEqual({ caps: ['6', '7', '8', '9'], text: 'Red, Yellow, Green, Blue label (again: none)' });
    expect(rows.find((r) => r.caps.includes('Shift+P'))?.caps).toEqual(['Shift+P', 'Shift+X', 'Shift+U']);
  });

  it('compare needs 2 candidates: the focused image and a next one, or a selection', () => {
    useUi.getState().focus('d'); // the last: no next image
    expect(compare.enabled(actionContext(grid))).toBe(false);
    useUi.getState().focus('c');
    expect(compare.enabled(actionContext(grid))).toBe(true);
    expect(compare.enabled(actionContext(viewOf(['c'])))).toBe(false);
    useUi.setState({ focusedId: null, selection: ['a', 'd'] });
    run(compare);
    expect(useUi.getState().overlay).toBe('compare');
  });

  it('zoom works in the loupe only', () => {
    useUi.getState().focus('a');
    expect(zoom.enabled(actionContext(grid))).toBe(false);
    run(loupe);
    expect(useUi.getState().overlay).toBe('loupe');
    run(zoom);
    expect(useUi.getState().zoom).toBe('100');
    run(loupe); // Space again closes it
    expect(useUi.getState().overlay).toBe(null);
  });

  it('the arrows move through the grid by columns, and through the compared images in compare', () => {
    const [left, right, up, down] = ['move-previous', 'move-next', 'move-up', 'move-down'].map((id) => moves.find((m) => m.id === id)!);
    run(right);
    expect(useUi.getState().focusedId).toBe('a'); // nothing focused: the first
    run(down);
    expect(useUi.getState().focusedId).toBe('c'); // 2 columns
    run(up);
    run(left);
    expect(useUi.getState().focusedId).toBe('a');
    useUi.setState({ selection: ['b', 'd'], overlay: 'compare', focusedId: 'b' });
    run(down);
    expect(useUi.getState().focusedId).toBe('d');
    run(right);
    expect(useUi.getState().focusedId).toBe('d');
  });

  it('Space with nothing focused opens the loupe on the first image', () => {
    run(loupe);
    expect(useUi.getState()).toMatchObject({ focusedId: 'a', overlay: 'loupe' });
  });

  it('reject shown decides on every image shown, and says so', async () => {
    run(rejectShown, viewOf(['a', 'b']));
    expect(decide).toHaveBeenCalledWith(['a', 'b'], { decision: 'reject' });
    await vi.waitFor(() => expect(useUi.getState().notice).toBe('Rejected 2 images. Ctrl+Z undoes.'));
    expect(rejectShown.enabled(actionContext(viewOf([])))).toBe(false);
  });

  it('undo says how many images it restored', async () => {
    run(undoLast);
    await vi.waitFor(() => expect(useUi.getState().notice).toBe('Undone: 2 images restored'));
  });

  it('G flips stacks; T learns the taste of the tag being ranked, and needs one', () => {
    const before = useInsights.getState().groupSettings.stacks;
    run(stacks);
    expect(useInsights.getState().groupSettings.stacks).toBe(!before);
    run(learnTaste);
    expect(trainTaste).not.toHaveBeenCalled();
    run(learnTaste, { ...grid, tag: 'cat' });
    expect(trainTaste).toHaveBeenCalledWith('cat');
  });
});
