import { cancelAnalysis } from '../state/controller';
import { useLibrary } from '../state/libraryStore';
import { formatDuration } from './format';

export function ProgressBar() {
  const { progress, running } = useLibrary();
  if (!progress) return null;
  const { done, total, failed, imagesPerSecond, etaSeconds } = progress;
  return (
    <div className="progress" data-testid="progress" data-done={done} data-total={total}>
      <progress max={total} value={done} />
      <span data-testid="progress-text">
        {done}/{total} done{failed > 0 ? ` · ${failed} could not be read` : ''} · {imagesPerSecond.toFixed(1)} img/s
        {running ? ` · ETA ${formatDuration(etaSeconds)}` : ''}
      </span>
      {running && (
        <button className="link" onClick={cancelAnalysis}>
          Cancel
        </button>
      )}
    </div>
  );
}
