/**
 * Install the offline service worker and wait (briefly) until it controls the page, so that the model
 * worker, started next, fetches through it and its files are cached for the next, offline, visit.
 */

import * as library from '../src/index.js';
import type { InPageEmbeddings } from '../src/index.js';

/** What happened: `controlled` once the service worker serves this page's requests. */
export type PwaState = 'unsupported' | 'controlled' | 'installing' | 'failed';

/** Register `/sw.ts` for this server `build`; resolve once it controls the page, or after `timeoutMs`. */
export async function installServiceWorker(build: string, timeoutMs = 5000): Promise<PwaState> {
  const container = navigator.serviceWorker;
  if (!container) return 'unsupported';
  try {
    // A module service worker: under vite dev every script is an ES module.
    await container.register(`/sw.ts?build=${encodeURIComponent(build)}`, { type: 'module', scope: '/' });
  } catch (error) {
    console.warn('service worker not installed: the demo works, but not offline', error);
    return 'failed';
  }
  if (!container.controller) {
    const controlled = new Promise<void>((resolve) => container.addEventListener('controllerchange', () => resolve(), { once: true }));
    const timedOut = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
    await Promise.race([controlled, timedOut]);
  }
  const controller = container.controller;
  if (!controller) return 'installing';
  // Scripts and styles this page loaded before the worker controlled it: the worker caches any it lacks.
  const urls = [...performance.getEntriesByType('resource').map((e) => e.name)]
    .filter((url) => new URL(url).origin === location.origin);
  controller.postMessage({ type: 'cache-urls', urls });
  return 'controlled';
}

/** `serveToServiceWorker`, where this checkout of the library has it (src/serve/sw-bridge.ts). */
const serveToServiceWorker = (library as Record<string, unknown>).serveToServiceWorker as
  | ((client: InPageEmbeddings) => () => void)
  | undefined;

/**
 * Answer the service worker's `/v1/embeddings` and `/v1/models` with `client`, so any script of this
 * origin (another tab, the console, an OpenAI SDK with `baseURL: '/v1'`) can use the page's model.
 * Return a function that stops, or `undefined` where the library has no service-worker route.
 */
export function serveModelsToServiceWorker(client: InPageEmbeddings): (() => void) | undefined {
  return navigator.serviceWorker ? serveToServiceWorker?.(client) : undefined;
}
