import { checkPeopleOnAll } from '../state/analyse';
import { useLibrary } from '../state/libraryStore';
import { librarySummary } from '../state/librarySummary';
import { cancelPeopleChecks, setPeopleChecksEnabled, usePeopleChecks } from '../state/peopleChecks';
import { peopleChecksSetting } from '../state/settings';

/** The people checks' own line: they run beside the scores, or after them when both would share the CPU. */
export function PeopleProgress() {
  const { enabled, progress, error, engine } = usePeopleChecks();
  const closed = useLibrary((s) => librarySummary(s).closedEyes);
  // While the analysis runs, more images are on their way to the face worker.
  const analysing = useLibrary((s) => s.running);
  if (error) {
    return (
      <div className="progress people-progress" data-testid="people-progress" data-state="failed" role="alert">
        {error}
      </div>
    );
  }
  if (!enabled || !progress) return null;
  const { done, total } = progress;
  const running = progress.running || analysing;
  return (
    <div className="progress people-progress" data-testid="people-progress" data-state={running ? 'running' : 'done'} data-waiting={progress.waiting ? 'true' : 'false'} data-done={done} data-total={total}>
      {running && <progress max={total} value={done} />}
      <span title={engine ? `Face models on ${engine.backend.toUpperCase()} (${engine.reason}); Human ${engine.human}` : 'Face models load with the first image'}>
        People checks: {done}/{total}
        {progress.waiting ? ' · start when the scores are done (they share this CPU)' : ''}
        {closed > 0 ? ` · eyes closed in ${closed} image${closed === 1 ? '' : 's'}` : ''}
      </span>
      {progress.running ? (
        <button className="link" onClick={cancelPeopleChecks} data-testid="people-cancel">
          Stop
        </button>
      ) : (
        !running && done < total && (
          <button className="link" onClick={checkPeopleOnAll} data-testid="people-resume">
            Check the rest
          </button>
        )
      )}
    </div>
  );
}

/** Header switch: people checks on or off (saved; `?people=on|off` overrides it for one visit). */
export function PeopleToggle() {
  const enabled = usePeopleChecks((s) => s.enabled);
  const onChange = (on: boolean) => {
    setPeopleChecksEnabled(on);
    void peopleChecksSetting.save(on);
  };
  return (
    <label className="sort" title="Find faces and flag closed eyes, soft faces and faces cut by the frame. Runs on this device with models served by the app (docs/faces.md).">
      <input type="checkbox" checked={enabled} data-testid="people-toggle" onChange={(e) => onChange(e.target.checked)} /> People checks
    </label>
  );
}
