import { cancelAnalysis, resumeAnalysis } from '../state/analyse';
import { useLibrary } from '../state/libraryStore';
import { librarySummary } from '../state/librarySummary';
import { useUi } from '../state/uiStore';
import { formatDuration } from './format';

export function ProgressBar() {
  const { progress, running, reading } = useLibrary();
  const storageFull = useUi((s) => s.storageFull);
  const cancelled = useLibrary((s) => librarySummary(s).cancelled);
  if (reading && !running) {
    return (
      <div className="progress" data-testid="reading">
        <progress max={reading.total} value={reading.done} />
        <span>
          Reading and identifying files: {reading.done}/{reading.total}
        </span>
      </div>
    );
  }
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
        <button className="link" onClick={cancelAnalysis} data-testid="cancel">
          Cancel
        </button>
      )}
      {!running && cancelled > 0 && storageFull && (
        <span className="hint" data-testid="storage-full">
          Paused: this site’s storage is full (Storage, in the header, shows what takes the space).
        </span>
      )}
      {!running && cancelled > 0 && (
        <button className="link" onClick={resumeAnalysis} data-testid="resume">
          Resume ({cancelled} not analysed)
        </button>
      )}
    </div>
  );
}
