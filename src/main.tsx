import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { configure, readConfig, startEngine } from './state/controller';
import { loadBackendPreference } from './state/settings';

const config = readConfig(location.search);
if (!new URLSearchParams(location.search).has('backend')) config.preference = await loadBackendPreference();
configure(config);
void startEngine();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
