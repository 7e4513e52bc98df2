/**
 * The vector cache's IndexedDB records. One object store holds three kinds, told apart by key prefix:
 * - `v:<key>` → `{ model, tokens, vector: Float32Array }`: the entry (binary, never a JSON array);
 * - `m:<key>` → `{ model, bytes, used }`: its bookkeeping, small, so eviction, `stats()` and
 *   `clear({ model })` scan these without reading any vector;
 * - `#totals` → `{ entries, bytes }`: kept exact inside every write transaction, so a write knows when the
 *   budget is exceeded without a scan. IndexedDB serializes overlapping readwrite transactions, across
 *   tabs too, so concurrent writers never lose an update and every entry is written whole or not at all.
 *
 * Each write transaction carries a `durability` hint by what it writes (`DURABILITY`). Whatever the hint,
 * a committed transaction survives a reload, a closed or crashed tab and a killed browser; the hint only
 * decides whether `complete` waits for the OS to put the data on disk (`strict`) or fires once the OS has
 * it (`relaxed`, a few seconds at risk of a power loss or an OS crash, and much cheaper).
 */

import { promisifyRequest as promise } from 'idb-keyval';
import type { DurableStore } from './cache-store.js';

/** One cached vector: the full-width unit vector and the tokens it took. */
export interface CacheEntry {
  model: string;
  tokens: number;
  vector: Float32Array;
}

interface Meta { model: string; bytes: number; used: number }
interface Totals { entries: number; bytes: number }
type CacheStore = DurableStore;

/**
 * The durability each kind of write asks for:
 * - `computed`: vectors the model worker computed, and last-used times: `relaxed`. One lost to a power
 *   loss is computed again on its next request, so it is not worth an fsync per write.
 * - `imported`: `import()`'s entries: `strict`. They may exist nowhere else (a server's export, another
 *   device's), so `import()` resolves only once they are on disk.
 * - `cleared`: `clear()`: `strict`, so vectors cleared at logout do not come back after a power loss.
 */
export const DURABILITY = { computed: 'relaxed', imported: 'strict', cleared: 'strict' } as const satisfies Record<string, IDBTransactionDurability>;

/** Keys, model id and bookkeeping record, roughly, on top of the vector's own bytes. */
const ENTRY_OVERHEAD = 160;
const META_RANGE = () => IDBKeyRange.bound('m:', 'm;', false, true);
const TOTALS = '#totals';

/** Bytes an entry counts against `maxBytes`. */
export const entryBytes = (vector: Float32Array) => vector.byteLength + ENTRY_OVERHEAD;

/** Read entries by key in one transaction (undefined where absent), `STEP` requests per task. */
export function readEntries(s: CacheStore, keys: string[]): Promise<Array<CacheEntry | undefined>> {
  return s('readonly', async (os) => {
    const requests: IDBRequest[] = [];
    const gets = keys.map((k) => () => {
      const r = os.get(`v:${k}`);
      requests.push(r);
      return r;
    });
    await transaction(os, () => inSteps(os, gets));
    return requests.map((r) => r.result as CacheEntry | undefined);
  });
}

/** Read every entry's bookkeeping (not its vector) in one transaction. */
export function readMetas(s: CacheStore): Promise<Meta[]> {
  return s('readonly', (os) => promise(os.getAll(META_RANGE())) as Promise<Meta[]>);
}

/** Read up to `count` entries in key order after `after`, in one short transaction. */
export async function readPage(s: CacheStore, after: string | undefined, count: number): Promise<Array<[string, CacheEntry]>> {
  const range = IDBKeyRange.bound(after ? `v:${after}` : 'v:', 'v;', after !== undefined, true);
  const [keys, values] = await s('readonly', (os) =>
    Promise.all([promise(os.getAllKeys(range, count)), promise(os.getAll(range, count))]));
  return keys.map((k, i) => [(k as string).slice(2), values[i] as CacheEntry]);
}

/** Delete every entry, or one model's, and recount the totals, in one `strict` transaction. */
export function clearRecords(s: CacheStore, model?: string): Promise<void> {
  return s('readwrite', (os) => transaction(os, () => {
    if (!model) return void os.clear();
    const keys = os.getAllKeys(META_RANGE());
    const metas = os.getAll(META_RANGE());
    metas.onsuccess = () => guard(os, () => {
      const totals: Totals = { entries: 0, bytes: 0 };
      (metas.result as Meta[]).forEach((m, i) => {
        const key = (keys.result[i] as string).slice(2);
        if (m.model === model) { os.delete(`v:${key}`); os.delete(`m:${key}`); }
        else { totals.entries++; totals.bytes += m.bytes; }
      });
      os.put(totals, TOTALS);
    });
  }), DURABILITY.cleared);
}

/** Run a request callback; a throw aborts the transaction (rejecting it) instead of escaping as a global error. */
function guard(os: IDBObjectStore, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    abortCauses.set(os.transaction, err);
    try { os.transaction.abort(); } catch { /* already finished */ }
  }
}

