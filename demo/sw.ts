/// <reference lib="webworker" />
/**
 * The demo's service worker (a module worker: vite dev serves ES modules). It precaches the app shell and the
 * gallery's pictures on install and answers same-origin GETs cache-first with a network fallback, refreshing
 * the copy in the background, so after one online visit the page works offline. Model files are left to transformers.js,
 * which keeps them in the Cache API (`transformers-cache`); vectors are in IndexedDB.
 */

import { ISOLATION_HEADERS } from './isolation.js';

declare const self: ServiceWorkerGlobalScope;

/** What the demo uses of the library's service-worker route (src/sw.ts). */
interface RouteModule {
  embeddingsHandler(options: { prefix?: string }): (event: FetchEvent) => boolean;
}

// An eager glob is a static import of each match, and none when src/sw.ts is absent from this checkout:
// a module service worker cannot import() at run time, so this is how it feature-detects.
const routeModules = import.meta.glob<RouteModule>('../src/sw.ts', { eager: true });

/** The server's start time: a restarted server installs a fresh shell cache and the old one is dropped. */
const BUILD = new URL(self.location.href).searchParams.get('build') ?? 'dev';
const SHELL = `inpage-demo-shell-${BUILD}`;
/** The static files (public/, served as they are) and the page; its scripts are added by the page (pwa.ts). */
const PRECACHE = ['/', '/style.css', '/demo-config.json', '/corpus.json', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];

const GALLERY_MANIFEST = '/gallery/gallery.json';

/** A message from the page: cache what it loaded before this worker controlled it. */
interface CacheUrlsMessage {
  type: 'cache-urls';
  urls: string[];
}

const embeddingsRoute = mountEmbeddingsRoute();

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.addAll(PRECACHE);
    await precacheGallery(cache);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('inpage-demo-shell-') && name !== SHELL) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const data = event.data as CacheUrlsMessage | undefined;
  if (data?.type !== 'cache-urls') return;
  event.waitUntil(cacheMissing(data.urls));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (embeddingsRoute?.(event)) return;
  if (request.method !== 'GET' || url.pathname.startsWith('/models/') || url.pathname.startsWith('/__')) return;
  event.respondWith(cacheFirst(event, request));
});

/**
 * The gallery's pictures too (16 PNGs, about 30 kB in all), so the gallery tab shows them offline even if it
 * was never opened online. Best effort: a missing gallery must not stop the shell from installing.
 */
async function precacheGallery(cache: Cache): Promise<void> {
  try {
    const res = await fetch(GALLERY_MANIFEST);
    if (!res.ok) return;
    const { images } = (await res.clone().json()) as { images: Array<{ file: string }> };
    await cache.put(GALLERY_MANIFEST, res);
    await cache.addAll(images.map((image) => `/gallery/${image.file}`));
  } catch (error) {
    console.warn('gallery not precached', error);
  }
}

/** Answer from the shell cache, else the network (keeping a copy); a hit is refreshed in the background. */
async function cacheFirst(event: FetchEvent, request: Request): Promise<Response> {
  const cache = await caches.open(SHELL);
  // Every navigation is the one page; `?q=` only says what to search.
  const key = request.mode === 'navigate' ? '/' : request;
  // Vite answers `Vary: Origin`, and module scripts send an Origin the precache requests lacked.
  const hit = await cache.match(key, { ignoreVary: true });
  if (hit) {
    if (self.navigator.onLine && revalidates(request.url)) event.waitUntil(refresh(cache, key).catch(() => undefined));
    return isolated(hit);
  }
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') event.waitUntil(cache.put(key, response.clone()));
  return isolated(response);
}

/** Hashed dependencies (`?v=`) and the 26 MB onnxruntime binary never change under the same URL. */
function revalidates(url: string): boolean {
  const { searchParams, pathname } = new URL(url);
  return !searchParams.has('v') && !pathname.endsWith('.wasm');
}

async function refresh(cache: Cache, key: Request | string): Promise<void> {
  const response = await fetch(key, { cache: 'no-cache' });
  if (response.ok) await cache.put(key, response);
}

/** Fetch and keep each same-origin URL the page loaded that the cache lacks. */
async function cacheMissing(urls: string[]): Promise<void> {
  const cache = await caches.open(SHELL);
  await Promise.all(urls.map(async (url) => {
    const { origin, pathname } = new URL(url);
    if (origin !== self.location.origin || pathname.startsWith('/models/') || (await cache.match(url, { ignoreVary: true }))) return;
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) await cache.put(url, response);
  }));
}

/** Copy a response with the isolation headers added (opaque responses cannot be read, nor need them). */
function isolated(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  // The same headers the server sends: a response made here must keep the page cross-origin isolated.
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The library's `/v1/embeddings` and `/v1/models` routes, where this checkout has src/sw.ts: requests are
 * forwarded to an open demo tab (`serveToServiceWorker`), which answers them with its own client.
 */
function mountEmbeddingsRoute(): ((event: FetchEvent) => boolean) | undefined {
  const module = Object.values(routeModules)[0];
  return module?.embeddingsHandler({ prefix: '/v1' });
}
