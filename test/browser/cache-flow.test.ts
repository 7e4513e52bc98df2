/**
 * The vector cache through the client: real worker, tiny models, real IndexedDB in Chromium.
 * One computing client is shared (model loads are the slow part); each test uses texts of its own, and
 * "reloaded" clients on the same namespace must answer without ever starting a worker.
 */

import { get } from 'idb-keyval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { truncateAndNormalize } from '../../src/vector-math.js';
import {
  cacheKey, CATALOGUE, cosine, keyScope, type CacheErrorEvent, type CacheStats, type CreateEmbeddingResponse, type InPageEmbeddings,
} from '../../src/index.js';
import { freshNamespace, quotaExceededStore, realStore } from './cache-helpers.js';
import { asNumbers, FAMILIES, sharedClient, tinyClient } from './tiny-models.js';

const BGE = FAMILIES.bert.id; // 'BAAI/bge-small-en-v1.5'
const QWEN = FAMILIES.qwen3.id; // 'Qwen/Qwen3-Embedding-0.6B'
const ZERO_STATS = { sessionRuns: 0, texts: 0, realTokens: 0, paddedTokens: 0, loads: 0 };
const SLOW = 240_000; // model loads on a busy 2-core machine

const namespace = freshNamespace('flow');
let client: InPageEmbeddings;
let uncached: InPageEmbeddings;
beforeAll(async () => {
  [client, uncached] = await Promise.all([tinyClient({ cacheNamespace: namespace }), sharedClient()]);
  // Load the models once, here, so the tests time what they test.
  await Promise.all([
    client.embeddings.create({ model: BGE, input: 'load' }), client.embeddings.create({ model: QWEN, input: 'load' }),
    uncached.embeddings.create({ model: BGE, input: 'load' }),
  ]);
}, SLOW);
afterAll(() => client.dispose());

const vectors = (res: CreateEmbeddingResponse) => res.data.map((d) => asNumbers(d.embedding));
const entriesOf = (stats: CacheStats, model: string) => stats.byModel[model]?.entries ?? 0;

/** A client on the shared namespace that has never computed anything: a page after a reload. */
async function reloaded<T>(body: (c: InPageEmbeddings) => Promise<T>): Promise<T> {
  const c = await tinyClient({ cacheNamespace: namespace });
  try { return await body(c); } finally { await c.dispose(); }
}

