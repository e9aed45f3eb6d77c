import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { ErrorBoundary } from './ui/ErrorBoundary';
import { restoreSession } from './state/session';
import { startBackgroundPasses } from './state/backgroundPasses';
import { configure, readConfig, startEngine, whenEngineReady } from './state/engineController';
import { useRanking } from './state/rankingStore';
import { exactPreprocessingSetting, loadBackendPreference, loadPromptTemplates, peopleChecksSetting } from './state/settings';
import { useDecodeOptions } from './state/decodeOptions';
import { usePeopleChecks } from './state/peopleChecks';
import { restoreExportSettings } from './state/exportSettings';
import { embedAllTags } from './state/tags';
import { registerServiceWorker } from './offline/registerServiceWorker';
import { installTestHooks } from './state/testHooks';
import { checkForEviction } from './state/eviction';

// Offline use (the app and ORT's wasm precached by /sw.js): built app only, the dev server has no sw.js.
if (import.meta.env.PROD) registerServiceWorker();
const config = readConfig(location.search);
if (new URLSearchParams(location.search).get('testHooks') === '1') installTestHooks();
if (!new URLSearchParams(location.search).has('backend')) config.preference = await loadBackendPreference();
configure(config);
// Scores from heads, auto-tags, groups and people checks follow new embeddings, tags and models from here on.
startBackgroundPasses();
usePeopleChecks.setState({ enabled: peopleChecksSetting.fromUrl(location.search) ?? (await peopleChecksSetting.load()) });
useDecodeOptions.setState({ exact: exactPreprocessingSetting.fromUrl(location.search) ?? (await exactPreprocessingSetting.load()) });
await restoreExportSettings();
const templates = await loadPromptTemplates();
if (templates) useRanking.getState().setTemplates(templates);
// Did the browser delete the models or the library since the last visit? (Looked at before the engine caches again.)
await checkForEviction();
void startEngine();
// The last session comes back (thumbnails, decisions, tags); scores attach once the model is ready.
void restoreSession().then(async () => {
  if (await whenEngineReady()) await embedAllTags();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary>
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
