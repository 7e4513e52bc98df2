/**
 * The vector cache's IndexedDB tier: opens the store lazily, reads in one transaction per lookup, and
 * batches writes (new vectors and last-used times) into one transaction at a time on a single chain.
 * Failures go to `report`; only the management calls (`enqueue`) also rethrow them.
 */

import { DURABILITY, readEntries, writeRecords, type CacheEntry } from './cache-records.js';
import { connectStore, isOpenFailure } from './cache-store.js';
import { cacheDatabaseName, type CacheOperation, type CacheStore, type VectorCacheSettings } from './cache-options.js';

const TOUCH_DELAY_MS = 2000;
/**
 * New vectors wait this long before their write transaction starts. A readonly lookup queues behind any
 * readwrite transaction of the store, so writing at once made each request of a one-at-a-time stream wait
 * for the previous one's commit (`npm run bench`, workload 2).
 */
const WRITE_DELAY_MS = 25;

/** One IndexedDB store behind the memory LRU, with its queue of pending writes. */
export class IdbTier {
  /** `true` once `navigator.storage.persist()` granted persistence; `undefined` when not asked. */
  persisted: boolean | undefined;
  readonly maxBytes: number;
  private readonly pendingPuts = new Map<string, CacheEntry>();
  private readonly pendingTouches = new Map<string, number>();
  private store: CacheStore | null | undefined;
  private chain: Promise<void> = Promise.resolve();
  private writeScheduled = false;
  private writeTimer: ReturnType<typeof setTimeout> | undefined;
  private touchTimer: ReturnType<typeof setTimeout> | undefined;
  private persistAsked = false;
  /** Failures reported and not yet followed by a success of their operation, as `operation:ErrorName`. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly settings: VectorCacheSettings,
    private readonly enabled: boolean,
    private readonly report: (operation: CacheOperation, error: unknown) => void,
  ) {
    this.maxBytes = settings.maxBytes ?? 256 * 2 ** 20;
  }

  /** An entry waiting for its write transaction. */
  pending(key: string): CacheEntry | undefined {
    return this.pendingPuts.get(key);
  }

  /** Forget pending entries, all or one model's (they were cleared). */
  dropPending(model?: string): void {
    for (const [k, e] of [...this.pendingPuts]) if (!model || e.model === model) this.pendingPuts.delete(k);
  }

  /** Look keys up in one read transaction; `undefined` where absent or when IndexedDB failed (reported). */
  async read(keys: string[]): Promise<Array<CacheEntry | undefined>> {
    return (await this.withStore('read', (s) => readEntries(s, keys))) ?? [];
  }

  /** Queue new entries for the next write transaction. */
  put(entries: Array<[string, CacheEntry]>): void {
    for (const [key, e] of entries) this.pendingPuts.set(key, e);
    if (this.writeTimer !== undefined) return;
    this.writeTimer = setTimeout(this.writeNow, WRITE_DELAY_MS);
    // A page being closed starts the write at once rather than drop the delay's vectors.
    globalThis.addEventListener?.('pagehide', this.writeNow);
  }

  /** Note a read; last-used times reach IndexedDB with the next write, or after a short delay. */
  touch(key: string): void {
    this.pendingTouches.set(key, Date.now());
    if (this.touchTimer === undefined && !this.writeScheduled) {
      this.touchTimer = setTimeout(() => { this.touchTimer = undefined; this.scheduleWrite(); }, TOUCH_DELAY_MS);
    }
  }

  /** Resolve when every write so far (vectors and last-used times) has committed or been reported as failed. */
  async flush(): Promise<void> {
    if (this.pendingTouches.size || this.pendingPuts.size) this.scheduleWrite();
    await this.chain;
  }

  /** Run `op` after earlier writes, one at a time; its failure is reported, and rethrown to this caller. */
  enqueue(operation: CacheOperation, op: (s: CacheStore) => Promise<unknown>): Promise<void> {
    const run = this.chain.then(() => this.withStore(operation, op, true));
    this.chain = run.then(() => undefined, () => undefined);
    return run.then(() => undefined);
  }

  /** Call `op` with the store; a failure is reported, then gives `undefined` (or is rethrown). */
  async withStore<T>(operation: CacheOperation, op: (s: CacheStore) => Promise<T>, rethrow = false): Promise<T | undefined> {
    const store = this.openStore();
    if (!store) return undefined;
    try {
      const result = await op(store);
      for (const kind of this.failing) if (kind.startsWith(`${operation}:`) || kind.startsWith('open:')) this.failing.delete(kind);
      return result;
    } catch (err) {
      this.reportOnce(isOpenFailure(err) ? 'open' : operation, err);
      if (rethrow) throw err;
      return undefined;
    }
  }

  /**
   * Report a failure once: the same operation failing the same way again (every write over quota, every
   * read while IndexedDB is unavailable) is not reported again until that operation succeeds again.
   */
  private reportOnce(operation: CacheOperation, error: unknown): void {
    const kind = `${operation}:${error instanceof Error ? error.name : typeof error}`;
    if (this.failing.has(kind)) return;
    this.failing.add(kind);
    this.report(operation, error);
  }

  private readonly writeNow = () => this.scheduleWrite();

  /** Queue one write of everything pending; entries added before it starts join it. */
  private scheduleWrite(): void {
    clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    globalThis.removeEventListener?.('pagehide', this.writeNow);
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    this.chain = this.chain.then(async () => {
      this.writeScheduled = false;
      const puts = new Map(this.pendingPuts);
      const touches = new Map(this.pendingTouches);
      this.pendingPuts.clear();
      this.pendingTouches.clear();
      if (!puts.size && !touches.size) return;
      if (puts.size) this.askPersist();
      await this.withStore('write', (s) => writeRecords(s, puts, touches, this.maxBytes, DURABILITY.computed));
    });
  }

  private askPersist(): void {
    if (!this.settings.persist || this.persistAsked) return;
    this.persistAsked = true;
    const storage = globalThis.navigator?.storage;
    if (!storage?.persist) return this.report('persist', new Error('navigator.storage.persist() is not available'));
    storage.persist().then((granted) => { this.persisted = granted; }, (err) => this.report('persist', err));
  }

  private openStore(): CacheStore | null {
    if (this.store !== undefined) return this.store;
    if (!this.enabled) return (this.store = null); // `cache: false` never touches IndexedDB
    if (this.settings.store) return (this.store = this.settings.store);
    if (typeof indexedDB === 'undefined') {
      this.report('open', new Error('IndexedDB is not available here; vectors are cached in memory only'));
      return (this.store = null);
    }
    return (this.store = connectStore(cacheDatabaseName(this.settings.namespace), 'vectors'));
  }
}
