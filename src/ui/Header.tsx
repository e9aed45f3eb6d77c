import { useEngine } from '../state/engineStore';
import { useLayout } from '../state/layout';
import { useOfflineReady } from '../offline/registerServiceWorker';
import { useLibrary, type SortKey } from '../state/libraryStore';
import { ActionButton } from './actions/ActionButton';
import { cullingMode } from './actions/cullActions';
import { finish } from './actions/finishActions';
import { useAction } from './actions/useAction';
import { sidePanel, storage } from './actions/viewActions';
import { Pickers } from './Pickers';

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

/**
 * One compact row: the name, the pickers once photos are in, sort, culling mode, the backend, storage, and the
 * side panel's toggle. Everything set now and then lives in the side panel, so the photos start near the top.
 */
export function Header() {
  const { sort, setSort, order } = useLibrary();
  const offlineReady = useOfflineReady();
  const panel = useAction(sidePanel);
  const panelOpen = useLayout((s) => s.panelOpen);
  const hasPhotos = order.length > 0;
  return (
    <header className="header">
      <h1>
        Loupe <small>aesthetic scores, on your device</small>
      </h1>
      <div className="header-right">
        {hasPhotos && <Pickers compact />}
        {hasPhotos && (
          <label className="sort">
            Sort{' '}
            <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} data-testid="sort">
              <option value="score">by score</option>
              <option value="name">by name</option>
              <option value="adherence">by prompt adherence</option>
            </select>
          </label>
        )}
        {hasPhotos && <ActionButton action={cullingMode} testId="culling-mode" />}
        {hasPhotos && <ActionButton action={finish} testId="finish-button" />}
        <BackendBadge />
        {offlineReady && (
          <span className="badge" data-testid="offline-ready" title="The app is cached by its service worker: it opens without a network (models are cached once loaded)">
            Ready offline
          </span>
        )}
        <ActionButton action={storage} testId="storage-button" className="link" />
        <button type="button" className={`panel-toggle ${panelOpen ? 'open' : ''}`} data-testid="panel-toggle" aria-expanded={panelOpen} title={panel.title} onClick={panel.run}>
          {panel.label}
        </button>
      </div>
    </header>
  );
}
