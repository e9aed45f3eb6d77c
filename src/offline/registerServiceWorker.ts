/**
 * Registers the offline service worker (/sw.js, built by build/precacheManifest.ts) in production builds,
 * and tells the header when the page is ready to work offline: a worker is active and controls the page,
 * which means its install put every file of the app in the cache.
 */
import { useSyncExternalStore } from 'react';
import { RELEASE_MESSAGE } from './precache';

let offlineReady = false;
/** A newer build took this page over: the page keeps running the build it loaded until it is reloaded. */
let updated = false;
const listeners = new Set<() => void>();

function changed(): void {
  for (const listener of listeners) listener();
}

function setOfflineReady(value: boolean): void {
  if (value === offlineReady) return;
  offlineReady = value;
  changed();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** True once an active service worker controls this page (production builds only). */
export function useOfflineReady(): boolean {
  return useSyncExternalStore(subscribe, () => offlineReady, () => false);
}

/** True once a newer build's worker has taken this page over (a reload switches to it). */
export function useAppUpdated(): boolean {
  return useSyncExternalStore(subscribe, () => updated, () => false);
}

export function registerServiceWorker(): void {
  // Service workers exist only in secure contexts (https, or http://localhost and 127.0.0.1).
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  const update = (): void => setOfflineReady(container.controller !== null && container.controller.state === 'activated');
  // A first visit's worker takes the page over too: only a change of controller is a new build.
  let controlled = container.controller !== null;
  container.addEventListener('controllerchange', () => {
    if (controlled && !updated) {
      updated = true;
      changed();
    }
    controlled = true;
    update();
    container.controller?.addEventListener('statechange', update);
  });
  void container.ready.then((registration) => {
    update();
    // Caches kept for pages of older builds can go once those pages are closed (a reload closes one).
    registration.active?.postMessage(RELEASE_MESSAGE);
  });
  container.controller?.addEventListener('statechange', update);
  const register = (): void => {
    // After the page's own loads: the install downloads ~30 MB (ORT's wasm) and should not compete with them.
    container.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).catch((error: unknown) => {
      console.warn('Offline support is off: the service worker did not register.', error);
    });
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
