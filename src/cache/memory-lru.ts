/** The vector cache's in-memory tier, in front of IndexedDB. */

import type { CacheEntry } from './cache-records.js';

/** A byte-bounded LRU: Map keeps insertion order, so the first key is the least recently used. */
export class MemoryLru {
  private readonly map = new Map<string, CacheEntry>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): CacheEntry | undefined {
    const e = this.map.get(key);
    if (e) { this.map.delete(key); this.map.set(key, e); }
    return e;
  }

  set(key: string, e: CacheEntry): void {
    this.delete(key);
    this.map.set(key, e);
    this.bytes += e.vector.byteLength;
    for (const [k, old] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= old.vector.byteLength;
    }
  }

  delete(key: string): void {
    const old = this.map.get(key);
    if (old) { this.map.delete(key); this.bytes -= old.vector.byteLength; }
  }

  entries(): IterableIterator<[string, CacheEntry]> {
    return this.map.entries();
  }
}
