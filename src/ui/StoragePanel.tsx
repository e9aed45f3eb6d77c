import { useEffect, useState } from 'react';
import { refreshStorageFacts, useStorage } from '../state/storage';
import { ActionButton } from './actions/ActionButton';
import { deleteModels, keepData } from './actions/storageActions';
import { formatBytes } from './format';
import { Dialog } from './Dialog';
import './overlays.css';

const bytes = (n: number | null | undefined) => (n === null || n === undefined ? 'not reported by this browser' : formatBytes(n));

/** A part taken out of a whole (IndexedDB less the thumbnails, Cache Storage less the models); null if either is. */
const minus = (whole: number | null, part: number | null) => (whole === null || part === null ? null : Math.max(0, whole - part));

/** What this device keeps for Loupe, whether the browser may clear it, and what can be deleted. */
export function StoragePanel({ onClose }: { onClose: () => void }) {
  const facts = useStorage((s) => s.facts);
  const asked = useStorage((s) => s.asked);
  const evicted = useStorage((s) => s.evicted);
  // The thumbnails are counted each time the panel opens (a cursor over the image records, off the start's path).
  const [counted, setCounted] = useState(false);
  useEffect(() => void refreshStorageFacts({ thumbnails: true }).finally(() => setCounted(true)), []);
  const kept =
    facts?.persisted === true
      ? 'Kept: the browser will not clear this data unless you do.'
      : facts?.persisted === false
        ? `Not kept yet: the browser may clear this data when the disk runs low.${asked?.granted === false ? ' It declined when asked; bookmarking or installing the app usually changes that.' : ''}`
        : 'This browser does not say whether it keeps the data.';
  return (
    <Dialog title="Storage on this device" closeLabel="Close storage" testId="storage-panel" className="storage-panel" onClose={onClose}>
        {evicted && (
          <p className="storage-evicted" data-testid="storage-evicted">
            {evicted}
          </p>
        )}
        {!facts ? (
          <p>Reading…</p>
        ) : (
          <>
            <table className="help-table">
              <tbody>
                <tr data-testid="storage-models">
                  <th scope="row">Downloaded models</th>
                  <td>{bytes(facts.modelBytes)}</td>
                </tr>
                <tr data-testid="storage-library">
                  <th scope="row">Library: decisions, scores, embeddings</th>
                  <td>{counted ? bytes(minus(facts.indexedDbBytes, facts.thumbnailBytes)) : 'counting…'}</td>
                </tr>
                <tr data-testid="storage-thumbnails">
                  <th scope="row">Thumbnails</th>
                  <td>{counted ? bytes(facts.thumbnailBytes) : 'counting…'}</td>
                </tr>
                <tr data-testid="storage-app">
                  <th scope="row">The app itself, for offline use</th>
                  <td>{bytes(minus(facts.cacheBytes, facts.modelBytes))}</td>
                </tr>
                <tr data-testid="storage-total">
                  <th scope="row">All of it, of what the browser allows</th>
                  <td>
                    {bytes(facts.usage)} of {bytes(facts.quota)}
                  </td>
                </tr>
              </tbody>
            </table>
            <p data-testid="storage-kept" data-persisted={String(facts.persisted)}>
              {kept}
            </p>
            <p className="storage-actions">
              <ActionButton action={keepData} testId="keep-data" />
              <ActionButton action={deleteModels} testId="delete-models" />
            </p>
          </>
        )}
    </Dialog>
  );
}
