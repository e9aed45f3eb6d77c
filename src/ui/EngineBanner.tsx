import { useRef } from 'react';
import { filesFromInput } from '../library/collectFiles';
import { startEngine } from '../state/engineController';
import { useEngine } from '../state/engineStore';
import { formatBytes } from './format';

/** Model status: loading progress in bytes, or what is missing and how to get it. */
export function EngineBanner() {
  const { phase, status, loadProgress, problem, ready } = useEngine();
  const folderInput = useRef<HTMLInputElement>(null);

  if (phase === 'loading') {
    const pct = loadProgress && loadProgress.total > 0 ? (100 * loadProgress.loaded) / loadProgress.total : null;
    return (
      <div className="banner banner-info" data-testid="engine-loading">
        <div>{status || 'Loading the model…'}</div>
        {loadProgress && (
          <div className="model-progress">
            <progress max={100} value={pct ?? undefined} />
            <span>
              {loadProgress.file} from {loadProgress.source}: {formatBytes(loadProgress.loaded)}
              {loadProgress.total > 0 && ` of ${formatBytes(loadProgress.total)}`}
            </span>
          </div>
        )}
      </div>
    );
  }
  if (phase === 'unavailable') {
    return (
      <div className="banner banner-warn" role="alert" data-testid="engine-problem">
        <strong>No CLIP model, so no scores yet.</strong> Images still open, with thumbnails and file checks.
        <pre className="problem">{problem}</pre>
        <div className="actions">
          <button onClick={() => void startEngine({ allowRemote: true })}>
            Download from Hugging Face (≈ 360 MB, kept for offline use)
          </button>
          <button onClick={() => folderInput.current?.click()}>Pick a model folder…</button>
          <input
            ref={folderInput}
            type="file"
            hidden
            multiple
            // @ts-expect-error webkitdirectory is not in React's typings but Chromium and Firefox support it
            webkitdirectory=""
            onChange={(e) => void startEngine({ pickedModelFiles: filesFromInput(e.target.files) })}
          />
          <span className="hint">
            Or, on a machine with internet access, run <code>npm run models:fetch</code> and reload.
          </span>
        </div>
      </div>
    );
  }
  if (phase === 'ready' && ready?.synthetic) {
    return (
      <div className="banner banner-info" data-testid="engine-synthetic">
        Model <code>{ready.modelId}</code> has random test weights: the pipeline is real, the scores mean nothing.
      </div>
    );
  }
  return null;
}
