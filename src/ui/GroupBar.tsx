import { useInsights } from '../state/insightsStore';
import { keepBest } from './actions/decisionActions';
import { useAction } from './actions/useAction';
import { stacks } from './actions/viewActions';
import { useView } from './useView';

const WINDOWS = [null, 1, 2, 5, 10, 30, 60, 300] as const;

/** Bursts and near-duplicates: the two sliders, stacks (G), and "keep the best of each" (K). */
export function GroupBar() {
  const view = useView();
  const { groupSettings, setGroupSettings, grouping } = useInsights();
  const groups = view.groups ?? [];
  const windowIndex = Math.max(0, WINDOWS.indexOf(groupSettings.windowSeconds as (typeof WINDOWS)[number]));
  const members = groups.reduce((n, g) => n + g.members.length, 0);
  const stacking = useAction(stacks);
  const keeping = useAction(keepBest);
  return (
    <section className="groupbar" data-testid="groupbar">
      <label className="slider" title="Two images group when their CLIP embeddings are at least this similar (cosine).">
        <span>
          Similar ≥ <output data-testid="group-cosine-value">{groupSettings.minCosine.toFixed(2)}</output>
        </span>
        <input
          type="range"
          data-testid="group-cosine"
          min={0.8}
          max={0.995}
          step={0.005}
          value={groupSettings.minCosine}
          onChange={(e) => setGroupSettings({ minCosine: Number(e.target.value) })}
        />
      </label>
      <label className="slider" title="…and were taken at most this long apart, when both have an EXIF capture time.">
        <span>
          Taken within <output data-testid="group-window-value">{groupSettings.windowSeconds === null ? 'any time' : `${groupSettings.windowSeconds} s`}</output>
        </span>
        <input
          type="range"
          data-testid="group-window"
          min={0}
          max={WINDOWS.length - 1}
          step={1}
          value={windowIndex}
          onChange={(e) => setGroupSettings({ windowSeconds: WINDOWS[Number(e.target.value)] })}
        />
      </label>
      <span className="counts" data-testid="group-counts">
        {grouping === null ? 'grouping…' : `${groups.length} group${groups.length === 1 ? '' : 's'} of ${members} similar images`}
      </span>
      <label title={stacking.title}>
        {/* The action toggles: the box shows the setting it flips. */}
        <input type="checkbox" checked={groupSettings.stacks} disabled={!stacking.enabled} onChange={stacking.run} data-testid="stacks" /> {stacking.label}
      </label>
      {/* K with no groups says so in a notice; the button just greys out. */}
      <button data-testid="keep-best" disabled={!keeping.enabled || groups.length === 0} title={keeping.title} onClick={keeping.run}>
        {keeping.label}
      </button>
    </section>
  );
}
