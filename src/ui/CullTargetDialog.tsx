import { useEffect, useState } from 'react';
import { previewTarget, useCullTarget } from '../state/cullTarget';
import { useLibrary } from '../state/libraryStore';
import { ActionButton } from './actions/ActionButton';
import { applyCullTarget } from './actions/targetActions';
import { Dialog } from './Dialog';
import { shortTag } from './format';
import { useView } from './useView';
import { Thumbnail } from './Thumbnail';
import './overlays.css';

const STRIP = 60;

/** Cull to a target: the amount, the variety slider, and what it would keep, before anything changes. */
export function CullTargetDialog({ onClose }: { onClose: () => void }) {
  const view = useView();
  const tiles = useLibrary((s) => s.tiles);
  const { amount, unit, variety, rejectRest, preview, choose } = useCullTarget();
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // Worked out again a moment after the last change (a slider drag is many changes).
    const abort = new AbortController();
    useCullTarget.setState({ preview: null });
    const timer = setTimeout(() => {
      previewTarget(view, { amount, unit, variety, rejectRest }, abort.signal)
        .then((p) => !abort.signal.aborted && (useCullTarget.setState({ preview: p }), setError(null)))
        .catch((err) => !abort.signal.aborted && setError(err instanceof Error ? err.message : String(err)));
    }, 150);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [view, amount, unit, variety]); // eslint-disable-line react-hooks/exhaustive-deps

  const of = view.tag ? `the ${view.items.length} photos shown for “${shortTag(view.tag)}”` : `the ${view.items.length} photos shown`;
  const rest = preview ? preview.candidates.length - preview.keep.length : 0;
  return (
    <Dialog title="Cull to a target" closeLabel="Close cull to a target" testId="cull-target" className="target-panel" onClose={onClose}>
        <p className="target-row">
          Keep the best{' '}
          <input type="number" min={1} step={1} value={amount} onChange={(e) => choose({ amount: Math.max(1, Number(e.target.value) || 1) })} data-testid="target-amount" aria-label="How many" />{' '}
          <select value={unit} onChange={(e) => choose({ unit: e.target.value as 'percent' | 'photos' })} data-testid="target-unit" aria-label="Unit">
            <option value="percent">%</option>
            <option value="photos">photos</option>
          </select>{' '}
          of {of}.
        </p>
        <label className="slider target-variety" title="0: by score alone. Higher: a photo unlike those already kept can win over a better-scored one like them.">
          <span>
            Variety <output data-testid="target-variety-value">{variety.toFixed(2)}</output> <span className="muted">(0: score only)</span>
          </span>
          <input type="range" min={0} max={1} step={0.05} value={variety} onChange={(e) => choose({ variety: Number(e.target.value) })} data-testid="target-variety" />
        </label>
        <p className="muted">
          Each burst or group of similar photos gives its best (★) before any gives a second, then the rest follow; at every step the score ({view.tag ? 'the tag’s' : 'aesthetic'}) is
          weighed against likeness to what is already kept.
        </p>
        {error && <p className="storage-evicted">{error}</p>}
        {!preview ? (
          <p data-testid="target-working">Working out the picks…</p>
        ) : (
          <>
            <p data-testid="target-summary" data-keep={preview.keep.length} data-covering={preview.covering}>
              Keeps {preview.keep.length} of {preview.candidates.length}: {preview.covering} as the best of their group or alone, {preview.keep.length - preview.covering} more.
            </p>
            <div className="target-strip" data-testid="target-strip">
              {preview.keep.slice(0, STRIP).map((id) => (
                <Thumbnail key={id} tile={tiles[id]} title={tiles[id]?.name} testId="target-keep" fallback={<span className="target-keep-empty" title={tiles[id]?.name} data-testid="target-keep" data-id={id} />} />
              ))}
              {preview.keep.length > STRIP && <span className="muted">+{preview.keep.length - STRIP}</span>}
            </div>
          </>
        )}
        <label className="finish-aside">
          <input type="checkbox" checked={rejectRest} onChange={(e) => choose({ rejectRest: e.target.checked })} data-testid="target-reject-rest" /> and reject the other {rest}
        </label>
        <div className="finish-actions">
          <ActionButton action={applyCullTarget} testId="target-apply" className="primary" />
        </div>
    </Dialog>
  );
}
