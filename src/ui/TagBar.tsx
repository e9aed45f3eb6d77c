import { useState } from 'react';
import { ALL_BUILTIN_TAGS, BUILTIN_TAG_GROUPS } from '../scoring/builtinTags';
import { histogram } from '../scoring/tagThreshold';
import { useEngine } from '../state/engineStore';
import { useRanking } from '../state/rankingStore';
import { saveSessionSoon } from '../state/session';
import { activateTag, addTag, removeTag } from '../state/tags';
import { PromptEditor } from './PromptEditor';
import { TastePanel } from './TastePanel';
import { useInsights } from '../state/insightsStore';
import { useView } from './useView';
import { shortTag } from './format';

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

/** Pick or type tags; the active one ranks the grid. Sliders re-rank without running the encoders. */
export function TagBar() {
  const [text, setText] = useState('');
  const [editingPrompts, setEditingPrompts] = useState(false);
  const { tags, activeTag, thresholds, tieMargin, setThreshold, setTieMargin } = useRanking();
  const phase = useEngine((s) => s.phase);
  const folder = useInsights((s) => s.folderTags);
  const view = useView();
  const active = tags.find((t) => t.text === activeTag) ?? null;
  const relevances = view.relevances;
  const lo = relevances && relevances.length ? Math.min(...relevances) : 0;
  const hi = relevances && relevances.length ? Math.max(...relevances) : 1;
  const min = Math.floor((lo - 0.01) * 100) / 100;
  const max = Math.ceil((hi + 0.01) * 100) / 100;

  return (
    <section className="tagbar" data-testid="tagbar">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void addTag(text);
          setText('');
        }}
      >
        <input
          data-testid="tag-input"
          list="builtin-tags"
          value={text}
          placeholder={phase === 'ready' ? 'Rank by a tag: portrait, landscape, “a cat on a sofa”…' : 'Tags need the CLIP model'}
          onChange={(e) => setText(e.target.value)}
          aria-label="Tag"
        />
        <datalist id="builtin-tags">
          {ALL_BUILTIN_TAGS.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <button type="submit">Rank</button>
        <select
          aria-label="Built-in tags"
          value=""
          onChange={(e) => e.target.value && void addTag(e.target.value)}
          data-testid="builtin-tags"
        >
          <option value="">Built-in tags…</option>
          {BUILTIN_TAG_GROUPS.map((g) => (
            <optgroup key={g.group} label={g.group}>
              {g.tags.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <button type="button" className="link" onClick={() => setEditingPrompts((v) => !v)} data-testid="edit-prompts">
          Prompts…
        </button>
      </form>
      {editingPrompts && <PromptEditor onClose={() => setEditingPrompts(false)} />}
      <div className="chips">
        <button className={`chip ${activeTag === null ? 'active' : ''}`} onClick={() => activateTag(null)} data-testid="chip-all">
          All images
        </button>
        {tags.map((t) => (
          <span
            key={t.text}
            className={`chip ${t.text === activeTag ? 'active' : ''} chip-${t.status}`}
            data-testid="tag-chip"
            data-tag={t.text}
            data-status={t.status}
            data-cut={t.cutFrom ? 'true' : undefined}
            title={t.error ?? (t.cutFrom ? `Cut to what CLIP reads (77 tokens). As typed: “${t.cutFrom}”` : undefined)}
          >
            <button className="chip-label" onClick={() => activateTag(t.text)}>
              <span className="chip-text">{t.text}</span>
              {t.cutFrom && <span className="chip-cut" data-testid="tag-cut"> (cut)</span>}
              {t.status === 'embedding' ? ' …' : t.status === 'error' ? ' ⚠' : ''}
            </button>
            <button className="chip-x" aria-label={`Remove tag ${t.text}`} onClick={() => removeTag(t.text)}>
              ×
            </button>
          </span>
        ))}
      </div>
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
      {active?.status === 'error' && <div className="tag-error" role="alert">“{shortTag(active.text)}”: {active.error}</div>}
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
