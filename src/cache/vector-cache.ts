/**
 * The durable vector cache: an in-memory LRU in front of an IndexedDB database of its own (`idb-tier.ts`,
 * record layout in `cache-records.ts`), reached through idb-keyval's `UseStore` so tests can inject a failing store.
 */

import { ITEMS_PER_TASK, yieldToPage } from '../page-yield.js';
import { isValidVector } from '../vector-math.js';
import { decodeEntries, encodeEntries, type ExportedEntry } from './cache-format.js';
import { CacheErrorEvent, type CacheModelStats, type CacheOperation, type CacheStats, type VectorCacheSettings } from './cache-options.js';
import { clearRecords, entryBytes, readMetas, readPage, writeRecords, type CacheEntry } from './cache-records.js';
import { IdbTier } from './idb-tier.js';
import { MemoryLru } from './memory-lru.js';

/** A computation of the missed inputs, in the order asked. */
export interface Computation {
  vectors: Float32Array[];
  tokens: number;
  tokenCounts: number[];
}

/** Vectors of all inputs in order: `tokens` were run, `cachedTokens` were answered from the cache. */
export interface CachedResult {
  vectors: Float32Array[];
  tokens: number;
  cachedTokens: number;
  hits: number;
}

interface Deferred { promise: Promise<CacheEntry>; resolve(e: CacheEntry): void; reject(e: unknown): void }

/** True when `v` is `dims` finite numbers (any width above 0 when `dims` is 0: a remote row of unknown width). */
const isComplete = (v: Float32Array, dims: number) => isValidVector(v, dims || v.length) && v.length > 0;

/** A vector that owns its buffer: IndexedDB (structured clone) would otherwise store a view's whole buffer. */
const compact = (v: Float32Array) => (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : v.slice());

function deferred(): Deferred {
  let resolve!: Deferred['resolve'], reject!: Deferred['reject'];
  const promise = new Promise<CacheEntry>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => undefined); // an unshared computation's failure is the caller's to handle
  return { promise, resolve, reject };
}

