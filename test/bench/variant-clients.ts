/**
 * The long-lived-worker investigation's side of the bench page: several of our clients, each with one
 * runtime variant, kept alive side by side and run in turn on the same set (see `longlived.ts`).
 */

import type { BenchRuntime } from '../../src/engine-protocol.js';
import { cacheKey, VectorCache, type ClientOptions, type InPageEmbeddings } from '../../src/index.js';

/** One client configuration under test. */
export interface VariantSpec {
  name: string;
  /** Vector cache on (emptied before each run, so every run computes and writes). */
  cache: boolean;
  /** Ask for `Float32Array` vectors: the main thread builds no `number[]`. */
  float32: boolean;
  planner?: 'learnt' | 'fixed';
  runtime?: BenchRuntime;
}

/** One timed run: wall ms, and what the worker ran (session runs, padded tokens). */
export interface VariantRun {
  ms: number;
  sessionRuns: number;
  paddedTokens: number;
}

type NewClient = (cache: boolean, extra: ClientOptions) => InPageEmbeddings;

/** Median ms of each part of a single query (see `queryParts`). */
export interface QueryParts {
  /** `create()` of one new text, cache on (digest, IndexedDB miss, worker, response) and off for the request. */
  cacheOn: number;
  cacheOff: number;
  /** A worker round trip that computes nothing (`engineStats()`). */
  hop: number;
  /** The text's cache key (SHA-256 through `crypto.subtle`). */
  digest: number;
  /** A vector cache's answer for one missing key, the vector handed over at once (IndexedDB read miss). */
  miss: number;
  /** One vector into a `number[]` (the response's copy). */
  copy: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The page's variant API over `newClient` (the page's own factory) and its sets' texts. */
export function variantClients(newClient: NewClient, texts: (set: string) => string[], model: () => string, client: () => InPageEmbeddings) {
  const clients = new Map<string, { spec: VariantSpec; client: InPageEmbeddings }>();
  return {
    /** Dispose earlier variants, start one client per spec, and run `set` once on each, untimed (loads the model). */
    async variantsStart(specs: VariantSpec[], set: string): Promise<void> {
      for (const { client } of clients.values()) await client.dispose();
      clients.clear();
      for (const spec of specs) {
        const client = newClient(spec.cache, {
          cacheNamespace: `bench-variant-${spec.name}`,
          ...(spec.planner ? { planner: spec.planner } : {}),
          ...(spec.runtime ? { __benchRuntime: spec.runtime } : {}),
        });
        clients.set(spec.name, { spec, client });
        await client.cache.clear();
        await client.embeddings.create({ model: model(), input: texts(set) });
        await client.cache.flush();
      }
    },

    /** Time one run of `set` on one variant's client; the cache (when on) is emptied before and flushed after, off the clock. */
    async variantRun(name: string, set: string): Promise<VariantRun> {
      const { spec, client } = clients.get(name)!;
      if (spec.cache) await client.cache.clear();
      const before = await client.engineStats();
      const t0 = performance.now();
      if (spec.float32) await client.embeddings.create({ model: model(), input: texts(set) }, { vectors: 'float32' });
      else await client.embeddings.create({ model: model(), input: texts(set) });
      const ms = performance.now() - t0;
      await client.cache.flush();
      const after = await client.engineStats();
      return { ms, sessionRuns: after.sessionRuns - before.sessionRuns, paddedTokens: after.paddedTokens - before.paddedTokens };
    },

    /** Each part of a single query, timed separately on the page's one client (one worker), `n` new texts each. */
    async queryParts(set: string, n: number): Promise<QueryParts> {
      const c = client();
      const probe = new VectorCache({ namespace: 'bench-parts' });
      await probe.clear();
      const parts = { cacheOn: [], cacheOff: [], hop: [], digest: [], miss: [], copy: [] } as Record<keyof QueryParts, number[]>;
      const time = async (part: keyof QueryParts, f: () => Promise<unknown> | unknown) => {
        const t0 = performance.now();
        await f();
        parts[part].push(performance.now() - t0);
      };
      const list = texts(set);
      for (let i = 0; i < n; i++) {
        const text = `${list[i % list.length]} (${i}, ${performance.now()})`;
        await time('cacheOn', () => c.embeddings.create({ model: model(), input: text }));
        await time('cacheOff', () => c.embeddings.create({ model: model(), input: `${text}!` }, { cache: false }));
        await time('hop', () => c.engineStats());
        let key = '';
        await time('digest', async () => { key = await cacheKey('bench', text); });
        const v = new Float32Array(384).fill(0.05);
        await time('miss', () => probe.through([key], { model: 'bench', dims: 384 }, async () => ({ vectors: [v], tokens: 1, tokenCounts: [1] })));
        await time('copy', () => { const out = new Array<number>(v.length); for (let j = 0; j < v.length; j++) out[j] = v[j]; return out; });
      }
      await c.cache.flush();
      await probe.clear();
      return Object.fromEntries(Object.entries(parts).map(([k, xs]) => [k, median(xs)])) as unknown as QueryParts;
    },
  };
}
