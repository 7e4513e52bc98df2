/**
 * The e2e service worker: the library's route (options from this script's query: `token`, `cors`, `wait`)
 * plus a network-first app shell cache, so a page reloaded offline still gets its modules.
 */

import { routeEmbeddings } from '../../../src/sw.js';

const scope = globalThis as unknown as ServiceWorkerGlobalScope;
const params = new URL(scope.location.href).searchParams;
const SHELL = 'e2e-shell';

const cors = params.get('cors');
routeEmbeddings({
  token: params.get('token') ?? undefined,
  cors: cors === '*' ? true : cors ?? undefined,
  waitForPage: Number(params.get('wait') ?? 3000),
});

scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== scope.location.origin || url.pathname.startsWith('/v1/')) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(SHELL).then((cache) => cache.put(request, copy)));
      }
      return response;
    } catch (error) {
      const cached = await caches.match(request);
      if (cached) return cached;
      throw error;
    }
  })());
});
