/** Exports of the session (CSV, JSON, XMP sidecars) and the copy of the picked originals into a folder. */
import { createZip } from '../../codecs/zipWrite';
import { copyFilesToFolder, type WritableDirectory } from '../../library/copyToFolder';
import { toCsv } from '../../library/export/csv';
import { saveBlob } from '../../library/export/download';
import { toJson } from '../../library/export/json';
import { sidecarFiles } from '../../library/export/sidecars';
import { browserXmlTools, writeSidecarsIntoFolder, type SidecarFolder } from '../../library/export/sidecarsIntoFolder';
import { getEmbedding } from '../../state/embeddingRegistry';
import { useEngine } from '../../state/engineStore';
import { buildExport } from '../../state/exportData';
import { setRawSidecarNaming, useExportSettings } from '../../state/exportSettings';
import { companionFileOf, fileOf } from '../../state/files';
import { useLibrary } from '../../state/libraryStore';
import { pickedFiles } from '../../state/pickedFiles';
import { useRanking } from '../../state/rankingStore';
import { rankingScoresFor } from '../../state/taste';
import { EVERYWHERE, type Action, type UiSnapshot } from './types';

type ExportKind = 'csv' | 'json' | 'xmp';

function exportNow(kind: ExportKind): void {
  const { tiles, order } = useLibrary.getState();
  const { tags, thresholds, tieMargin } = useRanking.getState();
  const modelId = useEngine.getState().ready?.modelId ?? 'none';
  const { images, ctx } = buildExport(order.map((id) => tiles[id]), tags, thresholds, tieMargin, getEmbedding, modelId, rankingScoresFor);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  if (kind === 'csv') saveBlob(new Blob([toCsv(images, ctx)], { type: 'text/csv;charset=utf-8' }), `loupe-${stamp}.csv`);
  if (kind === 'json') saveBlob(new Blob([toJson(images, ctx)], { type: 'application/json' }), `loupe-${stamp}.json`);
  if (kind === 'xmp') {
    const { rawSidecarNaming } = useExportSettings.getState();
    const { files } = sidecarFiles(images.filter((i) => !i.error), ctx, { rawNaming: rawSidecarNaming });
    saveBlob(new Blob([createZip(files)], { type: 'application/zip' }), `loupe-xmp-${stamp}.zip`);
  }
}

/** An Export action without a key, always enabled (the buttons and the help list them). */
function exportGroupAction(id: string, label: string, detail: string, perform: () => void): Action {
  return { id, label, detail, group: 'Export', keys: [], scopes: EVERYWHERE, enabled: () => true, perform };
}

function exportAction(kind: ExportKind, label: string, detail: string): Action {
  return exportGroupAction(`export-${kind}`, label, detail, () => exportNow(kind));
}

export const exportCsv = exportAction('csv', 'CSV', 'every image with its decision, stars, scores and tags, as a spreadsheet');
export const exportJson = exportAction('json', 'JSON', 'every image with its decision, stars, scores and tags, as JSON');
export const exportXmp = exportAction('xmp', 'XMP (.zip)', 'XMP sidecars for Lightroom Classic, darktable and digiKam, in one zip');

function rawNamingAction(naming: 'replace' | 'append', label: string, detail: string): Action {
  return exportGroupAction(`raw-sidecars-${naming}`, label, detail, () => setRawSidecarNaming(naming));
}

// Each tool finds a RAW's sidecar under one name only, so the choice names the tools (sidecarName.ts).
export const rawSidecarsLightroom = rawNamingAction('replace', 'Lightroom: IMG_0001.xmp', 'name RAW sidecars as Lightroom Classic, Bridge and Capture One read them');
export const rawSidecarsDarktable = rawNamingAction('append', 'darktable, digiKam: IMG_0001.CR2.xmp', 'name RAW sidecars as darktable and digiKam read them, one per file of a RAW+JPEG pair');

type DirectoryPicker<T> = (options?: { mode?: 'read' | 'readwrite'; id?: string }) => Promise<T>;

/** Chromium's File System Access API; other browsers have no way to write into a folder. */
export function directoryPicker<T = WritableDirectory & SidecarFolder>(): DirectoryPicker<T> | undefined {
  if (typeof window === 'undefined') return undefined;
  return (window as unknown as { showDirectoryPicker?: DirectoryPicker<T> }).showDirectoryPicker;
}

