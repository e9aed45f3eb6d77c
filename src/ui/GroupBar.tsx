import { keepBestAndSay } from '../state/groupActions';
import { useInsights } from '../state/insightsStore';
import { useView } from './useView';

const WINDOWS = [null, 1, 2, 5, 10, 30, 60, 300] as const;

/** Bursts and near-duplicates: the two sliders, stacks (G), and "keep the best of each" (K). */
export function GroupBar() {
  const view = useView();
  const { groupSettings, setGroupSettings, grouping } = useInsights();
  const groups = view.groups ?? [];
  const windowIndex = Math.max(0, WINDOWS.indexOf(groupSettings.windowSeconds as (typeof WINDOWS)[number]));
  const members = groups.reduce((n, g) => n + g.members.length, 0);
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
      <label title="Show each group as one stack: its best image (shortcut G)">
        <input type="checkbox" checked={groupSettings.stacks} onChange={(e) => setGroupSettings({ stacks: e.target.checked })} data-testid="stacks" /> Stacks
      </label>
      <button
        data-testid="keep-best"
        disabled={groups.length === 0}
        title="Reject every image of each group except its best (★) by the current ranking (shortcut K; Ctrl+Z undoes)"
        onClick={() => void keepBestAndSay(view)}
      >
        Keep best of each group
      </button>
    </section>
  );
}
