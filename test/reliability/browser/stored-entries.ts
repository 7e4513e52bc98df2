/**
 * Reading the vector cache's IndexedDB database directly, as a fault test's final check: every vector a
 * resolved `create()` returned is stored whole under its key, and no partial or wrong record exists.
 */

import { expect } from 'vitest';
import { buildCatalogue } from '../../../src/client-options.js';
import { cacheDatabaseName, cacheKey, CATALOGUE, keyScope, type CacheEntry } from '../../../src/index.js';
import { tinyRows } from '../../browser/tiny-models.js';

export interface StoreAudit {
  /** `v:` entries by key (without the prefix). */
  entries: Map<string, CacheEntry>;
  /** Everything inconsistent: a vector without bookkeeping or the reverse, bad values, totals that disagree. */
  problems: string[];
}

const idb = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

/** Read every record of `namespace`'s database and check each against the others. */
export async function auditStore(namespace: string, dims: number): Promise<StoreAudit> {
  // A connection of its own, closed after: a lingering one would block other tabs' upgrades and deletes.
  const db = await idb(indexedDB.open(cacheDatabaseName(namespace)));
  const [keys, values] = db.objectStoreNames.contains('vectors')
    ? await (() => { const os = db.transaction('vectors', 'readonly').objectStore('vectors'); return Promise.all([idb(os.getAllKeys()), idb(os.getAll())]); })()
    : [[], []];
  db.close();
  const entries = new Map<string, CacheEntry>();
  const metas = new Map<string, { model: string; bytes: number; used: number }>();
  let totals: { entries: number; bytes: number } | undefined;
  const problems: string[] = [];
  keys.forEach((k, i) => {
    const key = String(k);
    if (key === '#totals') totals = values[i] as typeof totals;
    else if (key.startsWith('v:')) entries.set(key.slice(2), values[i] as CacheEntry);
    else if (key.startsWith('m:')) metas.set(key.slice(2), values[i] as { model: string; bytes: number; used: number });
    else problems.push(`unknown record ${key}`);
  });
  for (const [key, e] of entries) {
    const v = e?.vector;
    if (!(v instanceof Float32Array) || v.length !== dims) { problems.push(`${key}: vector ${v?.length} wide, not ${dims}`); continue; }
    let norm = 0;
    for (const x of v) norm += x * x;
    if (!v.every(Number.isFinite) || Math.abs(Math.sqrt(norm) - 1) > 1e-3) problems.push(`${key}: not a finite unit vector`);
    if (typeof e.model !== 'string' || typeof e.tokens !== 'number') problems.push(`${key}: model or tokens missing`);
    if (!metas.has(key)) problems.push(`${key}: no bookkeeping`);
  }
  for (const key of metas.keys()) if (!entries.has(key)) problems.push(`${key}: bookkeeping without a vector`);
  if (entries.size && (!totals || totals.entries !== entries.size)) problems.push(`totals ${JSON.stringify(totals)} for ${entries.size} entries`);
  return { entries, problems };
}

/** The cache keys `texts` get for a tiny local model (raw input_type, WASM). */
export async function keysOf(model: string, texts: string[]): Promise<string[]> {
  const row = buildCatalogue(CATALOGUE, await tinyRows()).get(model)!;
  const scope = keyScope(row, { device: 'wasm' });
  return Promise.all(texts.map((t) => cacheKey(scope, t)));
}

/**
 * Assert that the store holds exactly the vectors of `answered` (texts and the vectors a resolved
 * `create()` returned for them), bit for bit, and nothing else.
 */
export async function expectStoredExactly(namespace: string, model: string, dims: number,
  answered: Array<{ texts: string[]; vectors: ArrayLike<number>[] }>): Promise<void> {
  const audit = await auditStore(namespace, dims);
  expect(audit.problems).toEqual([]);
  const want = new Map<string, ArrayLike<number>>();
  for (const { texts, vectors } of answered) {
    const keys = await keysOf(model, texts);
    keys.forEach((k, i) => want.set(k, vectors[i]));
  }
  expect([...audit.entries.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [key, vector] of want) {
    expect(Array.from(audit.entries.get(key)!.vector), `stored vector ${key}`).toEqual(Array.from(Float32Array.from(vector)));
  }
}
