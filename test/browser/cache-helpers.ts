/** Helpers for the vector-cache tests: deterministic vectors, unique namespaces, stores that fail. */

import { createStore } from 'idb-keyval';
import { cacheDatabaseName, type CacheStore, type Computation, type VectorCache } from '../../src/cache/index.js';

/** A fresh namespace, so each test has a database of its own. */
export const freshNamespace = (label: string) => `test-${label}-${crypto.randomUUID()}`;

/** The real store a VectorCache of `namespace` opens by default. */
export const realStore = (namespace: string): CacheStore => createStore(cacheDatabaseName(namespace), 'vectors');

/** A unit vector of `dims` drawn from a PRNG seeded by `seed` (same seed, same vector, in any thread). */
export function seededVector(seed: string, dims: number): Float32Array {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) ^ Math.imul(h ^ (h >>> 13), 3266489909);
    v[i] = ((h >>> 0) / 2 ** 32) * 2 - 1;
    norm += v[i] * v[i];
  }
  for (let i = 0; i < dims; i++) v[i] /= Math.sqrt(norm);
  return v;
}

/** 64-hex-digit keys, as `cache-key.ts` makes them, derived from a label. */
export async function keysFor(label: string, n: number): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, async (_, i) => {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${label}/${i}`));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }));
}

/** A compute step that makes each key's seeded vector (one token per input) and records what it was asked. */
export function seededCompute(keys: string[], dims: number, calls: number[][] = []) {
  return async (positions: number[]): Promise<Computation> => {
    calls.push(positions);
    return {
      vectors: positions.map((i) => seededVector(keys[i], dims)),
      tokens: positions.length * 3,
      tokenCounts: positions.map(() => 3),
    };
  };
}

/** Put `keys` through `cache` for `model` and wait until they are durable. */
export async function fill(cache: VectorCache, keys: string[], dims: number, model = 'test/model'): Promise<void> {
  await cache.through(keys, { model, dims }, seededCompute(keys, dims));
  await cache.flush();
}

/** A store whose every write fails with QuotaExceededError (reads reach the real database). */
export function quotaExceededStore(real: CacheStore): CacheStore {
  return (mode, callback) => mode === 'readwrite'
    ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
    : real(mode, callback);
}

/** A store whose write transactions abort after `afterPuts` puts: a crash in the middle of a write. */
export function abortingStore(real: CacheStore, afterPuts: number): CacheStore {
  return (mode, callback) => real(mode, (os) => {
    if (mode === 'readwrite') {
      const put = os.put.bind(os);
      let n = 0;
      os.put = (value: unknown, key?: IDBValidKey) => {
        const req = put(value, key);
        if (++n === afterPuts) os.transaction.abort();
        return req;
      };
    }
    return callback(os);
  });
}

/** A store over a connection that has been closed (as browsers do on storage pressure or a version change). */
export async function closedConnectionStore(namespace: string): Promise<CacheStore> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(cacheDatabaseName(namespace));
    req.onupgradeneeded = () => req.result.createObjectStore('vectors');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  db.close();
  return async (mode, callback) => callback(db.transaction('vectors', mode).objectStore('vectors'));
}

/** A store that cannot even open (IndexedDB unavailable, as in some private modes). */
export const unavailableStore: CacheStore = () => {
  throw new DOMException('IndexedDB is not available in this context.', 'InvalidStateError');
};
