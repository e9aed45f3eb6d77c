/**
 * Finish (issue 16, item 7): the keepers copied into an archive folder with their RAW and sidecars, checked by
 * size and SHA-256; the rejects left where they are, or set aside into "_rejects" beside them, in the opened
 * folder (a move; copy, check and delete only after a second confirmation) or by the downloadable script.
 * What the dialog shows before anything happens comes from `finishPreview`; the choices are remembered on
 * this device.
 */
import { create } from 'zustand';
import { browserXmlTools } from '../library/export/sidecarsIntoFolder';
import { toXmpSidecar } from '../library/export/xmp';
import { mergeXmpSidecar } from '../library/export/xmpMerge';
import type { ExportContext, ExportImage } from '../library/export/types';
import { planArchive, type ArchiveLayout, type ArchivePlan, type ArchiveUnit, type Keeper } from '../library/finish/archivePlan';
import { copyToArchive, type ArchiveFolder, type ArchiveReport } from '../library/finish/copyToArchive';
import { finishScript } from '../library/finish/finishScript';
import { moveRejects, type RejectsReport } from '../library/finish/moveRejects';
import { writableFolder } from '../library/folderAccess';
import { getEmbedding } from './embeddingRegistry';
import { useEngine } from './engineStore';
import { buildExport } from './exportData';
import { useExportSettings } from './exportSettings';
import { companionFileOf, fileOf } from './files';
import { useLibrary, type Tile } from './libraryStore';
import { useRanking } from './rankingStore';
import { rankingScoresFor } from './taste';

const KEY = 'loupe:finish';

interface FinishChoices {
  layout: ArchiveLayout;
  /** In the script: move the rejects into "_rejects" beside them. */
  setAsideRejects: boolean;
}

function saved(): FinishChoices {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<FinishChoices>;
    return { layout: v.layout === 'flat' ? 'flat' : 'by-date', setAsideRejects: v.setAsideRejects === true };
  } catch {
    return { layout: 'by-date', setAsideRejects: false };
  }
}

interface FinishState extends FinishChoices {
  running: { done: number; total: number } | null;
  report: (ArchiveReport & { folder: string }) | null;
  /** Setting the rejects aside in the source folder: progress, then what happened. */
  asideRunning: { done: number; total: number } | null;
  aside: RejectsReport | null;
  /** This browser cannot move files: the user is asked a second time before any original is deleted. */
  confirmingDelete: boolean;
  choose(patch: Partial<FinishChoices>): void;
}

export const useFinish = create<FinishState>((set, get) => ({
  ...saved(),
  running: null,
  report: null,
  asideRunning: null,
  aside: null,
  confirmingDelete: false,
  choose: (patch) => {
    set({ ...patch, report: null });
    const { layout, setAsideRejects } = get();
    try {
      localStorage.setItem(KEY, JSON.stringify({ layout, setAsideRejects }));
    } catch {
      // Private mode: the choice lasts this visit.
    }
  },
}));

export interface FinishPreview {
  plan: ArchivePlan;
  rejects: Tile[];
  /** Keepers whose original is not in this tab (after a reload, until their folder is dropped again). */
  missing: string[];
  images: Map<string, ExportImage>;
  ctx: ExportContext;
}

export function finishPreview(layout: ArchiveLayout): FinishPreview {
  const { tiles, order } = useLibrary.getState();
  const { tags, thresholds, tieMargin } = useRanking.getState();
  const all = order.map((id) => tiles[id]).filter((t) => t && !t.id.startsWith('unreadable:'));
  const { images, ctx } = buildExport(all, tags, thresholds, tieMargin, getEmbedding, useEngine.getState().ready?.modelId ?? 'none', rankingScoresFor);
  const byPath = new Map(images.map((i) => [i.path, i]));
  const picks = all.filter((t) => t.decision === 'pick' && !t.error);
  const keepers: Keeper[] = picks.map((t) => ({
    photo: { path: t.path, name: t.name, bytes: t.bytes },
    raw: t.companion ? { path: t.companion.path, name: t.companion.name, bytes: t.companion.bytes } : null,
    capturedAt: t.capture?.capturedAt ?? null,
    offsetMinutes: t.capture?.offsetMinutes ?? null,
  }));
  const missing = picks.flatMap((t) => [...(fileOf(t.id) ? [] : [t.path]), ...(t.companion && !companionFileOf(t.id) ? [t.companion.path] : [])]);
  const plan = planArchive(keepers, layout, { rawNaming: useExportSettings.getState().rawSidecarNaming });
  return { plan, rejects: all.filter((t) => t.decision === 'reject'), missing, images: byPath, ctx };
}

