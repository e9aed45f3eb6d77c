import type { BackendPreference } from '../engine/backend';
import { setBackendPreference } from '../state/engineController';
import { useEngine } from '../state/engineStore';
import { useLibrary } from '../state/libraryStore';
import { ExactToggle } from './ExactToggle';
import { PeopleToggle } from './PeopleProgress';

/** The side panel's settings: people checks, exact preprocessing, the inference backend and why it was chosen. */
export function Settings() {
  const ready = useEngine((s) => s.ready);
  const preference = useEngine((s) => s.preference);
  const running = useLibrary((s) => s.running);
  return (
    <section className="settings" data-testid="settings">
      <h3>Settings</h3>
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
      {ready && (
        <span className="reason" data-testid="backend-reason">
          {ready.reason}
        </span>
      )}
    </section>
  );
}
