/**
 * An in-memory hint of which keys the vector cache's IndexedDB store holds, so that a lookup knows a key
 * is new without waiting for a read (about 1.5 ms per lookup, `npm run bench`'s query parts) and the
 * computation can start at once. It is only a hint: a lookup still reads IndexedDB and a stored vector
 * still wins, so a stale index costs time (a wasted computation, or a read before computing), never a
 * different answer.
 *
 * Loaded once, a page of keys per short transaction; kept current across tabs and workers of the origin by
 * a BroadcastChannel per database: each cache announces the keys it stores and its clears. Keys deleted
 * elsewhere (eviction, another tab's `deleteDatabase`) stay in the index and cost a read, as without it.
 */

import type { CacheStore } from './cache-options.js';

/** Keys read per transaction while loading: about 130 KB each, a short task to deserialize. */
const PAGE = 2048;
/** After a failed load (IndexedDB unavailable), lookups go without the index this long before it is tried again. */
const RETRY_MS = 10_000;

/** What one cache tells the others of its database. */
type Announcement = { stored: string[] } | { cleared: true };

/** The BroadcastChannel every cache of database `dbName` shares its index news on. */
export const indexChannelName = (dbName: string) => `${dbName}#keys`;

/** A 30-bit hash of a key (a small integer in V8): 150,000 keys take ~5 MB in a Set, where the hex strings took ~17 MB. */
function slot(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 2;
}

/** Read up to `PAGE` stored keys after `after`, in key order, in one transaction. */
function readKeyPage(s: CacheStore, after: string | undefined): Promise<string[]> {
  const range = IDBKeyRange.bound(after ? `v:${after}` : 'v:', 'v;', after !== undefined, true);
  return s('readonly', (os) => new Promise<string[]>((resolve, reject) => {
    const r = os.getAllKeys(range, PAGE);
    r.onsuccess = () => resolve((r.result as string[]).map((k) => k.slice(2)));
    r.onerror = () => reject(r.error);
  }));
}

/** The keys an IndexedDB store holds, as far as this cache knows. */
export class KeyIndex {
  private readonly slots = new Set<number>();
  /** True once every stored key has been read since the last reset. */
  private complete = false;
  private loading: Promise<void> | undefined;
  private failedAt = -Infinity;
  /** Bumped by `reset`, so a load started before it stops. */
  private generation = 0;
  private readonly channel: BroadcastChannel | undefined;

  /**
   * `withStore` runs a read on the store (undefined when it failed, already reported); `channelName` names
   * the BroadcastChannel shared by every cache of the same database (none: this instance only).
   */
  constructor(
    private readonly withStore: <T>(op: (s: CacheStore) => Promise<T>) => Promise<T | undefined>,
    channelName?: string,
  ) {
    if (channelName && typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(channelName);
      (this.channel as { unref?: () => void }).unref?.(); // Node: an open channel must not keep the process alive
      this.channel.onmessage = ({ data }: MessageEvent<Announcement>) => {
        if ('stored' in data) this.note(data.stored);
        else if ('cleared' in data) this.reset();
      };
    }
  }

  /** True only when the index is complete and lacks `key`: then a lookup may compute while it reads. */
  lacks(key: string): boolean {
    if (!this.complete && performance.now() - this.failedAt > RETRY_MS) void this.load();
    return this.complete && !this.slots.has(slot(key));
  }

  /** Start loading the index once (later calls return the same load); a failed load leaves it incomplete. */
  load(): Promise<void> {
    return (this.loading ??= this.readAll(this.generation));
  }

  /** A read found `key` absent: drop it (a colliding key loses its hint too, which only costs it a read). */
  forget(key: string): void {
    this.slots.delete(slot(key));
  }

  /** Note keys this cache is storing, and tell the other caches of the database. */
  stored(keys: string[]): void {
    if (!keys.length) return;
    this.note(keys);
    this.announce({ stored: keys });
  }

  /** This cache cleared entries: forget every key, reload the index, and tell the other caches. */
  cleared(): void {
    this.reset();
    this.announce({ cleared: true });
  }

  /** Close the channel (a cache that is dropped must not keep the page's channel open). */
  close(): void {
    this.channel?.close();
  }

  private note(keys: string[]): void {
    for (const k of keys) this.slots.add(slot(k));
  }

  private reset(): void {
    this.generation++;
    this.slots.clear();
    this.complete = false;
    this.loading = undefined;
    void this.load();
  }

  private announce(message: Announcement): void {
    try { this.channel?.postMessage(message); } catch { /* a closed channel: the other caches only lose a hint */ }
  }

  private async readAll(generation: number): Promise<void> {
    for (let after: string | undefined; ;) {
      const page = await this.withStore((s) => readKeyPage(s, after));
      if (generation !== this.generation) return;
      if (!page) { this.loading = undefined; this.failedAt = performance.now(); return; } // failed (reported)
      this.note(page);
      if (page.length < PAGE) { this.complete = true; return; }
      after = page[page.length - 1];
    }
  }
}
