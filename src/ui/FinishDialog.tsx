import { useMemo } from 'react';
import { finishPreview, useFinish } from '../state/finish';
import { useLibrary } from '../state/libraryStore';
import { ActionButton } from './actions/ActionButton';
import { archivePicker, finishCopy, finishKeepRejects, finishScriptDownload, finishSetAside, finishSetAsideConfirmed } from './actions/finishActions';
import { formatBytes } from './format';
import { Dialog } from './Dialog';
import './overlays.css';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The first problems of a run, each by its file. */
function Problems({ failed }: { failed: { path: string; reason: string }[] }) {
  if (failed.length === 0) return null;
  return (
    <ul className="finish-failed">
      {failed.slice(0, 20).map((f) => (
        <li key={f.path}>
          {f.path}: {f.reason}
        </li>
      ))}
      {failed.length > 20 && <li>… and {failed.length - 20} more</li>}
    </ul>
  );
}

/** Finish: what goes where, shown before anything happens; then the copy's report. */
export function FinishDialog({ onClose }: { onClose: () => void }) {
  const tiles = useLibrary((s) => s.tiles);
  const { layout, setAsideRejects, running, report, choose, asideRunning, aside, confirmingDelete } = useFinish();
  const preview = useMemo(() => finishPreview(layout), [tiles, layout]); // eslint-disable-line react-hooks/exhaustive-deps
  const { plan, rejects, missing } = preview;
  const raws = plan.units.filter((u) => u.files.length > 1).length;
  const canWrite = archivePicker() !== undefined;
  return (
    <Dialog title="Finish" closeLabel="Close Finish" testId="finish" className="finish-panel" onClose={onClose}>
        {plan.photos === 0 ? (
          <p data-testid="finish-nothing">No keepers yet: pick the photos to keep (P), then finish.</p>
        ) : (
          <>
            <p data-testid="finish-summary">
              {plural(plan.photos, 'keeper')}: {plural(plan.files, 'file')}
              {raws ? ` (${raws} with their RAW)` : ''} and {plural(plan.sidecars, 'sidecar')}, {formatBytes(plan.bytes)}, go into the archive folder you choose:
            </p>
            <fieldset className="finish-layout">
              <legend>Folders</legend>
              <label>
                <input type="radio" name="finish-layout" checked={layout === 'by-date'} onChange={() => choose({ layout: 'by-date' })} data-testid="finish-by-date" /> by capture date (2026/2026-12-03)
              </label>
              <label>
                <input type="radio" name="finish-layout" checked={layout === 'flat'} onChange={() => choose({ layout: 'flat' })} data-testid="finish-flat" /> all in the one folder
              </label>
            </fieldset>
            <table className="help-table" data-testid="finish-folders">
              <tbody>
                {plan.folders.map((f) => (
                  <tr key={f.folder} data-testid="finish-folder" data-folder={f.folder}>
                    <th scope="row">{f.folder ? `${f.folder}/` : 'the folder itself'}</th>
                    <td>
                      {plural(f.photos, 'photo')}, {plural(f.files, 'file')}, {formatBytes(f.bytes)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">
              Each copy is read back and checked by size and SHA-256. Files already there with the same bytes are skipped, so an interrupted
              run can be run again; a different file of the same name is left as it is and reported. Sidecars already there are merged into.
            </p>
            {missing.length > 0 && (
              <p className="storage-evicted" data-testid="finish-missing">
                {plural(missing.length, 'file')} of the keepers {missing.length === 1 ? 'is' : 'are'} not in this tab ({missing[0]}): drop their folder again first, or they are left out.
              </p>
            )}
          </>
        )}
        <p data-testid="finish-rejects">
          {rejects.length === 0
            ? 'No rejects.'
            : `${plural(rejects.length, 'reject')}: left where they are unless you set them aside into “_rejects” beside them. Nothing is deleted without asking you twice.`}
        </p>
        {rejects.length > 0 && (
          <label className="finish-aside">
            <input type="checkbox" checked={setAsideRejects} onChange={(e) => choose({ setAsideRejects: e.target.checked })} data-testid="finish-set-aside" /> the script
            moves them into “_rejects” beside them (a move, not a deletion)
          </label>
        )}
        {rejects.length > 0 && canWrite && !confirmingDelete && <ActionButton action={finishSetAside} testId="finish-aside-now" />}
        {confirmingDelete && (
          <div className="finish-confirm" role="alertdialog" aria-label="Delete the originals?" data-testid="finish-aside-confirm">
            <p>
              This browser cannot move files. Setting the rejects aside here means copying each into “_rejects”, checking the copy by size and SHA-256, and then
              <strong> deleting the original</strong>. The script moves them without deleting anything.
            </p>
            <ActionButton action={finishSetAsideConfirmed} testId="finish-aside-delete" className="danger" />
            <ActionButton action={finishKeepRejects} testId="finish-aside-keep" />
          </div>
        )}
        {asideRunning && (
          <p data-testid="finish-aside-progress">
            Setting the rejects aside: {asideRunning.done} of {plural(asideRunning.total, 'file')}…
          </p>
        )}
        {aside && (
          <div data-testid="finish-aside-report" data-moved={aside.moved.length} data-already={aside.alreadyAside.length} data-failed={aside.failed.length}>
            <p>
              {plural(aside.moved.length, 'file')} moved into “_rejects”, {aside.alreadyAside.length} already there.
            </p>
            <Problems failed={aside.failed} />
          </div>
        )}
        <div className="finish-actions">
          {canWrite ? <ActionButton action={finishCopy} testId="finish-copy" className="primary" /> : <span className="muted">This browser cannot write into a folder: the script does the same.</span>}
          <ActionButton action={finishScriptDownload} testId="finish-script" />
        </div>
        {running && (
          <p data-testid="finish-progress">
            Copying and checking: {running.done} of {plural(running.total, 'keeper')}…
          </p>
        )}
        {report && (
          <div data-testid="finish-report" data-copied={report.copied.length} data-already={report.alreadyThere.length} data-failed={report.failed.length}>
            <p>
              Into “{report.folder}”: {plural(report.copied.length, 'file')} copied and checked ({formatBytes(report.verifiedBytes)}), {report.alreadyThere.length} already there,{' '}
              {plural(report.sidecarsWritten.length, 'sidecar')} written, {report.sidecarsMerged.length} merged.
            </p>
            <Problems failed={report.failed} />
          </div>
        )}
    </Dialog>
  );
}
