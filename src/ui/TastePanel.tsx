import { useMemo } from 'react';
import { useLibrary } from '../state/libraryStore';
import { cancelTaste, exportTaste, resetTaste, setTasteEnabled } from '../state/taste';
import { useTaste } from '../state/tasteStore';
import { learnTaste } from './actions/tasteActions';
import { useAction } from './actions/useAction';
import { shortTag } from './format';

const percent = (x: number | null) => (x === null ? '–' : `${Math.round(100 * x)}%`);

/** Learn this user's taste for the active tag from their picks, rejects and stars (docs/taste.md). */
export function TastePanel({ tag }: { tag: string }) {
  // The action learns the view's tag, which is the one this panel is shown for.
  const learn = useAction(learnTaste);
  const taste = useTaste((s) => s.byTag[tag]);
  const { tiles, order } = useLibrary();
  const counts = useMemo(() => {
    let picks = 0, rejects = 0, rated = 0;
    for (const id of order) {
      const t = tiles[id];
      if (t.decision === 'pick') picks++;
      if (t.decision === 'reject') rejects++;
      if (t.decision !== 'none' || t.stars > 0) rated++;
    }
    return { picks, rejects, rated };
  }, [tiles, order]);
  const info = taste?.info ?? null;
  const training = taste?.status === 'training';
  const progress = taste?.progress ?? null;

  return (
    <div className="taste" data-testid="taste" data-status={taste?.status ?? 'none'} data-enabled={taste?.enabled ? 'true' : 'false'}>
      {training && progress ? (
        <>
          <progress max={progress.steps} value={progress.step} />
          <span data-testid="taste-progress">
            Learning your taste for “{shortTag(tag)}”: step {progress.step}/{progress.steps}
            {Number.isFinite(progress.loss) ? ` · loss ${progress.loss.toFixed(3)}` : ''}
            {progress.heldOutAccuracy !== null ? ` · held-out ${percent(progress.heldOutAccuracy)}` : ''}
          </span>
          <button className="link" onClick={() => cancelTaste(tag)} data-testid="taste-cancel">
            Cancel
          </button>
        </>
      ) : info ? (
        <>
          <label title="Rank this tag with the head trained on your decisions, or with the score it had before.">
            <input type="checkbox" checked={taste!.enabled} onChange={(e) => void setTasteEnabled(tag, e.target.checked)} data-testid="taste-enabled" />
            Rank by my taste
          </label>
          <span data-testid="taste-summary">
            {info.heldOutPairs > 0 ? (
              <>
                held-out pair accuracy <strong data-testid="taste-accuracy">{percent(info.heldOutAccuracy)}</strong> on {info.heldOutPairs} pair
                {info.heldOutPairs === 1 ? '' : 's'} (the score before: {percent(info.priorHeldOutAccuracy)})
              </>
            ) : (
              'no held-out check yet (decide a few more images)'
            )} · learned from {info.images} decisions on {info.backend.split(' ')[0]} in {(info.ms / 1000).toFixed(1)} s
            {counts.rated !== info.images ? ` · ${Math.abs(counts.rated - info.images)} decision(s) changed since` : ''}
          </span>
          <button onClick={learn.run} disabled={!learn.enabled} data-testid="taste-train" title={learn.title}>
            Retrain
          </button>
          <button className="link" onClick={() => void exportTaste(tag)} data-testid="taste-export">
            Export ONNX
          </button>
          <button className="link" onClick={() => void resetTaste(tag)} data-testid="taste-reset">
            Reset
          </button>
        </>
      ) : (
        <>
          <button onClick={learn.run} disabled={!learn.enabled} data-testid="taste-train" title={learn.title}>
            {learn.label}
          </button>
          <span className="hint">
            for “{shortTag(tag)}” from your {counts.picks} picks, {counts.rejects} rejects and stars: a head trained here, on this device, that ranks the way you
            decide.
          </span>
        </>
      )}
      {taste?.status === 'error' && taste.error && (
        <div className="tag-error" role="alert" data-testid="taste-error">
          {taste.error}
        </div>
      )}
    </div>
  );
}
