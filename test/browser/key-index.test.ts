/**
 * The vector cache's key index (`src/cache/key-index.ts`), in real Chromium against real IndexedDB: new keys
 * start computing while the read is in flight, a stored vector still wins, and another tab's writes and
 * this cache's clears keep the index right.
 */

import { describe, expect, it } from 'vitest';
import { writeRecords, type CacheEntry } from '../../src/cache/cache-records.js';
import { indexChannelName } from '../../src/cache/key-index.js';
import { cacheDatabaseName, VectorCache, type CacheStore, type Computation } from '../../src/cache/index.js';
import { freshNamespace, keysFor, realStore, seededCompute, seededVector } from './cache-helpers.js';
import { asNumbers, FAMILIES, tinyClient } from './tiny-models.js';

const MODEL = 'test/model';
const DIMS = 64;
const target = { model: MODEL, dims: DIMS };

/** A real store whose readonly transactions wait while `closed` (IndexedDB busy, or slow). */
function gatedStore(real: CacheStore) {
  let gate: Promise<void> | undefined;
  let open = () => {};
  const store: CacheStore = async (mode, callback) => {
    if (mode === 'readonly' && gate) await gate;
    return real(mode, callback);
  };
  return {
    store,
    close: () => { gate = new Promise((resolve) => { open = resolve; }); },
    open: () => { gate = undefined; open(); },
  };
}

/** A computation that gives other vectors than `seededCompute` for the same keys (another run, other bytes). */
const otherCompute = (keys: string[], calls: number[][]) => async (positions: number[]): Promise<Computation> => {
  calls.push(positions);
  return { vectors: positions.map((i) => seededVector(`other ${keys[i]}`, DIMS)), tokens: 9 * positions.length, tokenCounts: positions.map(() => 9) };
};

/** Entries for `keys` as another writer stores them: seeded vectors, 5 tokens each. */
const entries = (keys: string[]) => new Map<string, CacheEntry>(keys.map((k) => [k, { model: MODEL, tokens: 5, vector: seededVector(k, DIMS) }]));

