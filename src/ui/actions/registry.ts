/**
 * Every user operation, once. The keyboard handler looks keys up here, buttons take their label, enabled
 * state and perform from here, and the shortcut help is drawn from here.
 */
import { colourLabels, keepBest, pick, pickAndNext, pickShown, reject, rejectAndNext, rejectShown, stars, undoLast, unflag, unflagAndNext } from './decisionActions';
import { copyPicksToFolder, exportCsv, exportJson, exportXmp, rawSidecarsDarktable, rawSidecarsLightroom, writeSidecarsToFolder } from './exportActions';
import { matches, type KeyPress } from './keys';
import { moves } from './moveActions';
import { cullingMode, cullKeep, cullMoves } from './cullActions';
import { learnTaste } from './tasteActions';
import { HELP_GROUPS, type Action, type ActionContext, type HelpGroup, type KeyScope } from './types';
import { close, compare, explain, help, loupe, sidePanel, stacks, storage, zoom } from './viewActions';
import { deleteModels, keepData } from './storageActions';
import { finish, finishCopy, finishKeepRejects, finishScriptDownload, finishSetAside, finishSetAsideConfirmed } from './finishActions';
import { applyCullTarget, cullToTarget } from './targetActions';

/** In the order the help lists them within each group. */
export const ACTIONS: readonly Action[] = [
  pick,
  reject,
  unflag,
  pickAndNext,
  rejectAndNext,
  unflagAndNext,
  keepBest,
  cullToTarget,
  applyCullTarget,
  pickShown,
  rejectShown,
  ...stars,
  ...colourLabels,
  ...moves,
  cullingMode,
  cullKeep,
  ...cullMoves,
  loupe,
  zoom,
  compare,
  explain,
  stacks,
  sidePanel,
  help,
  storage,
  close,
  undoLast,
  learnTaste,
  exportCsv,
  exportJson,
  exportXmp,
  writeSidecarsToFolder,
  rawSidecarsLightroom,
  rawSidecarsDarktable,
  copyPicksToFolder,
  finish,
  finishCopy,
  finishScriptDownload,
  finishSetAside,
  finishSetAsideConfirmed,
  finishKeepRejects,
  keepData,
  deleteModels,
];

/** The action a key press starts where the user is, if any. */
export function actionForKey(scope: KeyScope, press: KeyPress): Action | undefined {
  const here = ACTIONS.filter((a) => a.scopes.includes(scope));
  // Shift+P must find "pick and move on", not the plain P that also matches with Shift held.
  return (
    here.find((a) => a.keys.some((k) => k.shift && matches(k, press))) ??
    here.find((a) => a.keys.some((k) => !k.shift && matches(k, press)))
  );
}

/** Runs the action if it can run now; what a key press and a button click both do. */
export function performIfEnabled(action: Action, ctx: ActionContext): void {
  if (action.enabled(ctx)) void action.perform(ctx);
}

/** "Reject every image shown (X)": the tooltip a button shows. */
export function tooltipOf(action: Action): string {
  const text = action.detail ? action.detail[0].toUpperCase() + action.detail.slice(1) : action.label;
  return action.keys.length ? `${text} (shortcut ${action.keys.map((k) => k.caps).join(' / ')})` : text;
}

/** " (in the loupe)" for a key bound in one overlay only. */
function onlyIn(scopes: readonly KeyScope[]): string {
  return scopes.length === 1 && scopes[0] !== 'grid' ? ` (in the ${scopes[0]})` : '';
}

export interface HelpRow {
  /** The key caps, in order: alternatives, a direction pair, or a run of digits. */
  caps: string[];
  text: string;
}

/** The shortcut help: each group's lines, actions with keys only, those sharing a helpRow on one line. */
export function helpSections(): { group: HelpGroup; rows: HelpRow[] }[] {
  return HELP_GROUPS.map((group) => {
    const rows = new Map<string, HelpRow>();
    for (const a of ACTIONS) {
      if (a.group !== group || a.keys.length === 0) continue;
      const text = (a.helpRow ?? (a.detail ? `${a.label}: ${a.detail}` : a.label)) + onlyIn(a.scopes);
      const row = rows.get(text) ?? { caps: [], text };
      row.caps.push(...a.keys.map((k) => k.caps));
      rows.set(text, row);
    }
    return { group, rows: [...rows.values()] };
  }).filter((s) => s.rows.length > 0);
}
