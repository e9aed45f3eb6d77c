import { filtersAreOff, NO_FILTERS, useRanking, type DecisionFilter, type FlagFilter } from '../state/rankingStore';
import { useLibrary } from '../state/libraryStore';
import { QUALITY_FLAGS } from '../library/quality/flags';
import { PEOPLE_FLAGS } from '../scoring/faces/peopleFlags';
import { pickShown, rejectShown } from './actions/decisionActions';
import { cullToTarget } from './actions/targetActions';
import { copyPicksToFolder, exportCsv, exportJson, exportXmp, writeSidecarsToFolder } from './actions/exportActions';
import { ActionButton } from './actions/ActionButton';
import { useAction } from './actions/useAction';
import { PEOPLE_FLAG_LABELS } from './peopleWording';
import { RawSidecarChoice } from './RawSidecarChoice';
import { useView } from './useView';

function numberOrNull(value: string): number | null {
  return value.trim() === '' || !Number.isFinite(Number(value)) ? null : Number(value);
}

/** Filters, bulk actions on what is shown (with undo), and exports. */
export function Toolbar() {
  const view = useView();
  const { filters, setFilters } = useRanking();
  const empty = useLibrary((s) => s.order.length === 0);
  const copyPicks = useAction(copyPicksToFolder);
  if (empty) return null;
  const filtered = !filtersAreOff(filters);

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
        {view.items.length} shown{view.hiddenByFilters > 0 ? ` · ${view.hiddenByFilters} hidden by filters` : ''}
        {view.hiddenByStacks ? ` · ${view.hiddenByStacks} in stacks` : ''}
      </span>
      <span className="spacer" />
      <ActionButton action={cullToTarget} testId="cull-target-button" />
      <ActionButton action={rejectShown} testId="bulk-reject" />
      <ActionButton action={pickShown} testId="bulk-pick" />
      {/* Only browsers that can write into a folder (Chromium) offer the copy. */}
      {copyPicks.enabled && <ActionButton action={copyPicksToFolder} testId="copy-picks" />}
      <span className="export">
        Export
        <ActionButton action={exportCsv} testId="export-csv" />
        <ActionButton action={exportJson} testId="export-json" />
        <ActionButton action={exportXmp} testId="export-xmp" />
        {copyPicks.enabled && <ActionButton action={writeSidecarsToFolder} testId="sidecars-into-folder" />}
        <RawSidecarChoice />
      </span>
    </section>
  );
}
