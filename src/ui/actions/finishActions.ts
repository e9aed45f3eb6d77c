/** Finish: the dialog, the copy into an archive folder, and the script for browsers that cannot write folders. */
import type { ArchiveFolder } from '../../library/finish/copyToArchive';
import { saveBlob } from '../../library/export/download';
import { browserMovesFiles, finishIntoFolder, finishScriptText, setRejectsAside, useFinish } from '../../state/finish';
import { directoryPicker } from './exportActions';
import { plain } from './keys';
import { toggle } from './viewActions';
import { EVERYWHERE, type Action } from './types';

/** Where the browser can write into a folder (Chromium's File System Access API). */
export const archivePicker = () => directoryPicker<ArchiveFolder>();

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export const finish: Action = {
  id: 'finish',
  label: 'Finish…',
  detail: 'copy the keepers with their RAW and sidecars into an archive folder, checked, after showing what goes where',
  group: 'Export',
  keys: [plain('f')],
  scopes: EVERYWHERE,
  enabled: (ctx) => ctx.view.items.length > 0 || ctx.ui.overlay === 'finish',
  perform: (ctx) => toggle(ctx, 'finish'),
};

export const finishCopy: Action = {
  id: 'finish-copy',
  label: 'Choose the archive folder and copy',
  detail: 'copy every keeper’s files into the folder you choose, check each copy by size and SHA-256, and skip what is already there',
  group: 'Export',
  keys: [],
  scopes: ['finish'],
  enabled: () => archivePicker() !== undefined && useFinish.getState().running === null,
  perform: async (ctx) => {
    const picker = archivePicker();
    if (!picker) return;
    let folder: ArchiveFolder;
    try {
      folder = await picker({ mode: 'readwrite', id: 'loupe-archive' });
    } catch {
      return; // the user closed the picker
    }
    const r = await finishIntoFolder(folder);
    ctx.ui.notify(
      `Finish into “${folder.name}”: ${plural(r.copied.length, 'file')} copied and checked, ${r.alreadyThere.length} already there` +
        (r.failed.length ? `; ${plural(r.failed.length, 'problem')} (${r.failed[0].path}: ${r.failed[0].reason})` : '') +
        '.',
    );
  },
};

export const finishScriptDownload: Action = {
  id: 'finish-script',
  label: 'Download it as a script',
  detail: 'a bash script that does the same copy, checked, on this computer (for browsers that cannot write into folders), and can set the rejects aside',
  group: 'Export',
  keys: [],
  scopes: ['finish'],
  enabled: () => true,
  perform: () => {
    const stamp = new Date().toISOString().slice(0, 10);
    saveBlob(new Blob([finishScriptText()], { type: 'text/x-shellscript' }), `loupe-finish-${stamp}.sh`);
  },
};

const asideSummary = (r: { moved: string[]; alreadyAside: string[]; failed: { path: string; reason: string }[] }) =>
  `Rejects: ${plural(r.moved.length, 'file')} moved into “_rejects”, ${r.alreadyAside.length} already there` +
  (r.failed.length ? `; ${plural(r.failed.length, 'problem')} (${r.failed[0].path}: ${r.failed[0].reason})` : '') +
  '.';

export const finishSetAside: Action = {
  id: 'finish-set-aside-now',
  label: 'Move the rejects into “_rejects”',
  detail: 'move each reject (and its RAW) into a “_rejects” folder beside it, in the folder you opened; nothing is deleted',
  group: 'Export',
  keys: [],
  scopes: ['finish'],
  enabled: () => archivePicker() !== undefined && useFinish.getState().asideRunning === null,
  perform: async (ctx) => {
    // Where files cannot be moved, the originals would be deleted after a checked copy: ask a second time first.
    if (!browserMovesFiles()) return void useFinish.setState({ confirmingDelete: true });
    ctx.ui.notify(asideSummary(await setRejectsAside(false)));
  },
};

export const finishSetAsideConfirmed: Action = {
  id: 'finish-set-aside-delete',
  label: 'Copy, check, then delete the originals',
  detail: 'this browser cannot move files: copy each reject into “_rejects”, check the copy by size and SHA-256, and only then delete the original',
  group: 'Export',
  keys: [],
  scopes: ['finish'],
  enabled: () => useFinish.getState().confirmingDelete && useFinish.getState().asideRunning === null,
  perform: async (ctx) => {
    ctx.ui.notify(asideSummary(await setRejectsAside(true)));
  },
};

export const finishKeepRejects: Action = {
  id: 'finish-keep-rejects',
  label: 'Leave them where they are',
  detail: 'do not delete anything: the rejects stay where they are',
  group: 'Export',
  keys: [],
  scopes: ['finish'],
  enabled: () => useFinish.getState().confirmingDelete,
  perform: () => useFinish.setState({ confirmingDelete: false }),
};