/** Split a request's token total over its inputs, in proportion to each text's or token array's length. */
export function apportionTokens(inputs: ReadonlyArray<unknown>, total: number): number[] {
  const weights = inputs.map((x) => (typeof x === 'string' || Array.isArray(x) ? Math.max(1, x.length) : 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((w * total) / sum));
  counts[0] += total - counts.reduce((a, b) => a + b, 0);
  return counts;
}

/**
 * A vector cache: memory LRU → IndexedDB → compute, each distinct miss once, also across concurrent callers.
 * Reads and writes are batched (one transaction each per request); a write never delays an answer, and
 * `flush()` awaits durability. Failures are reported as `error` events and to `onError`, never thrown.
 */
export class VectorCache extends EventTarget {
  readonly enabled: boolean;
  private readonly memory: MemoryLru;
  private readonly idb: IdbTier;
  private readonly inflight = new Map<string, Deferred>();
  private readonly counters = new Map<string, { hits: number; misses: number }>();

  constructor(private readonly settings: VectorCacheSettings = {}) {
    super();
    this.enabled = settings.enabled ?? true;
    this.memory = new MemoryLru(settings.memoryBytes ?? 32 * 2 ** 20);
    this.idb = new IdbTier(settings, this.enabled, (operation, error) => this.report(operation, error));
  }

  /**
   * @internal Answer `keys` (vectors `target.dims` wide; 0: any width) from memory, in-flight computations
   * or one IndexedDB read; `compute` gets the first position of each distinct miss. New valid vectors go to
   * memory at once and to IndexedDB in one write transaction that the answer does not wait for. A caller
   * sharing another's computation shares its failure too.
   */
  async through(keys: string[], target: { model: string; dims: number },
    compute: (positions: number[]) => Promise<Computation>): Promise<CachedResult> {
    // 1. Sort each distinct key into found (memory or pending write), shared (another caller computes it) or ours.
    const first = new Map<string, number>();
    keys.forEach((k, i) => { if (!first.has(k)) first.set(k, i); });
    const found = new Map<string, CacheEntry>();
    const shared = new Map<string, Promise<CacheEntry>>();
    const own = new Map<string, Deferred>();
    for (const key of first.keys()) {
      const hit = this.memory.get(key) ?? this.idb.pending(key);
      const running = this.inflight.get(key);
      if (hit) found.set(key, hit);
      else if (running) shared.set(key, running.promise);
      else { const d = deferred(); this.inflight.set(key, d); own.set(key, d); }
    }
    let tokens = 0;
    const computed = new Set<string>();
    try {
      // 2. One read transaction for all the rest.
      const stored = own.size ? await this.read([...own.keys()], target) : [];
      [...own.keys()].forEach((key, i) => {
        const e = stored[i];
        if (!e) return;
        found.set(key, e);
        this.memory.set(key, e);
        own.get(key)!.resolve(e);
      });
      // 3. Compute what is left, once, and keep each valid vector.
      const misses = [...own.keys()].filter((k) => !found.has(k));
      if (misses.length) {
        const c = await compute(misses.map((k) => first.get(k)!));
        tokens = c.tokens;
        const fresh: Array<[string, CacheEntry]> = [];
        for (const [j, key] of misses.entries()) {
          if (j && j % ITEMS_PER_TASK === 0) await yieldToPage(); // copies and checks of 512 vectors were a ~40 ms task
          const e: CacheEntry = { model: target.model, tokens: c.tokenCounts[j] ?? 0, vector: compact(c.vectors[j]) };
          found.set(key, e);
          computed.add(key);
          own.get(key)!.resolve(e);
          if (isComplete(e.vector, target.dims)) fresh.push([key, e]);
          else this.report('validate', new RangeError(`${target.model} gave a vector that is not ${target.dims || 'some'} finite numbers; not cached`));
        }
        this.put(fresh);
      }
      // 4. Inputs another request is computing right now.
      for (const [key, p] of shared) found.set(key, await p);
    } catch (err) {
      for (const d of own.values()) d.reject(err);
      throw err;
    } finally {
      for (const [key, d] of own) if (this.inflight.get(key) === d) this.inflight.delete(key);
    }
    // 5. Count hits (per distinct input) and the tokens they saved.
    let cachedTokens = 0, hits = 0;
    const c = this.counter(target.model);
    for (const [key, e] of found) {
      if (computed.has(key)) { c.misses++; continue; }
      c.hits++;
      hits++;
      cachedTokens += e.tokens;
      this.idb.touch(key);
    }
    return { vectors: keys.map((k) => found.get(k)!.vector), tokens, cachedTokens, hits };
  }

  /**
   * Resolve when every write so far (vectors and last-used times) has committed or been reported as failed:
   * committed vectors survive a reload or a crash (written `relaxed`: see `CacheOptions`).
   */
  flush(): Promise<void> {
    return this.idb.flush();
  }

  /** Return entries and bytes stored (by model, pending writes included) and this client's hits and misses. */
  async stats(): Promise<CacheStats> {
    await this.flush();
    const byModel: Record<string, CacheModelStats> = {};
    const row = (m: string) => (byModel[m] ??= { entries: 0, bytes: 0, hits: 0, misses: 0 });
    const metas = await this.idb.withStore('read', readMetas);
    if (metas) {
      for (const m of metas) { const r = row(m.model); r.entries++; r.bytes += m.bytes; }
    } else {
      for (const [, e] of this.memory.entries()) { const r = row(e.model); r.entries++; r.bytes += entryBytes(e.vector); }
    }
    for (const [m, c] of this.counters) Object.assign(row(m), c);
    const total: CacheStats = { entries: 0, bytes: 0, hits: 0, misses: 0, byModel, persisted: this.idb.persisted };
    for (const r of Object.values(byModel)) {
      total.entries += r.entries; total.bytes += r.bytes; total.hits += r.hits; total.misses += r.misses;
    }
    return total;
  }

  /** Delete every entry, or one model's, from memory and IndexedDB (e.g. at logout); rejects if IndexedDB fails. */
  async clear(filter: { model?: string } = {}): Promise<void> {
    const { model } = filter;
    for (const [k, e] of [...this.memory.entries()]) if (!model || e.model === model) this.memory.delete(k);
    this.idb.dropPending(model);
    await this.idb.enqueue('clear', (s) => clearRecords(s, model));
  }

  /** Return every stored vector (or one model's) in the binary format of `cache-format.ts`. */
  async export(filter: { model?: string } = {}): Promise<Blob> {
    await this.flush();
    const entries: ExportedEntry[] = [];
    const seen = new Set<string>();
    const keep = (key: string, e: CacheEntry) => {
      if (seen.has(key) || (filter.model && e.model !== filter.model)) return;
      seen.add(key);
      entries.push({ key, ...e });
    };
    await this.idb.withStore('export', async (s) => {
      // Pages of 512 entries, one short transaction each, so a large store never holds one open long.
      for (let after: string | undefined, page; (page = await readPage(s, after, 512)).length; after = page[page.length - 1][0]) {
        for (const [key, e] of page) keep(key, e);
      }
    });
    for (const [key, e] of this.memory.entries()) keep(key, e);
    return new Blob(encodeEntries(entries) as BlobPart[], { type: 'application/octet-stream' });
  }

  /**
   * Store an export's entries (Blob or bytes); return how many were imported and how many were invalid.
   * Written `strict`: once this resolves they are on disk. Rejects when the data is malformed, IndexedDB
   * fails, or the cache is off.
   */
  async import(data: Blob | ArrayBuffer | Uint8Array): Promise<{ imported: number; skipped: number }> {
    if (!this.enabled) throw new Error('The vector cache is off (cache: false): there is nowhere to import to.');
    const bytes = data instanceof Blob ? await data.arrayBuffer() : data;
    let skipped = 0;
    const valid: Array<[string, CacheEntry]> = [];
    for (const { key, ...e } of decodeEntries(bytes)) {
      if (isValidVector(e.vector, e.vector.length)) valid.push([key, e]);
      else skipped++;
    }
    for (let i = 0; i < valid.length; i += 1024) {
      const batch = new Map(valid.slice(i, i + 1024));
      await this.idb.enqueue('import', (s) => writeRecords(s, batch, new Map(), this.idb.maxBytes));
    }
    return { imported: valid.length, skipped };
  }

  /** Keep new entries in memory now and queue them for the next write transaction. */
  private put(entries: Array<[string, CacheEntry]>): void {
    if (!entries.length) return;
    for (const [key, e] of entries) this.memory.set(key, e);
    this.idb.put(entries);
  }

  /** Look keys up in one read transaction; an invalid or unreadable entry is a miss. */
  private async read(keys: string[], target: { model: string; dims: number }): Promise<Array<CacheEntry | undefined>> {
    const values = await this.idb.read(keys);
    return values.map((e: CacheEntry | undefined) =>
      e && e.model === target.model && e.vector instanceof Float32Array && typeof e.tokens === 'number' &&
        isComplete(e.vector, target.dims) ? e : undefined);
  }

  private counter(model: string) {
    let c = this.counters.get(model);
    if (!c) this.counters.set(model, (c = { hits: 0, misses: 0 }));
    return c;
  }

  private report(operation: CacheOperation, error: unknown): void {
    const event = new CacheErrorEvent(operation, error);
    this.dispatchEvent(event);
    try { this.settings.onError?.(event); } catch { /* a throwing callback must not fail the request */ }
  }
}
