import { histogram } from '../scoring/tagThreshold';
import { useInsights } from '../state/insightsStore';
import { useRanking } from '../state/rankingStore';
import { saveSessionSoon } from '../state/session';
import { addTag } from '../state/tags';
import { shortTag } from './format';
import { TastePanel } from './TastePanel';
import { useView } from './useView';

function Histogram({ values, threshold, min, max }: { values: Float32Array; threshold: number; min: number; max: number }) {
  const bins = histogram(values, 40, min, max);
  const peak = Math.max(1, ...bins.counts);
  return (
    <div className="histogram" aria-hidden="true">
      {bins.counts.map((c, i) => (
        <span
          key={i}
          style={{ height: `${(100 * c) / peak}%` }}
          className={bins.edges[i + 1] > threshold ? 'in' : 'out'}
        />
      ))}
    </div>
  );
}

/**
 * The side panel's tag section: the folder's auto-tags, and for the active tag its relevance threshold (with
 * the histogram), the tie margin and the taste head. The sliders re-rank without running the encoders.
 */
export function TagDetails() {
  const { tags, activeTag, thresholds, tieMargin, setThreshold, setTieMargin } = useRanking();
  const folder = useInsights((s) => s.folderTags);
  const view = useView();
  const active = tags.find((t) => t.text === activeTag) ?? null;
  const relevances = view.relevances;
  const lo = relevances && relevances.length ? Math.min(...relevances) : 0;
  const hi = relevances && relevances.length ? Math.max(...relevances) : 1;
  const min = Math.floor((lo - 0.01) * 100) / 100;
  const max = Math.ceil((hi + 0.01) * 100) / 100;
  if (folder.length === 0 && !active) return null;
  return (
    <section className="tag-details" data-testid="tag-details">
      {folder.length > 0 && (
        <div className="foldertags" data-testid="folder-tags" title="The auto-tags of this folder's images, most common first: click one to rank by it">
          This folder:
          {folder.slice(0, 12).map((f) => (
            <button key={f.tag} className="autotag" data-testid="folder-tag" data-tag={f.tag} onClick={() => void addTag(f.tag)}>
              {f.tag} <span className="count">{f.count}</span>
            </button>
          ))}
        </div>
      )}
      {view.tag && view.threshold !== null && relevances && (
        <div className="sliders">
          <label className="slider" title="Images whose relevance is at or above this have the tag. The default is calibrated on this folder.">
            <span>
              Relevance ≥ <output data-testid="threshold-value">{view.threshold.toFixed(3)}</output>
              {thresholds[view.tag] !== undefined && (
                <button className="link" onClick={() => (setThreshold(view.tag!, null), saveSessionSoon())}>
                  reset to {view.calibrated?.toFixed(3)} (calibrated)
                </button>
              )}
            </span>
            <Histogram values={relevances} threshold={view.threshold} min={min} max={max} />
            <input
              type="range"
              data-testid="threshold"
              min={min}
              max={max}
              step={0.001}
              value={view.threshold}
              onChange={(e) => setThreshold(view.tag!, Number(e.target.value))}
              onPointerUp={saveSessionSoon}
              onKeyUp={saveSessionSoon}
            />
          </label>
          <label className="slider" title="Scores closer than this count as a tie; the more relevant image ranks first.">
            <span>
              Tie margin <output data-testid="tie-margin-value">{tieMargin.toFixed(2)}</output>
            </span>
            <input
              type="range"
              data-testid="tie-margin"
              min={0}
              max={1}
              step={0.01}
              value={tieMargin}
              onChange={(e) => setTieMargin(Number(e.target.value))}
              onPointerUp={saveSessionSoon}
              onKeyUp={saveSessionSoon}
            />
          </label>
          {active?.status === 'ready' && <TastePanel tag={view.tag} />}
          <span className="counts" data-testid="tag-counts">
            {view.items.length + view.hiddenByFilters} of {view.items.length + view.hiddenByFilters + view.belowThreshold} scored images have “{shortTag(view.tag)}”
            {view.unranked > 0 ? ` · ${view.unranked} not analysed` : ''}
          </span>
        </div>
      )}
    </section>
  );
}
