/**
 * A single query taken apart, on the bench page's one client (one worker): cache on (key index, computing
 * while IndexedDB is read), cache on with the sequential lookup of before (read, then compute), cache off
 * for the request, and the pipeline, interleaved query by query in rotating order so that a busy machine's
 * load falls on all four alike; then the parts a cached lookup adds (worker hop, key digest, IndexedDB miss,
 * number[] copy).
 */

import { cacheKey, VectorCache, type InPageEmbeddings } from '../../src/index.js';

/** Median ms of each part of a single query. */
export interface QueryParts {
  /** `create()` of one new text, cache on: digest, key index, IndexedDB read beside the worker, response. */
  cacheOn: number;
  /** Cache on with the sequential lookup (read, then compute), as before the key index. */
  cacheOnSequential?: number;
  /** Cache off for the request. */
  cacheOff: number;
  /** The pipeline's worker, one text per message (transformers.js' `pipeline()`), on a text of the same length. */
  pipeline?: number;
  /** A worker round trip that computes nothing (`engineStats()`). */
  hop: number;
  /** The text's cache key (SHA-256 through `crypto.subtle`). */
  digest: number;
  /** A vector cache's answer for one missing key, the vector handed over at once (IndexedDB read miss). */
  miss: number;
  /** One vector into a `number[]` (the response's copy). */
  copy: number;
}

type Side = 'cacheOn' | 'cacheOnSequential' | 'cacheOff' | 'pipeline';
const SIDES: Side[] = ['cacheOn', 'cacheOnSequential', 'cacheOff', 'pipeline'];
/** One single-letter word per side, so every side's text has the same number of tokens and is new to the cache. */
const TAGS: Record<Side, string> = { cacheOn: 'a', cacheOnSequential: 'b', cacheOff: 'c', pipeline: 'd' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Time `n` new texts made from `list` on each side and part; `pipeline` embeds one text on the pipeline's worker. */
export async function queryParts(c: InPageEmbeddings, model: string, list: string[], n: number,
  pipeline: (text: string) => Promise<unknown>): Promise<QueryParts> {
  const probe = new VectorCache({ namespace: 'bench-parts' });
  await probe.clear();
  await c.cache.indexLoaded();
  const parts = { cacheOn: [], cacheOnSequential: [], cacheOff: [], pipeline: [], hop: [], digest: [], miss: [], copy: [] } as Record<keyof QueryParts, number[]>;
  const time = async (part: keyof QueryParts, f: () => Promise<unknown> | unknown) => {
    const t0 = performance.now();
    await f();
    parts[part].push(performance.now() - t0);
  };
  const run: Record<Side, (text: string) => Promise<unknown>> = {
    cacheOn: (text) => c.embeddings.create({ model, input: text }),
    cacheOnSequential: async (text) => {
      c.cache.earlyCompute = false;
      try { return await c.embeddings.create({ model, input: text }); } finally { c.cache.earlyCompute = true; }
    },
    cacheOff: (text) => c.embeddings.create({ model, input: text }, { cache: false }),
    pipeline,
  };
  for (let i = 0; i < n; i++) {
    const base = `${list[i % list.length]} ${i}`;
    for (let j = 0; j < SIDES.length; j++) {
      const side = SIDES[(i + j) % SIDES.length];
      await time(side, () => run[side](`${base} ${TAGS[side]}`));
    }
    await time('hop', () => c.engineStats());
    let key = '';
    await time('digest', async () => { key = await cacheKey('bench', base); });
    const v = new Float32Array(384).fill(0.05);
    await time('miss', () => probe.through([key], { model: 'bench', dims: 384 }, async () => ({ vectors: [v], tokens: 1, tokenCounts: [1] })));
    await time('copy', () => { const out = new Array<number>(v.length); for (let j = 0; j < v.length; j++) out[j] = v[j]; return out; });
  }
  await c.cache.flush();
  await probe.clear();
  return Object.fromEntries(Object.entries(parts).map(([k, xs]) => [k, median(xs)])) as unknown as QueryParts;
}
