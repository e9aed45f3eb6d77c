import { toCsv } from '../library/export/csv';
import { saveBlob } from '../library/export/download';
import { toJson } from '../library/export/json';
import { sidecarFiles } from '../library/export/sidecars';
import { createZip } from '../codecs/zipWrite';
import type { Decision } from '../library/persistence';
import { copyFilesToFolder, type WritableDirectory } from '../library/copyToFolder';
import { fileOf } from '../state/files';
import { decide } from '../state/decisions';
import { getEmbedding } from '../state/embeddingRegistry';
import { useEngine } from '../state/engineStore';
import { buildExport } from '../state/exportData';
import { useLibrary } from '../state/libraryStore';
import { NO_FILTERS, useRanking, type DecisionFilter, type FlagFilter } from '../state/rankingStore';
import { QUALITY_FLAGS } from '../library/quality/flags';
import { PEOPLE_FLAGS } from '../scoring/faces/peopleFlags';
import { PEOPLE_FLAG_LABELS } from './peopleWording';
import { rankingScoresFor } from '../state/taste';
import { useUi } from '../state/uiStore';
import { useView } from './useView';

function numberOrNull(value: string): number | null {
  return value.trim() === '' || !Number.isFinite(Number(value)) ? null : Number(value);
}

function exportNow(kind: 'csv' | 'json' | 'xmp'): void {
  const { tiles, order } = useLibrary.getState();
  const { tags, thresholds, tieMargin } = useRanking.getState();
  const ready = useEngine.getState().ready;
  const modelId = ready?.modelId ?? 'none';
  const { images, ctx } = buildExport(order.map((id) => tiles[id]), tags, thresholds, tieMargin, getEmbedding, modelId, rankingScoresFor);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  if (kind === 'csv') saveBlob(new Blob([toCsv(images, ctx)], { type: 'text/csv;charset=utf-8' }), `loupe-${stamp}.csv`);
  if (kind === 'json') saveBlob(new Blob([toJson(images, ctx)], { type: 'application/json' }), `loupe-${stamp}.json`);
  if (kind === 'xmp') {
    const { files } = sidecarFiles(images.filter((i) => !i.error), ctx);
    saveBlob(new Blob([createZip(files)], { type: 'application/zip' }), `loupe-xmp-${stamp}.zip`);
  }
}

type DirectoryPicker = (options?: { mode?: 'read' | 'readwrite' }) => Promise<WritableDirectory>;

/** Copies the picked originals into a folder the user chooses (Chromium's File System Access API). */
async function copyPicks(): Promise<void> {
  const picker = (window as unknown as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
  if (!picker) return;
  const { tiles, order } = useLibrary.getState();
  const picks = order.map((id) => tiles[id]).filter((t) => t.decision === 'pick');
  const withFile = picks.flatMap((t) => {
    const file = fileOf(t.id);
    return file ? [{ path: t.path, name: t.name, file }] : [];
  });
  const notify = useUi.getState().notify;
  if (picks.length === 0) return notify('No picks yet: press P on the images to keep.');
  let dir: WritableDirectory;
  try {
    dir = await picker({ mode: 'readwrite' });
  } catch {
    return; // the user closed the picker
  }
  const report = await copyFilesToFolder(dir, withFile, (done, total) => notify(`Copying picks to “${dir.name}”: ${done}/${total}…`));
  const missing = picks.length - withFile.length;
  notify(
    `Copied ${report.copied.length} pick${report.copied.length === 1 ? '' : 's'} to “${dir.name}”` +
      (report.failed.length ? `; ${report.failed.length} failed (${report.failed[0].from}: ${report.failed[0].reason})` : '') +
      (missing ? `; ${missing} skipped: drop their folder again first` : '') +
      '.',
  );
}

/** Filters, bulk actions on what is shown (with undo), and exports. */
export function Toolbar() {
  const view = useView();
  const { filters, setFilters } = useRanking();
  const empty = useLibrary((s) => s.order.length === 0);
  const notify = useUi((s) => s.notify);
  if (empty) return null;
  const shown = view.items.map((i) => i.tile.id);
  const bulk = async (decision: Decision) => {
    const n = shown.length;
    if (n === 0) return;
    if (await decide(shown, { decision })) {
      notify(`${decision === 'reject' ? 'Rejected' : decision === 'pick' ? 'Picked' : 'Unflagged'} ${n} image${n === 1 ? '' : 's'}. Ctrl+Z undoes.`);
    }
  };
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);

  return (
    <section className="toolbar" data-testid="toolbar">
      <label>
        Show{' '}
        <select value={filters.decision} data-testid="filter-decision" onChange={(e) => setFilters({ decision: e.target.value as DecisionFilter })}>
          <option value="all">all</option>
          <option value="pick">picked</option>
          <option value="reject">rejected</option>
          <option value="none">unflagged</option>
        </select>
      </label>
      <label title="Technical checks measured on each image (docs/quality.md) and people checks (docs/faces.md)">
        Flags{' '}
        <select value={filters.flag} data-testid="filter-flag" onChange={(e) => setFilters({ flag: e.target.value as FlagFilter })}>
          <option value="all">any</option>
          <option value="flagged">any flag</option>
          <option value="clean">no flag</option>
          <optgroup label="Technical">
            {QUALITY_FLAGS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </optgroup>
          <optgroup label="People">
            {PEOPLE_FLAGS.map((f) => (
              <option key={f} value={f}>
                {PEOPLE_FLAG_LABELS[f]}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      <label>
        Stars ≥{' '}
        <select value={filters.minStars} data-testid="filter-stars" onChange={(e) => setFilters({ minStars: Number(e.target.value) })}>
          {[0, 1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label>
        Score from{' '}
        <input className="num" type="number" step="0.1" data-testid="filter-score-min" value={filters.scoreMin ?? ''} onChange={(e) => setFilters({ scoreMin: numberOrNull(e.target.value) })} />
      </label>
      <label>
        below{' '}
        <input className="num" type="number" step="0.1" data-testid="filter-score-max" value={filters.scoreMax ?? ''} onChange={(e) => setFilters({ scoreMax: numberOrNull(e.target.value) })} />
      </label>
      {filtered && (
        <button className="link" onClick={() => setFilters(NO_FILTERS)}>
          clear filters
        </button>
      )}
      <span className="shown" data-testid="shown-count">
        {shown.length} shown{view.hiddenByFilters > 0 ? ` · ${view.hiddenByFilters} hidden by filters` : ''}
        {view.hiddenByStacks ? ` · ${view.hiddenByStacks} in stacks` : ''}
      </span>
      <span className="spacer" />
      <button onClick={() => void bulk('reject')} data-testid="bulk-reject" title="Reject every image shown">
        Reject shown
      </button>
      <button onClick={() => void bulk('pick')} data-testid="bulk-pick" title="Pick every image shown">
        Pick shown
      </button>
      {'showDirectoryPicker' in window && (
        <button onClick={() => void copyPicks()} data-testid="copy-picks" title="Copy the picked originals into a folder you choose">
          Copy picks to…
        </button>
      )}
      <span className="export">
        Export
        <button onClick={() => exportNow('csv')} data-testid="export-csv">CSV</button>
        <button onClick={() => exportNow('json')} data-testid="export-json">JSON</button>
        <button onClick={() => exportNow('xmp')} data-testid="export-xmp" title="XMP sidecars for Lightroom Classic, darktable and digiKam, in one zip">
          XMP (.zip)
        </button>
      </span>
    </section>
  );
}
