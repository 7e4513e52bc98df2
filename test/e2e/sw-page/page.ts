/**
 * The e2e page. Query: `hub` (model host), `dims` (the tiny model's width), `serve=1` to hold a client and
 * serve it to the service worker, `sw` (the service worker's own query: token, cors, wait).
 */

import { InPageEmbeddings, serveToServiceWorker } from '../../../src/index.js';
import type { E2EApi, Fetched } from './api.js';

const params = new URLSearchParams(location.search);
const serve = params.get('serve') === '1';

// No vector cache: both paths compute, so their bytes (usage included) can be compared.
const client = serve
  ? new InPageEmbeddings({
    modelHost: params.get('hub') ?? undefined, cache: false,
    models: [{ id: 'BAAI/bge-small-en-v1.5', dims: Number(params.get('dims')), dtype: { wasm: 'fp32', webgpu: 'fp32' } }],
  })
  : undefined;
if (client) serveToServiceWorker(client);

async function controlled(): Promise<void> {
  const container = navigator.serviceWorker;
  // Scope `/` (the script sends Service-Worker-Allowed) so the model worker's own fetches go through it too.
  await container.register(`/test/e2e/sw-page/sw.ts?${params.get('sw') ?? ''}`, { type: 'module', scope: '/' });
  if (container.controller) return;
  await new Promise<void>((resolve) => container.addEventListener('controllerchange', () => resolve(), { once: true }));
}

const api: E2EApi = {
  ready: controlled(),
  async create(body) {
    if (!client) throw new Error('this page does not hold a client (serve=1)');
    return JSON.stringify(await client.embeddings.create(body as never));
  },
  async call(path, init = {}): Promise<Fetched> {
    const started = performance.now();
    const res = await fetch(path, init);
    const text = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers), text, ms: performance.now() - started };
  },
};
window.e2e = api;
