/**
 * The long-lived-worker investigation's side of the bench page: several of our clients, each with one
 * runtime variant, kept alive side by side and run in turn on the same set (see `longlived.ts`).
 */

import type { BenchRuntime } from '../../src/engine-protocol.js';
import type { ClientOptions, InPageEmbeddings } from '../../src/index.js';

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

/** The page's variant API over `newClient` (the page's own factory) and its sets' texts. */
export function variantClients(newClient: NewClient, texts: (set: string) => string[], model: () => string) {
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
  };
}