describe('create() through the vector cache', () => {
  it('answers a repeated create() from the cache without running the worker, with the same vectors', async () => {
    const input = ['the cache keeps this', 'and this one', 'the cache keeps this'];
    const before = await client.cache.stats();
    const first = await client.embeddings.create({ model: BGE, input });
    expect(first.usage.cached_tokens).toBeUndefined();
    const runs = await client.engineStats();
    const second = await client.embeddings.create({ model: BGE, input });
    expect(await client.engineStats()).toEqual(runs);
    expect(second.data).toEqual(first.data);
    expect(second.usage).toEqual({ prompt_tokens: 0, total_tokens: 0, cached_tokens: first.usage.prompt_tokens });

    // A partly cached request runs only its new text.
    const mixed = await client.embeddings.create({ model: BGE, input: ['and this one', 'a text not seen yet'] });
    const after = await client.engineStats();
    expect(after.texts).toBe(runs.texts + 1);
    expect(mixed.usage.prompt_tokens).toBe(after.realTokens - runs.realTokens);
    const full = await client.embeddings.create({ model: BGE, input: ['and this one', 'a text not seen yet'] });
    expect(full.usage.cached_tokens).toBe(mixed.usage.prompt_tokens + mixed.usage.cached_tokens!);
    const stats = await client.cache.stats();
    expect(stats.entries - before.entries).toBe(3);
    expect([stats.hits - before.hits, stats.misses - before.misses]).toEqual([2 + 1 + 2, 2 + 1]);
  }, SLOW);

  it('after a reload, a new client answers from IndexedDB without the worker even starting', async () => {
    const input = ['persisted across reloads', 'second persisted text'];
    const first = await client.embeddings.create({ model: BGE, input, encoding_format: 'base64' });
    await client.cache.flush(); // durable before the "reload"
    await reloaded(async (after) => {
      const again = await after.embeddings.create({ model: BGE, input, encoding_format: 'base64' });
      expect(again.data).toEqual(first.data);
      expect(again.usage).toEqual({ prompt_tokens: 0, total_tokens: 0, cached_tokens: first.usage.prompt_tokens });
      expect(after.usage().byModel[BGE]).toMatchObject({ localTokens: 0, cachedTokens: first.usage.prompt_tokens });
      expect(await after.engineStats()).toEqual(ZERO_STATS);
      expect(await after.backends()).toEqual([]);
    });
  }, SLOW);

  it('never mixes up models, input types or dimensions; Qwen3 widths are cut from one stored full vector', async () => {
    const text = 'what is a cat, asked the cache';
    const before = await client.cache.stats();
    const [raw, doc, query] = [
      await client.embeddings.create({ model: BGE, input: text }),
      await client.embeddings.create({ model: BGE, input: text, input_type: 'document' }),
      await client.embeddings.create({ model: BGE, input: text, input_type: 'query' }),
    ].map(vectors);
    expect(doc).toEqual(raw);
    expect(cosine(query[0], raw[0])).toBeLessThan(0.9999);
    expect(entriesOf(await client.cache.stats(), BGE) - entriesOf(before, BGE)).toBe(3);

    // The tiny Qwen3 fixture is 32-d (matryoshka 4..32 via tinyRows): 8 and 16 stand for 64 and 256 of 1024.
    const d8 = vectors(await client.embeddings.create({ model: QWEN, input: text, dimensions: 8 }))[0];
    const runs = (await client.engineStats()).sessionRuns;
    const d16 = vectors(await client.embeddings.create({ model: QWEN, input: text, dimensions: 16 }))[0];
    const full = vectors(await client.embeddings.create({ model: QWEN, input: text }))[0];
    expect((await client.engineStats()).sessionRuns).toBe(runs);
    expect(entriesOf(await client.cache.stats(), QWEN) - entriesOf(before, QWEN)).toBe(1);
    expect(full).toHaveLength(32);
    expect(d8).toEqual(Array.from(truncateAndNormalize(Float32Array.from(full), 8)));
    expect(d16).toEqual(Array.from(truncateAndNormalize(Float32Array.from(full), 16)));
    expect(cosine(full, raw[0])).toBeLessThan(0.9999);
    const qwenQuery = vectors(await client.embeddings.create({ model: QWEN, input: text, input_type: 'query', dimensions: 8 }))[0];
    expect((await client.engineStats()).sessionRuns).toBe(runs + 1);
    expect(cosine(qwenQuery, d8)).toBeLessThan(0.9999);
  }, SLOW);

  it('gives concurrent create() calls asking for the same new texts one computation', async () => {
    const texts = ['p', 'q', 'r', 's'].map((x) => `${x} asked at once`);
    const before = await client.engineStats();
    const [a, b, c] = await Promise.all([
      client.embeddings.create({ model: BGE, input: texts.slice(0, 3) }),
      client.embeddings.create({ model: BGE, input: texts.slice(1, 4) }),
      client.embeddings.create({ model: BGE, input: texts[2] }),
    ]);
    expect((await client.engineStats()).texts - before.texts).toBe(4);
    expect(b.data[1].embedding).toEqual(a.data[2].embedding);
    expect(c.data[0].embedding).toEqual(a.data[2].embedding);
    expect(c.usage).toMatchObject({ prompt_tokens: 0, cached_tokens: expect.any(Number) });
  }, SLOW);

  it('with a store that throws QuotaExceededError on write, answers correctly and keeps every earlier entry', async () => {
    const kept = await client.embeddings.create({ model: BGE, input: ['kept one', 'kept two'] });
    await client.cache.flush();
    const errors: CacheErrorEvent[] = [];
    const full = await tinyClient({
      cacheNamespace: namespace, cache: { store: quotaExceededStore(realStore(namespace)) }, onCacheError: (e) => errors.push(e),
    });
    try {
      const input = ['kept one', 'written under a full quota'];
      const res = await full.embeddings.create({ model: BGE, input });
      const expected = await uncached.embeddings.create({ model: BGE, input });
      expect(res.data[0].embedding).toEqual(kept.data[0].embedding);
      expect(cosine(asNumbers(res.data[1].embedding), asNumbers(expected.data[1].embedding))).toBeGreaterThanOrEqual(0.99999);
      await full.cache.flush();
      expect(errors.map((e) => [e.operation, (e.error as DOMException).name])).toEqual([['write', 'QuotaExceededError']]);
      const runs = await full.engineStats();
      const again = await full.embeddings.create({ model: BGE, input: 'written under a full quota' }); // from memory
      expect(await full.engineStats()).toEqual(runs);
      expect(again.data[0].embedding).toEqual(res.data[1].embedding);
    } finally {
      await full.dispose();
    }
    // A reload finds every earlier entry, and nothing of the failed write.
    await reloaded(async (after) => {
      const earlier = await after.embeddings.create({ model: BGE, input: ['kept one', 'kept two'] });
      expect(earlier.data).toEqual(kept.data);
      expect(await after.engineStats()).toEqual(ZERO_STATS);
      const key = await cacheKey(keyScope(CATALOGUE.find((r) => r.id === BGE)!), 'written under a full quota');
      expect(await get(`v:${key}`, realStore(namespace))).toBeUndefined();
    });
  }, SLOW);

  it('export then import into a fresh namespace answers the same vectors without computing', async () => {
    const input = ['shipped from a server', 'precomputed elsewhere', 'starts warm'];
    const made = await client.embeddings.create({ model: QWEN, input, dimensions: 16 });
    const blob = await client.cache.export({ model: QWEN });
    const target = await tinyClient({ cacheNamespace: freshNamespace('import') });
    try {
      const { imported } = await target.cache.import(blob);
      expect(imported).toBe((await client.cache.stats()).byModel[QWEN].entries);
      const served = await target.embeddings.create({ model: QWEN, input, dimensions: 16 });
      expect(served.data).toEqual(made.data);
      expect(served.usage.cached_tokens).toBe(made.usage.prompt_tokens);
      expect(await target.engineStats()).toEqual(ZERO_STATS);
    } finally {
      await target.dispose();
    }
  }, SLOW);

  it('cache: false computes every time and stores nothing', async () => {
    const before = await uncached.engineStats();
    await uncached.embeddings.create({ model: BGE, input: 'not cached' });
    const second = await uncached.embeddings.create({ model: BGE, input: 'not cached' });
    expect(second.usage.cached_tokens).toBeUndefined();
    expect((await uncached.engineStats()).texts - before.texts).toBe(2);
    expect(await uncached.cache.stats()).toMatchObject({ entries: 0, hits: 0, misses: 0 }); // nor reads IndexedDB
    await expect(uncached.cache.import(new Uint8Array())).rejects.toThrow(/cache is off/);
  }, SLOW);

  it('measures 1,000 cached texts against computing them', async () => {
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
    const texts = Array.from({ length: 1000 }, (_, i) =>
      `bench ${i}: ${Array.from({ length: 4 + (i % 9) }, (_, k) => words[(i * 7 + k) % words.length]).join(' ')}`);
    const time = async (c: InPageEmbeddings) => {
      const t0 = performance.now();
      const res = await c.embeddings.create({ model: BGE, input: texts });
      return { res, ms: performance.now() - t0 };
    };
    // Best of a few runs each: the machines these run on are often busy.
    const best = async (runs: number, once: () => Promise<{ res: CreateEmbeddingResponse; ms: number }>) => {
      const all = [];
      for (let i = 0; i < runs; i++) all.push(await once());
      return all.reduce((a, b) => (b.ms < a.ms ? b : a));
    };
    const off = await best(2, () => time(uncached));
    const computed = await time(client);
    const memory = await best(5, () => time(client));
    await client.cache.flush();
    const disk = await best(3, () => reloaded(async (after) => {
      const t = await time(after);
      expect(await after.engineStats()).toEqual(ZERO_STATS);
      return t;
    }));
    expect(memory.res.data).toEqual(computed.res.data);
    expect(disk.res.data).toEqual(computed.res.data);
    const f = (ms: number) => ms.toFixed(1);
    console.log(
      `[cache speed] 1,000 texts, tiny bge-small (32-d), best runs: computed ${f(off.ms)} ms with the cache off, ` +
      `${f(computed.ms)} ms with it on (all misses); cached in memory ${f(memory.ms)} ms ` +
      `(${(off.ms / memory.ms).toFixed(1)}x faster), cached in IndexedDB after a reload ${f(disk.ms)} ms ` +
      `(${(off.ms / disk.ms).toFixed(1)}x faster)`);
  }, SLOW);
});
