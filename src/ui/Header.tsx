import type { BackendPreference } from '../engine/backend';
import { setBackendPreference } from '../state/engineController';
import { useEngine } from '../state/engineStore';
import { useOfflineReady } from '../offline/registerServiceWorker';
import { useLibrary, type SortKey } from '../state/libraryStore';
import { ActionButton } from './actions/ActionButton';
import { storage } from './actions/viewActions';
import { ExactToggle } from './ExactToggle';
import { PeopleToggle } from './PeopleProgress';

export function BackendBadge() {
  const { phase, ready, preference } = useEngine();
  const label =
    phase === 'ready' && ready
      ? `${ready.backend === 'webgpu' ? 'WebGPU' : 'WASM'} · ${ready.dtype}`
      : phase === 'loading'
        ? 'loading model…'
        : phase === 'unavailable'
          ? 'no model'
          : '…';
  const title = ready
    ? `${ready.reason}. Model ${ready.modelId}${ready.synthetic ? ' (random test weights: scores are meaningless)' : ''}. Session ${Math.round(ready.sessionMs)} ms, warm-up ${Math.round(ready.warmupMs)} ms.${preference !== 'auto' ? ` Backend forced: ${preference}.` : ''}`
    : 'The inference backend appears once the model is loaded.';
  return (
    <span className={`badge badge-${ready?.backend ?? phase}`} data-testid="backend-badge" data-backend={ready?.backend ?? ''} title={title}>
      {label}
    </span>
  );
}

export function Header() {
  const ready = useEngine((s) => s.ready);
  const preference = useEngine((s) => s.preference);
  const { sort, setSort, order, running } = useLibrary();
  const offlineReady = useOfflineReady();
  return (
    <header className="header">
      <h1>
        Loupe <small>aesthetic scores, on your device</small>
      </h1>
      <div className="header-right">
        {order.length > 0 && (
          <label className="sort">
            Sort{' '}
            <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} data-testid="sort">
              <option value="score">by score</option>
              <option value="name">by name</option>
              <option value="adherence">by prompt adherence</option>
            </select>
          </label>
        )}
        <PeopleToggle />
        <ExactToggle />
        <label className="sort" title="Auto uses WebGPU on a real GPU and WASM otherwise">
          Backend{' '}
          <select
            value={preference}
            data-testid="backend-select"
            // Switching reloads the model; not while a batch is on it.
            disabled={running}
            onChange={(e) => void setBackendPreference(e.target.value as BackendPreference)}
          >
            <option value="auto">auto</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WASM</option>
          </select>
        </label>
        <BackendBadge />
        {offlineReady && (
          <span className="badge" data-testid="offline-ready" title="The app is cached by its service worker: it opens without a network (models are cached once loaded)">
            Ready offline
          </span>
        )}
        <ActionButton action={storage} testId="storage-button" className="link" />
        {ready && <span className="reason" data-testid="backend-reason">{ready.reason}</span>}
      </div>
    </header>
  );
}
