/**
 * IndexedDB failing under the vector cache: writes over quota, the connection closed by another tab's
 * `versionchange`, and an open blocked behind another tab's upgrade (the last two for real). Requests still succeed from memory, each failure is reported
 * once, and what IndexedDB holds afterwards is whole.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { cacheDatabaseName, VectorCache, type CacheErrorEvent, type InPageEmbeddings } from '../../../src/index.js';
import { freshNamespace, keysFor, quotaExceededStore, realStore, seededCompute, seededVector } from '../../browser/cache-helpers.js';
import { FAMILIES, tinyClient } from '../../browser/tiny-models.js';
import { auditStore, expectStoredExactly } from './stored-entries.js';

const DIMS = 32;
const clients: InPageEmbeddings[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.dispose();
});

const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

describe('IndexedDB quota exceeded', () => {
  // CDP's Storage.overrideQuotaForOrigin enforced a quota from a Node-driven page (measured), but not from
  // vitest's browser-mode frame; so the writes go to the real database through a store whose readwrite
  // transactions reject with the browser's QuotaExceededError, as they do over quota.
  it('requests succeed from memory, the failure is reported once, stored entries stay whole', async () => {
    const namespace = freshNamespace('quota');
    const errors: CacheErrorEvent[] = [];
    const first = Array.from({ length: 20 }, (_, i) => `stored before the quota ${i}`);
    const filler = await tinyClient({ cacheNamespace: namespace });
    clients.push(filler);
    const kept = await filler.embeddings.create({ model: FAMILIES.bert.id, input: first });
    await filler.cache.flush();
    const client = await tinyClient({ cacheNamespace: namespace, cache: { store: quotaExceededStore(realStore(namespace)) }, onCacheError: (e) => errors.push(e) });
    clients.push(client);
    const answered = [];
    for (let round = 0; round < 3; round++) {
      const texts = Array.from({ length: 100 }, (_, i) => `over the quota ${round} ${i} ${'pad '.repeat(i % 9)}`);
      const res = await client.embeddings.create({ model: FAMILIES.bert.id, input: texts });
      expect(res.data).toHaveLength(100);
      await client.cache.flush();
      answered.push({ texts, res });
    }
    // From memory: the same texts again are hits, nothing computed; the stored ones come from IndexedDB.
    const again = await client.embeddings.create({ model: FAMILIES.bert.id, input: [...answered[2].texts, ...first] });
    expect(again.usage.prompt_tokens).toBe(0);
    expect(errors.map((e) => [e.operation, (e.error as Error).name])).toEqual([['write', 'QuotaExceededError']]);
    const dims = kept.data[0].embedding.length;
    await expectStoredExactly(namespace, FAMILIES.bert.id, dims, [{ texts: first, vectors: kept.data.map((d) => d.embedding as number[]) }]);
  });
});

describe('another tab upgrades or deletes the database', () => {
  it('the cache closes its connection at once, keeps answering, and reopens on the next write', async () => {
    const namespace = freshNamespace('versionchange');
    const errors: CacheErrorEvent[] = [];
    const cache = new VectorCache({ namespace, onError: (e) => errors.push(e) });
    const keys = await keysFor('versionchange', 60);
    await cache.through(keys.slice(0, 20), { model: 'm', dims: DIMS }, seededCompute(keys, DIMS));
    await cache.flush();

    // "Another tab": a second connection asks for version 2; it is not blocked because ours closes.
    const upgrade = indexedDB.open(cacheDatabaseName(namespace), 2);
    let blocked = false;
    upgrade.onblocked = () => { blocked = true; };
    const other = await request(upgrade);
    expect(blocked).toBe(false);
    other.close();

    const res = await cache.through(keys.slice(20), { model: 'm', dims: DIMS }, seededCompute(keys.slice(20), DIMS));
    expect(res.vectors).toHaveLength(40);
    await cache.flush();
    expect(errors).toEqual([]);
    const audit = await auditStore(namespace, DIMS);
    expect(audit.problems).toEqual([]);
    expect(audit.entries.size).toBe(60);
    for (const [i, key] of keys.entries()) expect(audit.entries.get(key)?.vector).toEqual(seededVector(i < 20 ? key : keys.slice(20)[i - 20], DIMS));

    // Deleted by another tab: the next write recreates it.
    await request(indexedDB.deleteDatabase(cacheDatabaseName(namespace)) as IDBRequest<unknown>);
    const more = await keysFor('after-delete', 5);
    await cache.through(more, { model: 'm', dims: DIMS }, seededCompute(more, DIMS));
    await cache.flush();
    expect(errors).toEqual([]);
    expect((await auditStore(namespace, DIMS)).entries.size).toBe(5);
  });
});

describe('IndexedDB unavailable: the open stays blocked', () => {
  it('requests succeed from memory without waiting on it, and the failure is reported once', async () => {
    const namespace = freshNamespace('blocked');
    const name = cacheDatabaseName(namespace);
    // Another tab holds version 1 open and ignores versionchange; a third one's upgrade to 2 waits behind it.
    const holder = await request(indexedDB.open(name, 1));
    holder.onversionchange = () => undefined;
    const upgrade = indexedDB.open(name, 2);
    upgrade.onupgradeneeded = () => upgrade.result.createObjectStore('vectors');
    const errors: CacheErrorEvent[] = [];
    const cache = new VectorCache({ namespace, onError: (e) => errors.push(e) });
    const keys = await keysFor('blocked', 30);
    const started = performance.now();
    for (let i = 0; i < 3; i++) {
      const res = await cache.through(keys.slice(i * 10, i * 10 + 10), { model: 'm', dims: DIMS }, seededCompute(keys.slice(i * 10), DIMS));
      expect(res.vectors).toHaveLength(10);
      await cache.flush();
    }
    // One open timed out (2 s); later operations fail at once instead of waiting again.
    expect(performance.now() - started).toBeLessThan(6000);
    const again = await cache.through(keys.slice(0, 10), { model: 'm', dims: DIMS }, () => { throw new Error('computed again'); });
    expect(again.hits).toBe(10);
    expect(errors.map((e) => [e.operation, (e.error as Error).name])).toEqual([['open', 'TimeoutError']]);
    holder.close();
    (await request(upgrade)).close();
  });
});