/** Copies the picked originals into a folder the user chooses. */
async function copyPicks(picker: DirectoryPicker<WritableDirectory & SidecarFolder>, notify: UiSnapshot['notify']): Promise<void> {
  const { tiles, order } = useLibrary.getState();
  const picks = order.map((id) => tiles[id]).filter((t) => t.decision === 'pick');
  const { files: withFile, missing } = pickedFiles(picks, fileOf, companionFileOf);
  if (picks.length === 0) return notify('No picks yet: press P on the images to keep.');
  let dir: WritableDirectory;
  try {
    dir = await picker({ mode: 'readwrite' });
  } catch {
    return; // the user closed the picker
  }
  const report = await copyFilesToFolder(dir, withFile, (done, total) => notify(`Copying picks to “${dir.name}”: ${done}/${total}…`));
  // A RAW+JPEG pick is two files: the count says files when they outnumber the picks.
  const copied = report.copied.length;
  const what = withFile.length > picks.length ? `${copied} file${copied === 1 ? '' : 's'} of ${picks.length} pick${picks.length === 1 ? '' : 's'}` : `${copied} pick${copied === 1 ? '' : 's'}`;
  notify(
    `Copied ${what} to “${dir.name}”` +
      (report.failed.length ? `; ${report.failed.length} failed (${report.failed[0].from}: ${report.failed[0].reason})` : '') +
      (missing.length ? `; ${missing.length} skipped (${missing[0]}): drop their folder again first` : '') +
      '.',
  );
}

export const copyPicksToFolder: Action = {
  id: 'copy-picks',
  label: 'Copy picks to…',
  detail: 'copy the picked originals (RAW and JPEG of a pair) into a folder you choose',
  group: 'Export',
  keys: [],
  scopes: EVERYWHERE,
  // Enabled where the browser can write into a folder; with no picks yet it says so instead.
  enabled: () => directoryPicker() !== undefined,
  perform: async (ctx) => {
    const picker = directoryPicker();
    if (picker) await copyPicks(picker, ctx.ui.notify);
  },
};

/** Writes (or merges into) the sidecars beside the photos, in the folder the user picks: theirs. */
async function sidecarsIntoFolder(picker: DirectoryPicker<WritableDirectory & SidecarFolder>, notify: UiSnapshot['notify']): Promise<void> {
  const { tiles, order } = useLibrary.getState();
  const { tags, thresholds, tieMargin } = useRanking.getState();
  const modelId = useEngine.getState().ready?.modelId ?? 'none';
  const { images, ctx } = buildExport(order.map((id) => tiles[id]), tags, thresholds, tieMargin, getEmbedding, modelId, rankingScoresFor);
  const photos = images.filter((i) => !i.error);
  if (photos.length === 0) return notify('No photos yet: drop a folder first.');
  let dir: WritableDirectory & SidecarFolder;
  try {
    dir = await picker({ mode: 'readwrite' });
  } catch {
    return; // the user closed the picker
  }
  const { rawSidecarNaming } = useExportSettings.getState();
  const report = await writeSidecarsIntoFolder(dir, photos, ctx, { rawNaming: rawSidecarNaming }, browserXmlTools(), (done, total) =>
    notify(`Writing sidecars into “${dir.name}”: ${done}/${total}…`),
  );
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  notify(
    `Sidecars in “${dir.name}”: ${n(report.created.length, 'new one')}, ${report.merged.length} merged into those already there (their other fields kept)` +
      (report.skipped.length ? `; ${report.skipped.length} skipped (${report.skipped[0].path}: ${report.skipped[0].reason})` : '') +
      '.',
  );
}

export const writeSidecarsToFolder: Action = {
  id: 'sidecars-into-folder',
  label: 'Sidecars into the folder…',
  detail: 'write XMP sidecars beside the photos in their folder; a sidecar already there (darktable, Lightroom) keeps its other fields',
  group: 'Export',
  keys: [],
  scopes: EVERYWHERE,
  enabled: () => directoryPicker() !== undefined,
  perform: async (ctx) => {
    const picker = directoryPicker();
    if (picker) await sidecarsIntoFolder(picker, ctx.ui.notify);
  },
};
