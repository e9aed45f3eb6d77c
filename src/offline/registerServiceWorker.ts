/**
 * Registers the offline service worker (/sw.js, built by build/precacheManifest.ts) in production builds,
 * and tells the header when the page is ready to work offline: a worker is active and controls the page,
 * which means its install put every file of the app in the cache.
 */
import { useSyncExternalStore } from 'react';

let offlineReady = false;
const listeners = new Set<() => void>();

function setOfflineReady(value: boolean): void {
  if (value === offlineReady) return;
  offlineReady = value;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** True once an active service worker controls this page (production builds only). */
export function useOfflineReady(): boolean {
  return useSyncExternalStore(subscribe, () => offlineReady, () => false);
}

export function registerServiceWorker(): void {
  // Service workers exist only in secure contexts (https, or http://localhost and 127.0.0.1).
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  const update = (): void => setOfflineReady(container.controller !== null && container.controller.state === 'activated');
  container.addEventListener('controllerchange', () => {
    update();
    container.controller?.addEventListener('statechange', update);
  });
  void container.ready.then(update);
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
