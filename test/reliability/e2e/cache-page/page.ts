/**
 * The vector-cache reliability page: one client with the cache on, for the Node-driven tests of reloads,
 * crashes, two tabs and durability. Query: `hub` (model host), `dims` (the tiny bge model's width), `ns`
 * (cacheNamespace), and optionally `maxBytes` and `memoryBytes`.
 */

import './instrument.js';
import { buildCatalogue } from '../../../../src/client-options.js';
import { cacheKey, CATALOGUE, InPageEmbeddings, keyScope } from '../../../../src/index.js';
import { auditStore } from '../../store-audit.js';
import type { CachePageApi } from './api.js';
import { takeTransactions, tripAfterPuts } from './instrument.js';
import { fingerprint, runStress } from './stress.js';

const MODEL = 'BAAI/bge-small-en-v1.5';
const params = new URLSearchParams(location.search);
const dims = Number(params.get('dims'));
const namespace = params.get('ns') ?? '';
const number = (name: string) => (params.has(name) ? Number(params.get(name)) : undefined);
const row = { id: MODEL, dims, dtype: { wasm: 'fp32' as const, webgpu: 'fp32' as const } };

const cacheErrors: string[] = [];
const client = new InPageEmbeddings({
  modelHost: params.get('hub') ?? undefined,
  cacheNamespace: namespace,
  cache: { maxBytes: number('maxBytes'), memoryBytes: number('memoryBytes') },
  onCacheError: (e) => cacheErrors.push(`${e.operation}: ${(e.error as Error)?.name}: ${(e.error as Error)?.message}`),
  models: [row],
});
const scope = keyScope(buildCatalogue(CATALOGUE, [row]).get(MODEL)!, { device: 'wasm' });

const toBase64 = (bytes: Uint8Array) => { let s = ''; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); };

const api: CachePageApi = {
  ready: Promise.resolve(),
  async create(texts) {
    const res = await client.embeddings.create({ model: MODEL, input: texts }, { vectors: 'float32' });
    return res.data.map((d) => fingerprint(d.embedding));
  },
  async vectors(texts, cache) {
    const res = await client.embeddings.create({ model: MODEL, input: texts }, { vectors: 'float32', cache });
    return res.data.map((d) => Array.from(d.embedding));
  },
  keys: (texts) => Promise.all(texts.map((t) => cacheKey(scope, t))),
  flush: () => client.cache.flush(),
  clear: () => client.cache.clear(),
  exportBase64: async () => toBase64(new Uint8Array(await (await client.cache.export()).arrayBuffer())),
  importBase64: (data) => client.cache.import(Uint8Array.from(atob(data), (c) => c.charCodeAt(0))),
  async stats() {
    const { entries, bytes } = await client.cache.stats();
    return { entries, bytes };
  },
  async audit() {
    const audit = await auditStore(namespace, dims);
    const entries: Record<string, string> = {};
    for (const [key, e] of audit.entries) entries[key] = e.vector instanceof Float32Array ? fingerprint(e.vector) : 'not a Float32Array';
    return { entries, problems: audit.problems, totals: audit.totals };
  },
  tripAfterPuts(n, action) {
    tripAfterPuts(n, action === 'reload' ? () => location.reload() : () => window.midWrite!());
  },
  transactions: takeTransactions,
  cacheErrors,
  stress: (ms, seed, pool) => runStress(api, ms, seed, pool),
};
window.cachePage = api;
