/** The vector cache at store level, in real Chromium against real IndexedDB. */

import { get } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { decodeEntries } from '../../src/cache/cache-format.js';
import { CacheErrorEvent, entryBytes, VectorCache, type CacheStore } from '../../src/cache/index.js';
import {
  abortingStore, closedConnectionStore, fill, freshNamespace, keysFor, quotaExceededStore, realStore, seededCompute,
  seededVector, unavailableStore,
} from './cache-helpers.js';

const MODEL = 'test/model';
const never = async (): Promise<never> => { throw new Error('the cache should have answered'); };

describe('VectorCache', () => {
  it('stores each vector as a binary Float32Array and serves it to a fresh instance without computing', async () => {
    const namespace = freshNamespace('binary');
    const keys = await keysFor('binary', 5);
    const calls: number[][] = [];
    const first = new VectorCache({ namespace });
    const a = await first.through([...keys, keys[0]], { model: MODEL, dims: 384 }, seededCompute(keys, 384, calls));
    expect(calls).toEqual([[0, 1, 2, 3, 4]]);
    expect(a).toMatchObject({ tokens: 15, cachedTokens: 0, hits: 0 });
    await first.flush();

    const record = await get<{ model: string; tokens: number; vector: Float32Array }>(`v:${keys[0]}`, realStore(namespace));
    expect(record?.vector).toBeInstanceOf(Float32Array);
    expect(record?.vector.buffer.byteLength).toBe(384 * 4); // a compact copy, never a view of a batch buffer
    expect(record).toMatchObject({ model: MODEL, tokens: 3 });

    const reloaded = new VectorCache({ namespace });
    const b = await reloaded.through(keys, { model: MODEL, dims: 384 }, never);
    expect(b).toMatchObject({ tokens: 0, cachedTokens: 15, hits: 5 });
    b.vectors.forEach((v, i) => expect(v).toEqual(seededVector(keys[i], 384)));
    expect(await reloaded.stats()).toMatchObject({
      entries: 5, bytes: 5 * entryBytes(new Float32Array(384)), hits: 5, misses: 0,
      byModel: { [MODEL]: { entries: 5, hits: 5, misses: 0 } },
    });
  });

  it('treats a wrong-width entry as a miss and never stores a NaN vector', async () => {
    const namespace = freshNamespace('validate');
    const keys = await keysFor('validate', 2);
    const errors: CacheErrorEvent[] = [];
    const cache = new VectorCache({ namespace, onError: (e) => errors.push(e) });
    await fill(cache, keys.slice(0, 1), 16);
    // Same key asked at another width: a miss, computed again.
    const calls: number[][] = [];
    await new VectorCache({ namespace }).through(keys.slice(0, 1), { model: MODEL, dims: 32 }, seededCompute(keys, 32, calls));
    expect(calls).toEqual([[0]]);

    const nan = async () => ({ vectors: [new Float32Array(16).fill(NaN)], tokens: 1, tokenCounts: [1] });
    const res = await cache.through([keys[1]], { model: MODEL, dims: 16 }, nan);
    expect(Number.isNaN(res.vectors[0][0])).toBe(true); // answered as computed...
    await cache.flush();
    expect(errors.map((e) => e.operation)).toEqual(['validate']);
    expect(await get(`v:${keys[1]}`, realStore(namespace))).toBeUndefined(); // ...but never stored
  });

  it('gives concurrent callers asking for the same keys one computation', async () => {
    const cache = new VectorCache({ namespace: freshNamespace('inflight') });
    const keys = await keysFor('inflight', 6);
    const calls: number[][] = [];
    const slow = async (positions: number[]) => {
      await new Promise((r) => setTimeout(r, 50));
      return seededCompute(keys, 8, calls)(positions);
    };
    const [a, b, c] = await Promise.all([
      cache.through(keys, { model: MODEL, dims: 8 }, slow),
      cache.through(keys.slice(2), { model: MODEL, dims: 8 }, slow),
      cache.through([keys[5], keys[0]], { model: MODEL, dims: 8 }, slow),
    ]);
    expect(calls).toEqual([[0, 1, 2, 3, 4, 5]]);
    expect(a.tokens).toBe(18);
    expect([b.tokens, b.hits, b.cachedTokens]).toEqual([0, 4, 12]);
    expect(c.vectors).toEqual([seededVector(keys[5], 8), seededVector(keys[0], 8)]);
  });

  it('with a store that throws QuotaExceededError on write, still answers, reports it, and loses no earlier entry', async () => {
    const namespace = freshNamespace('quota');
    const [early, late] = [await keysFor('quota-early', 10), await keysFor('quota-late', 10)];
    await fill(new VectorCache({ namespace }), early, 64);

    const errors: CacheErrorEvent[] = [];
    const full = new VectorCache({ namespace, store: quotaExceededStore(realStore(namespace)), onError: (e) => errors.push(e) });
    const events: Event[] = [];
    full.addEventListener('error', (e) => events.push(e));
    const both = [...early, ...late];
    const calls: number[][] = [];
    const res = await full.through(both, { model: MODEL, dims: 64 }, seededCompute(both, 64, calls));
    expect(calls).toEqual([[10, 11, 12, 13, 14, 15, 16, 17, 18, 19]]);
    res.vectors.forEach((v, i) => expect(v).toEqual(seededVector(both[i], 64)));
    await full.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ operation: 'write' });
    expect((errors[0].error as DOMException).name).toBe('QuotaExceededError');
    expect(events).toEqual(errors);
    // The failed write's vectors are still served from memory.
    await full.through(late, { model: MODEL, dims: 64 }, never);

    const after = new VectorCache({ namespace });
    await after.through(early, { model: MODEL, dims: 64 }, never);
    expect(await after.stats()).toMatchObject({ entries: 10, bytes: 10 * entryBytes(new Float32Array(64)) });
  });

  it('a write transaction that aborts halfway leaves no partial entry and the totals unchanged', async () => {
    const namespace = freshNamespace('abort');
    const [kept, torn] = [await keysFor('abort-kept', 4), await keysFor('abort-torn', 4)];
    await fill(new VectorCache({ namespace }), kept, 32);
    const errors: CacheErrorEvent[] = [];
    const crashing = new VectorCache({ namespace, store: abortingStore(realStore(namespace), 3), onError: (e) => errors.push(e) });
    await fill(crashing, torn, 32);
    expect(errors.map((e) => e.operation)).toEqual(['write']);
    const after = new VectorCache({ namespace });
    for (const key of torn) {
      expect(await get(`v:${key}`, realStore(namespace))).toBeUndefined();
      expect(await get(`m:${key}`, realStore(namespace))).toBeUndefined();
    }
    expect(await get('#totals', realStore(namespace))).toEqual({ entries: 4, bytes: 4 * entryBytes(new Float32Array(32)) });
    await after.through(kept, { model: MODEL, dims: 32 }, never);
  });

  it.each([
    ['IndexedDB unavailable', async () => unavailableStore],
    ['a closed connection', () => closedConnectionStore(freshNamespace('closed'))],
  ] as Array<[string, () => Promise<CacheStore>]>)('with %s, answers from memory and reports each failure', async (_, makeStore) => {
    const errors: CacheErrorEvent[] = [];
    const cache = new VectorCache({ store: await makeStore(), onError: (e) => errors.push(e) });
    const keys = await keysFor('nodb', 3);
    const calls: number[][] = [];
    await cache.through(keys, { model: MODEL, dims: 8 }, seededCompute(keys, 8, calls));
    await cache.flush();
    const again = await cache.through(keys, { model: MODEL, dims: 8 }, never);
    again.vectors.forEach((v, i) => expect(v).toEqual(seededVector(keys[i], 8)));
    expect(calls).toHaveLength(1);
    expect(errors.map((e) => e.operation)).toEqual(['read', 'write']);
    expect(await cache.stats()).toMatchObject({ entries: 3, hits: 3, misses: 3 });
  });

  it('evicts least recently used entries so the database stays under maxBytes', async () => {
    const namespace = freshNamespace('evict');
    const per = entryBytes(new Float32Array(64));
    const maxBytes = 20 * per;
    const cache = new VectorCache({ namespace, maxBytes, memoryBytes: 0 });
    const [a, b, c] = [await keysFor('evict-a', 10), await keysFor('evict-b', 10), await keysFor('evict-c', 10)];
    const tick = () => new Promise((r) => setTimeout(r, 5));
    await fill(cache, a, 64);
    await tick();
    await fill(cache, b, 64);
    await tick();
    await cache.through(a.slice(0, 5), { model: MODEL, dims: 64 }, never); // a[0..4] become the most recently used
    await cache.flush();
    await tick();
    await fill(cache, c, 64); // 30 entries > 20: evict down to 90% (18), oldest first, new ones last
    const stats = await cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
    expect(stats.entries).toBe(18);
    expect(await get('#totals', realStore(namespace))).toEqual({ entries: 18, bytes: 18 * per });
    const present = async (keys: string[]) =>
      (await Promise.all(keys.map((k) => get(`v:${k}`, realStore(namespace))))).map((v) => v !== undefined);
    expect(await present(a)).toEqual([...Array(5).fill(true), ...Array(5).fill(false)]);
    expect((await present(b)).filter(Boolean)).toHaveLength(3);
    expect(await present(c)).toEqual(Array(10).fill(true));
  });

  it('two writers of one origin storing the same keys at once end with valid entries and exact totals', async () => {
    // Two module Workers stand in for two tabs: each has its own VectorCache, IndexedDB connection and
    // event loop, so their readwrite transactions genuinely race with the page's own.
    const namespace = freshNamespace('tabs');
    const dims = 256;
    const keys = await keysFor('tabs', 120);
    const chunk = (order: string[]) => Array.from({ length: 12 }, (_, i) => order.slice(i * 10, i * 10 + 10));
    const orders = [keys, [...keys].reverse(), keys.slice(60).concat(keys.slice(0, 60))];
    const workers = [0, 1].map(() => new Worker(new URL('./cache-writer.worker.ts', import.meta.url), { type: 'module' }));
    await Promise.all(workers.map((w, i) => new Promise((resolve) => {
      w.onmessage = resolve;
      w.postMessage({ namespace, model: MODEL, dims, chunks: chunk(orders[i + 1]) });
    })));
    const done = workers.map((w) => new Promise<{ errors: string[] }>((resolve) => { w.onmessage = (e) => resolve(e.data); }));
    workers.forEach((w) => w.postMessage('go'));
    const page = new VectorCache({ namespace });
    for (const part of chunk(orders[0])) {
      await page.through(part, { model: MODEL, dims }, seededCompute(part, dims));
      await page.flush();
    }
    const results = await Promise.all(done);
    workers.forEach((w) => w.terminate());
    expect(results.flatMap((r) => r.errors)).toEqual([]);

    const check = new VectorCache({ namespace });
    const res = await check.through(keys, { model: MODEL, dims }, never);
    res.vectors.forEach((v, i) => expect(v).toEqual(seededVector(keys[i], dims)));
    expect(await check.stats()).toMatchObject({ entries: 120, bytes: 120 * entryBytes(new Float32Array(dims)) });
    expect(await get('#totals', realStore(namespace))).toEqual({ entries: 120, bytes: 120 * entryBytes(new Float32Array(dims)) });
  });

  it('export then import into a fresh namespace gives the same vectors, tokens and models', async () => {
    const source = new VectorCache({ namespace: freshNamespace('export') });
    const [k1, k2] = [await keysFor('export-1', 7), await keysFor('export-2', 5)];
    await fill(source, k1, 384, 'model/one');
    await fill(source, k2, 1024, 'model/two');
    const blob = await source.export();
    expect(blob.size).toBe(16 + 24 + 7 * (44 + 384 * 4) + 5 * (44 + 1024 * 4)); // header, table, entries
    const one = decodeEntries(await (await source.export({ model: 'model/one' })).arrayBuffer());
    expect(one.map((e) => e.key).sort()).toEqual([...k1].sort());

    const target = new VectorCache({ namespace: freshNamespace('import') });
    expect(await target.import(blob)).toEqual({ imported: 12, skipped: 0 });
    const r1 = await target.through(k1, { model: 'model/one', dims: 384 }, never);
    const r2 = await target.through(k2, { model: 'model/two', dims: 1024 }, never);
    r1.vectors.forEach((v, i) => expect(v).toEqual(seededVector(k1[i], 384)));
    r2.vectors.forEach((v, i) => expect(v).toEqual(seededVector(k2[i], 1024)));
    expect(r1.cachedTokens + r2.cachedTokens).toBe(36);
    expect(await target.stats()).toMatchObject({ entries: 12, byModel: { 'model/one': { entries: 7 }, 'model/two': { entries: 5 } } });
    await expect(target.import(new Uint8Array([1, 2, 3]))).rejects.toThrow(RangeError);
  });

  it('clear({ model }) removes one model from memory and disk; clear() removes everything', async () => {
    const namespace = freshNamespace('clear');
    const cache = new VectorCache({ namespace });
    const [k1, k2] = [await keysFor('clear-1', 3), await keysFor('clear-2', 4)];
    await fill(cache, k1, 16, 'model/one');
    await fill(cache, k2, 16, 'model/two');
    await cache.clear({ model: 'model/one' });
    const stats = await cache.stats();
    expect(stats).toMatchObject({ entries: 4, bytes: 4 * entryBytes(new Float32Array(16)) });
    expect(stats.byModel['model/one']).toMatchObject({ entries: 0, bytes: 0 });
    const calls: number[][] = [];
    await cache.through(k1, { model: 'model/one', dims: 16 }, seededCompute(k1, 16, calls));
    expect(calls).toHaveLength(1);
    await cache.through(k2, { model: 'model/two', dims: 16 }, never);
    await cache.clear();
    expect(await cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect((await get('#totals', realStore(namespace))) ?? { entries: 0, bytes: 0 }).toEqual({ entries: 0, bytes: 0 });
    expect(await get(`v:${k2[0]}`, realStore(namespace))).toBeUndefined(); // a later last-used update resurrects nothing
  });

  it('measures bytes per stored 384-d and 1024-d vector', async () => {
    const perVector: Record<number, { logical: number; onDisk: number }> = {};
    for (const dims of [384, 1024]) {
      const namespace = freshNamespace(`size-${dims}`);
      const cache = new VectorCache({ namespace });
      await fill(cache, await keysFor('warm', 1), dims); // the database's own fixed cost stays out of the figure
      const before = (await navigator.storage.estimate()).usage ?? 0;
      const keys = await keysFor(`size-${dims}`, 1000);
      await fill(cache, keys, dims);
      const after = (await navigator.storage.estimate()).usage ?? 0;
      perVector[dims] = { logical: entryBytes(new Float32Array(dims)), onDisk: Math.round((after - before) / 1000) };
      expect(perVector[dims].onDisk).toBeGreaterThan(0);
    }
    console.log(
      `[cache bytes] per stored vector: 384-d ${perVector[384].onDisk} B on disk (${perVector[384].logical} B counted, ` +
      `${384 * 4} B of float32), 1024-d ${perVector[1024].onDisk} B on disk (${perVector[1024].logical} B counted, ${1024 * 4} B of float32)`);
  });
});
