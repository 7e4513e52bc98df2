/**
 * Two tabs of one origin on one cache for 30 s: each runs two loops of `create()` on texts drawn from one
 * shared pool, with `clear()`, export-then-import and `flush()` now and then, under a `maxBytes` that holds
 * a third of the pool (so writes evict all the time) and a small memory tier (so lookups go to IndexedDB),
 * and audits the whole database every 2 s. Afterwards: no uncaught error and no `onCacheError`, every
 * audit clean (each entry whole, its bookkeeping and the totals exact), the budget kept, every stored
 * vector one that a `create()` returned for its key, and both tabs still give the right vectors.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwHarness, type SwHarness } from '../../e2e/sw-harness.js';
import { maxDiff, openCachePage, vectorOf } from './cache-harness.js';

const RUN_MS = 30_000;
const POOL = 240;
/** What one entry of the tiny model counts against maxBytes: its float32s and 160 bytes of keys and bookkeeping. */
const entryBytes = (dims: number) => dims * 4 + 160;

let h: SwHarness;
beforeAll(async () => { h = await startSwHarness(); });
afterAll(async () => { await h?.close(); });

describe('two tabs of one origin writing, evicting and clearing one cache', () => {
  it(`for ${RUN_MS / 1000} s: no error, no torn or inconsistent record, the budget kept, the right vectors`, async () => {
    const pool = Array.from({ length: POOL }, (_, i) => `shared text ${i}${' with more words'.repeat(i % 11)}`);
    const maxBytes = entryBytes(h.dims) * (POOL / 3);
    const query = { ns: `two-tabs-${Date.now()}`, maxBytes, memoryBytes: h.dims * 4 * 16 };
    const errors: string[] = [];
    const context = await h.browser.newContext();
    const tabs = [await openCachePage(h, context, query, errors), await openCachePage(h, context, query, errors)];

    // Reference vectors, computed without the cache (which also starts each tab's model worker before the run).
    const [reference] = await Promise.all(tabs.map((tab) => tab.evaluate((t) => window.cachePage.vectors(t, false), pool)));
    const keys = await tabs[0].evaluate((t) => window.cachePage.keys(t), pool);
    const refByKey = new Map(keys.map((k, i) => [k, reference[i]]));

    const reports = await Promise.all(tabs.map((tab, i) => tab.evaluate(({ ms, seed, pool }) => window.cachePage.stress(ms, seed, pool), { ms: RUN_MS, seed: 14 + i, pool })));
    for (const tab of tabs) await tab.evaluate(() => window.cachePage.flush());
    const audit = await tabs[1].evaluate(() => window.cachePage.audit());
    const stats = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.cachePage.stats())));
    const figures = reports.map((r) => `${r.creates} creates (${r.texts} texts), ${r.clears} clears, ${r.imports} export+imports, ${r.flushes} flushes, ${r.audits} audits`);
    console.log(`[two-tabs] ${figures.join(' | ')}; at the end ${audit.totals?.entries ?? 0} entries, ${audit.totals?.bytes ?? 0} of ${maxBytes} bytes; most seen ${Math.max(...reports.map((r) => r.maxStoredBytes))}`);

    expect(errors).toEqual([]);
    for (const tab of tabs) expect(await tab.evaluate(() => window.cachePage.cacheErrors)).toEqual([]);
    expect(reports.flatMap((r) => r.problems)).toEqual([]);
    expect(audit.problems).toEqual([]);
    // Both tabs really wrote, cleared, exported and imported, and the audits ran.
    for (const r of reports) {
      expect(r.creates).toBeGreaterThan(20);
      expect(r.clears + r.imports).toBeGreaterThan(0);
      expect(r.audits).toBeGreaterThan(5);
    }
    // The budget held in every committed state an audit saw, and eviction had work to do.
    expect(Math.max(...reports.map((r) => r.maxStoredBytes))).toBeLessThanOrEqual(maxBytes);
    const returned = new Set(reports.flatMap((r) => Object.keys(r.returned)));
    expect(returned.size * entryBytes(h.dims)).toBeGreaterThan(maxBytes);
    // Each stored vector is one a create() returned for its key, and the right one.
    for (const [key, print] of Object.entries(audit.entries)) {
      expect(refByKey.has(key), `${key} is a pool text's key`).toBe(true);
      expect(reports.some((r) => r.returned[key]?.includes(print)), `${key} stored as some create() returned it`).toBe(true);
      expect(maxDiff(vectorOf(print), refByKey.get(key)!), key).toBeLessThan(1e-5);
    }
    // Both tabs' stats() agree with the database.
    for (const s of stats) expect(s).toEqual({ entries: Object.keys(audit.entries).length, bytes: audit.totals?.bytes ?? 0 });
    // And both tabs still answer right: the whole pool, from cache, memory or computed.
    for (const tab of tabs) {
      const got = await tab.evaluate((t) => window.cachePage.vectors(t, true), pool);
      const worst = Math.max(...got.map((v, i) => maxDiff(v, reference[i])));
      expect(worst).toBeLessThan(1e-5);
    }
    expect(await tabs[0].evaluate(() => window.cachePage.audit().then((a) => a.problems))).toEqual([]);
    await context.close();
  }, 420_000); // 30 s of load, plus two fresh model workers and the checks: ~1 min quiet, several on a loaded machine
});
