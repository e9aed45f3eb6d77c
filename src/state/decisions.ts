/**
 * Picks, rejects and stars: the user's work. Each change is written to IndexedDB first and shown only
 * once stored (REFERENCE §9); every change, single or bulk, can be undone.
 */
import { setDecisions, type ColourLabel, type Decision, type Stars } from '../library/persistence';
import { db } from './libraryDb';
import { useLibrary } from './libraryStore';
import { askToKeepData } from './storage';
import { reportStorageError } from './storageErrors';

interface Change {
  id: string;
  decision: Decision;
  stars: Stars;
  label: ColourLabel;
}

const undoStack: Change[][] = [];
const UNDO_LIMIT = 100;

async function apply(changes: Change[]): Promise<boolean> {
  try {
    await setDecisions(db, changes.map((c) => ({ key: c.id, decision: c.decision, stars: c.stars, label: c.label })));
  } catch (err) {
    reportStorageError(err);
    return false;
  }
  useLibrary.getState().patchTiles(changes.map((c) => ({ id: c.id, patch: { decision: c.decision, stars: c.stars, label: c.label } })));
  return true;
}

// Key presses come faster than IndexedDB writes: changes run one after another, each against the state
// the previous one left, so "P then 5" keeps both.
let chain: Promise<unknown> = Promise.resolve();
function serial<T>(task: () => Promise<T>): Promise<T> {
  const run = chain.then(task, task);
  chain = run.catch(() => undefined);
  return run;
}

export interface DecisionPatch {
  decision?: Decision;
  stars?: Stars;
  label?: ColourLabel;
}

/** Sets a decision, stars and/or a colour label on these images; resolves once stored. */
export function decide(ids: string[], patch: DecisionPatch): Promise<boolean> {
  return serial(() => decideNow(ids, patch));
}

/**
 * Several patches, each on its own images, as ONE change: stored in one transaction and undone by one Ctrl+Z
 * (culling mode's "keep this frame, reject the rest"; cull to a target's picks and rejects). An image named
 * twice gets the later patch.
 */
export function decideMany(changes: readonly { ids: readonly string[]; patch: DecisionPatch }[]): Promise<boolean> {
  return serial(() => decideManyNow(changes));
}

function decideNow(ids: string[], patch: DecisionPatch): Promise<boolean> {
  return decideManyNow([{ ids, patch }]);
}

async function decideManyNow(changes: readonly { ids: readonly string[]; patch: DecisionPatch }[]): Promise<boolean> {
  const { tiles } = useLibrary.getState();
  // Tiles of unreadable files have no stored record; nothing to decide there.
  const patchOf = new Map<string, DecisionPatch>();
  for (const { ids, patch } of changes) for (const id of ids) if (tiles[id] && !id.startsWith('unreadable:')) patchOf.set(id, { ...patchOf.get(id), ...patch });
  if (patchOf.size === 0) return false;
  const before = [...patchOf.keys()].map((id) => ({ id, decision: tiles[id].decision, stars: tiles[id].stars, label: tiles[id].label ?? 'none' }));
  const after = before.map((b) => {
    const patch = patchOf.get(b.id)!;
    return { id: b.id, decision: patch.decision ?? b.decision, stars: patch.stars ?? b.stars, label: patch.label ?? b.label };
  });
  const ok = await apply(after);
  // The first decision is work worth keeping: the moment to ask the browser not to clear it.
  if (ok) void askToKeepData('first-decision');
  if (ok) {
    undoStack.push(before);
    if (undoStack.length > UNDO_LIMIT) undoStack.shift();
  }
  return ok;
}

export function undo(): Promise<number> {
  return serial(undoNow);
}

async function undoNow(): Promise<number> {
  const last = undoStack.pop();
  if (!last) return 0;
  const ok = await apply(last);
  if (!ok) undoStack.push(last);
  return ok ? last.length : 0;
}
