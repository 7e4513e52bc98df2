/** The vector cache's options, statistics and error event: what callers configure and observe. */

import type { UseStore } from 'idb-keyval';

/** An IndexedDB object store as idb-keyval hands it out (`createStore(db, store)`). */
export type CacheStore = UseStore;

/**
 * The `cache` client option.
 *
 * What a write promises depends on what it stores (IndexedDB's transaction `durability`):
 * - computed vectors (and last-used times) are written `relaxed`, batched, shortly after `create()`
 *   answers: before `cache.flush()` resolves each is whole or absent after a reload or crash; once it
 *   resolves they survive a reload, a crashed tab and a killed browser, and only a power loss or OS crash
 *   in the next seconds can lose them (they are computed again on their next request);
 * - `cache.import()` writes `strict`: once it resolves the entries are on disk, as they may exist nowhere else;
 * - `cache.clear()` is `strict` too, so cleared vectors do not come back after a power loss.
 * A custom `store` decides its own durability (idb-keyval's `createStore` uses the browser's default).
 */
export interface CacheOptions {
  /** Most bytes kept in IndexedDB (vectors plus 160 bytes of keys and bookkeeping each). Default 256 MiB. */
  maxBytes?: number;
  /** Most bytes of vectors kept in memory in front of IndexedDB. Default 32 MiB. */
  memoryBytes?: number;
  /** Ask the browser, on the first write, to keep this origin's storage under pressure (`navigator.storage.persist()`). */
  persist?: boolean;
  /** The store to use instead of `createStore('inpage-embeddings-v1[:<namespace>]', 'vectors')`, opened lazily. */
  store?: CacheStore;
}

/** Counts for one model; `hits` and `misses` are this client's, per distinct input of each request. */
export interface CacheModelStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
}

/** What `client.cache.stats()` returns: entries and bytes in storage, hits and misses since the client started. */
export interface CacheStats extends CacheModelStats {
  byModel: Record<string, CacheModelStats>;
  /** `true` once `navigator.storage.persist()` granted persistence; `undefined` when not asked. */
  persisted?: boolean;
}

/** What failed: the request still succeeded, served from memory or computed. */
export type CacheOperation = 'open' | 'read' | 'write' | 'validate' | 'clear' | 'export' | 'import' | 'persist';

/** Dispatched as `error` on `client.cache` and passed to `onCacheError`. */
export class CacheErrorEvent extends Event {
  constructor(readonly operation: CacheOperation, readonly error: unknown) {
    super('error');
  }
}

/** Settings resolved from the client's options. */
export interface VectorCacheSettings extends CacheOptions {
  enabled?: boolean;
  namespace?: string;
  onError?: (event: CacheErrorEvent) => void;
}

/** The database name: version 1 of the layout, one database per namespace. */
export const cacheDatabaseName = (namespace?: string) => `inpage-embeddings-v1${namespace ? `:${namespace}` : ''}`;
