/**
 * cache/: the durable vector cache, memory LRU → IndexedDB → compute, and the keys it is addressed by.
 * Keys and the export format are pure (no DOM, tested in Node); storage goes through idb-keyval.
 * May import: idb-keyval, and the root's pure modules (`models`, `vector-math`, `page-yield`).
 */

export { cacheDatabaseName, CacheErrorEvent } from './cache-options.js';
export type { CacheModelStats, CacheOperation, CacheOptions, CacheStats, CacheStore } from './cache-options.js';
export { apportionTokens, VectorCache } from './vector-cache.js';
export type { Computation } from './vector-cache.js';
export { entryBytes } from './cache-records.js';
export type { CacheEntry } from './cache-records.js';
export { cacheKey, keyScope } from './cache-key.js';
export type { KeyRequest } from './cache-key.js';
export { decodeEntries, encodeEntries } from './cache-format.js';
export type { ExportedEntry } from './cache-format.js';