describe('the key index', () => {
  it('starts computing keys it knows are new while the read waits, and only after the read without it', async () => {
    const gated = gatedStore(realStore(freshNamespace('index-early')));
    const cache = new VectorCache({ store: gated.store });
    await cache.indexLoaded();
    const keys = await keysFor('index-early', 4);

    gated.close();
    const calls: number[][] = [];
    const early = cache.through(keys.slice(0, 2), target, seededCompute(keys, DIMS, calls), { early: true });
    expect(calls).toEqual([[0, 1]]); // the read has not even started
    gated.open();
    const res = await early;
    res.vectors.forEach((v, i) => expect(v).toEqual(seededVector(keys[i], DIMS)));
    expect(res).toMatchObject({ tokens: 6, hits: 0 });

    gated.close();
    const later: number[][] = [];
    const sequential = cache.through(keys.slice(2), target, seededCompute(keys.slice(2), DIMS, later));
    await new Promise((r) => setTimeout(r, 50));
    expect(later).toEqual([]); // without `early`, nothing runs before the read answers
    gated.open();
    await sequential;
    expect(later).toEqual([[0, 1]]);
  });

  it('answers the stored vector when one exists, even though it computed the key early', async () => {
    const namespace = freshNamespace('index-wins');
    const cache = new VectorCache({ namespace });
    await cache.indexLoaded();
    const keys = await keysFor('index-wins', 3);
    // Another writer the index never hears of: records written straight into the database.
    await writeRecords(realStore(namespace), entries(keys.slice(0, 2)), new Map(), 2 ** 30);

    const calls: number[][] = [];
    const res = await cache.through(keys, target, otherCompute(keys, calls), { early: true });
    expect(calls).toEqual([[0, 1, 2]]); // all three looked new to the index
    expect(res.vectors[0]).toEqual(seededVector(keys[0], DIMS)); // stored bytes, not the early computation's
    expect(res.vectors[1]).toEqual(seededVector(keys[1], DIMS));
    expect(res.vectors[2]).toEqual(seededVector(`other ${keys[2]}`, DIMS));
    // Usage counts only the computed vector that was answered; the stored ones are cached tokens.
    expect(res).toMatchObject({ tokens: 9, cachedTokens: 10, hits: 2 });
    await cache.flush();

    const fresh = new VectorCache({ namespace });
    const again = await fresh.through(keys, target, async () => { throw new Error('should be cached'); }, { early: true });
    expect(again.vectors).toEqual(res.vectors); // the stored entries were not overwritten
  });

  it("learns another tab's writes, so their keys are read rather than computed", async () => {
    const namespace = freshNamespace('index-tab');
    const cache = new VectorCache({ namespace });
    await cache.indexLoaded();
    const keys = await keysFor('index-tab', 5);
    // A module Worker stands in for another tab: its own VectorCache, connection and event loop.
    const heard = new Promise<void>((resolve) => {
      const listener = new BroadcastChannel(indexChannelName(cacheDatabaseName(namespace)));
      listener.onmessage = () => { listener.close(); resolve(); };
    });
    const worker = new Worker(new URL('./cache-writer.worker.ts', import.meta.url), { type: 'module' });
    await new Promise((resolve) => { worker.onmessage = resolve; worker.postMessage({ namespace, model: MODEL, dims: DIMS, chunks: [keys] }); });
    const done = new Promise<{ errors: string[] }>((resolve) => { worker.onmessage = (e) => resolve(e.data); });
    worker.postMessage('go');
    expect((await done).errors).toEqual([]);
    worker.terminate();
    await heard; // channels hear in creation order: the cache's own heard it first

    const calls: number[][] = [];
    const res = await cache.through(keys, target, otherCompute(keys, calls), { early: true });
    expect(calls).toEqual([]); // known as stored: nothing computed, not even early
    res.vectors.forEach((v, i) => expect(v).toEqual(seededVector(keys[i], DIMS)));
    expect(res).toMatchObject({ tokens: 0, hits: 5 });
  });

  it('forgets every key when the cache is cleared, so they start computing early again', async () => {
    const gated = gatedStore(realStore(freshNamespace('index-clear')));
    const cache = new VectorCache({ store: gated.store });
    const keys = await keysFor('index-clear', 2);
    await cache.through(keys, target, seededCompute(keys, DIMS));
    await cache.flush();
    await cache.indexLoaded();

    await cache.clear();
    await cache.indexLoaded(); // reloaded from the emptied store
    gated.close();
    const calls: number[][] = [];
    const res = cache.through(keys, target, seededCompute(keys, DIMS, calls), { early: true });
    expect(calls).toEqual([[0, 1]]);
    gated.open();
    expect((await res).hits).toBe(0);
  });

  it('through create(): a new text runs in the worker while the IndexedDB read waits, and answers what an uncached call does', async () => {
    const namespace = freshNamespace('index-client');
    const gated = gatedStore(realStore(namespace));
    const client = await tinyClient({ cacheNamespace: namespace, cache: { store: gated.store } });
    try {
      await client.embeddings.create({ model: FAMILIES.bert.id, input: 'load the model' });
      await client.cache.indexLoaded();
      const before = (await client.engineStats()).texts;
      gated.close();
      const pending = client.embeddings.create({ model: FAMILIES.bert.id, input: 'a query never seen before' });
      const deadline = performance.now() + 60_000;
      while ((await client.engineStats()).texts === before && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect((await client.engineStats()).texts).toBe(before + 1); // computed while the read is still held
      gated.open();
      const res = await pending;
      const alone = await client.embeddings.create({ model: FAMILIES.bert.id, input: 'a query never seen before' }, { cache: false });
      expect(asNumbers(res.data[0].embedding)).toEqual(asNumbers(alone.data[0].embedding));
      expect(res.usage.prompt_tokens).toBe(alone.usage.prompt_tokens);
    } finally {
      gated.open();
      await client.dispose();
    }
  }, 240_000);
});