/** The photo's record as its archived copy: the sidecar then speaks of the names in the archive. */
function archivedImage(image: ExportImage, unit: ArchiveUnit): ExportImage {
  const [photo, raw] = unit.files;
  const at = (name: string) => [...unit.folder, name].join('/');
  return { ...image, path: at(photo.name), name: photo.name, raw: image.raw && raw ? { ...image.raw, path: at(raw.name), name: raw.name } : image.raw };
}

function sidecarTextFor(preview: FinishPreview) {
  return (unit: ArchiveUnit, _name: string, before: string | null): string => {
    const image = archivedImage(preview.images.get(unit.keeper.photo.path)!, unit);
    return before === null ? toXmpSidecar(image, preview.ctx) : mergeXmpSidecar(before, image, preview.ctx, {}, browserXmlTools());
  };
}

/** Path → File for the originals in this tab: the photo's and its RAW's. */
function originals(): Map<string, File> {
  const { tiles, order } = useLibrary.getState();
  const out = new Map<string, File>();
  for (const id of order) {
    const t = tiles[id];
    if (t?.decision !== 'pick') continue;
    const file = fileOf(id);
    if (file) out.set(t.path, file);
    const raw = t.companion ? companionFileOf(id) : undefined;
    if (raw && t.companion) out.set(t.companion.path, raw);
  }
  return out;
}

export async function finishIntoFolder(folder: ArchiveFolder, signal?: AbortSignal): Promise<ArchiveReport> {
  const preview = finishPreview(useFinish.getState().layout);
  const files = originals();
  useFinish.setState({ running: { done: 0, total: preview.plan.units.length }, report: null });
  try {
    const report = await copyToArchive(
      folder,
      preview.plan,
      { fileOf: (path) => files.get(path), sidecarText: sidecarTextFor(preview) },
      (done, total) => useFinish.setState({ running: { done, total } }),
      signal,
    );
    useFinish.setState({ report: { ...report, folder: folder.name } });
    return report;
  } finally {
    useFinish.setState({ running: null });
  }
}

/** The rejects' files as the script would set them aside: each photo and its RAW. */
function rejectPaths(preview: FinishPreview): string[] {
  return preview.rejects.flatMap((t) => [t.path, ...(t.companion ? [t.companion.path] : [])]);
}

/** Whether this browser moves files (Chromium: FileSystemFileHandle.move); elsewhere setting aside is copy, check, delete. */
export function browserMovesFiles(): boolean {
  const handle = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle;
  return !!handle && 'move' in handle.prototype;
}

/**
 * Moves the rejects into "_rejects" beside them, in the folders they were opened from (library/finish/moveRejects.ts).
 * `copyThenDelete`: the user confirmed a second time that originals may be deleted after a checked copy.
 */
export async function setRejectsAside(copyThenDelete: boolean, signal?: AbortSignal): Promise<RejectsReport> {
  const paths = rejectPaths(finishPreview(useFinish.getState().layout));
  const byFolder = new Map<string, string[]>();
  for (const path of paths) byFolder.set(path.split('/')[0], [...(byFolder.get(path.split('/')[0]) ?? []), path]);
  const report: RejectsReport = { moved: [], alreadyAside: [], failed: [] };
  useFinish.setState({ asideRunning: { done: 0, total: paths.length }, aside: null, confirmingDelete: false });
  let before = 0;
  try {
    for (const [name, inFolder] of byFolder) {
      const folder = inFolder[0].includes('/') ? await writableFolder(name) : null;
      if (!folder) {
        const reason = `Loupe may not write into “${name}”: open it with “Open folder…” and allow editing, or use the script`;
        report.failed.push(...inFolder.map((path) => ({ path, reason })));
      } else {
        const r = await moveRejects(folder, inFolder, {
          copyThenDelete,
          signal,
          onProgress: (done) => useFinish.setState({ asideRunning: { done: before + done, total: paths.length } }),
        });
        report.moved.push(...r.moved);
        report.alreadyAside.push(...r.alreadyAside);
        report.failed.push(...r.failed);
      }
      before += inFolder.length;
    }
    useFinish.setState({ aside: report });
    return report;
  } finally {
    useFinish.setState({ asideRunning: null });
  }
}

/** The same Finish as a bash script, for browsers that cannot write into a folder. */
export function finishScriptText(): string {
  const { layout, setAsideRejects } = useFinish.getState();
  const preview = finishPreview(layout);
  const text = sidecarTextFor(preview);
  const sidecars = new Map<string, string>();
  for (const unit of preview.plan.units) for (const name of unit.sidecars) sidecars.set([...unit.folder, name].join('/'), text(unit, name, null));
  const rejects = setAsideRejects ? rejectPaths(preview) : [];
  const sourceName = preview.plan.units[0]?.keeper.photo.path.split('/')[0] ?? preview.rejects[0]?.path.split('/')[0] ?? '';
  return finishScript({ plan: preview.plan, sidecars, rejects, sourceName });
}