/** Why a transaction was aborted by our own code (an explicit `abort()` leaves `tx.error` null). */
const abortCauses = new WeakMap<IDBTransaction, unknown>();

/** Run `body` in `os`'s transaction; resolve on commit, reject on abort (a throw in `body` aborts it). */
function transaction(os: IDBObjectStore, body: () => void): Promise<void> {
  const tx = os.transaction;
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? abortCauses.get(tx) ?? new DOMException('The cache transaction was aborted', 'AbortError'));
    guard(os, body);
  });
}

/**
 * One readwrite transaction: read the totals and the touched metas, put the new entries and last-used
 * times, keep totals exact, and evict least recently used entries down to 90% of `maxBytes` when over it.
 * Callbacks (not awaits) keep every step inside the transaction. `durability` is `strict` unless the caller
 * says the entries can be computed again (`DURABILITY.computed`).
 */
export function writeRecords(s: CacheStore, puts: Map<string, CacheEntry>, touches: Map<string, number>, maxBytes: number,
  durability: IDBTransactionDurability = DURABILITY.imported): Promise<void> {
  return s('readwrite', (os) => transaction(os, () => {
    const now = Date.now();
    const keys = [...new Set([...puts.keys(), ...touches.keys()])];
    const metas = new Map<string, Meta | undefined>();
    let totals: Totals = { entries: 0, bytes: 0 };
    let left = keys.length + 1;
    const ready = () => { if (--left === 0) guard(os, apply); };
    const t = os.get(TOTALS);
    t.onsuccess = () => { totals = t.result ?? totals; ready(); };
    inSteps(os, keys.map((key) => () => {
      const r = os.get(`m:${key}`);
      r.onsuccess = () => { metas.set(key, r.result); ready(); };
      return r;
    }));
    const apply = () => {
      const ops: Array<() => IDBRequest> = [];
      for (const [key, e] of puts) {
        const bytes = entryBytes(e.vector);
        const old = metas.get(key);
        ops.push(() => os.put(e, `v:${key}`), () => os.put({ model: e.model, bytes, used: now } satisfies Meta, `m:${key}`));
        totals = { entries: totals.entries + (old ? 0 : 1), bytes: totals.bytes + bytes - (old?.bytes ?? 0) };
      }
      for (const [key, used] of touches) {
        const old = metas.get(key);
        if (old && !puts.has(key) && old.used < used) ops.push(() => os.put({ ...old, used }, `m:${key}`));
      }
      inSteps(os, ops, () => {
        if (totals.bytes > maxBytes) evict(os, maxBytes, new Set(puts.keys()));
        else os.put(totals, TOTALS);
      });
    };
  }), durability);
}

/**
 * Requests issued per step. Issuing a request costs the main thread about 0.1 ms (a `get`) to 0.25 ms (a
 * `put`, which clones its value): a thousand puts at once were one ~80 ms task, and 512 gets one of
 * ~55 ms (`npm run bench:trace`, 512 new vectors).
 */
const STEP = 64;

/**
 * Issue `ops` a step at a time, each step from the success callback of the previous step's last request:
 * the transaction stays active (so the write is still all or nothing) while the page runs other tasks.
 */
function inSteps(os: IDBObjectStore, ops: Array<() => IDBRequest>, done: () => void = () => {}): void {
  let at = 0;
  const step = () => guard(os, () => {
    let last: IDBRequest | undefined;
    for (const end = Math.min(at + STEP, ops.length); at < end; at++) last = ops[at]();
    if (!last || at >= ops.length) return done();
    // The next step starts once the last request of this one succeeded (after its own handler).
    const own = last.onsuccess;
    last.onsuccess = function (this: IDBRequest, ev: Event) { own?.call(this, ev); step(); };
  });
  step();
}

/** Delete the least recently used entries until the store is under 90% of `maxBytes` (new entries last), and recount totals. */
function evict(os: IDBObjectStore, maxBytes: number, fresh: Set<string>): void {
  const keys = os.getAllKeys(META_RANGE());
  const metas = os.getAll(META_RANGE());
  metas.onsuccess = () => guard(os, () => {
    const all = (metas.result as Meta[]).map((m, i) => ({ key: (keys.result[i] as string).slice(2), ...m }));
    all.sort((a, b) => Number(fresh.has(a.key)) - Number(fresh.has(b.key)) || a.used - b.used);
    let bytes = all.reduce((n, m) => n + m.bytes, 0);
    let entries = all.length;
    const target = maxBytes * 0.9;
    for (const m of all) {
      if (bytes <= target) break;
      os.delete(`v:${m.key}`);
      os.delete(`m:${m.key}`);
      bytes -= m.bytes;
      entries--;
    }
    os.put({ entries, bytes } satisfies Totals, TOTALS);
  });
}
