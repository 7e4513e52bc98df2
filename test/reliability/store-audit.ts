/**
 * Reading the vector cache's IndexedDB database directly and checking every record against the others
 * (layout: src/cache/cache-records.ts). Plain browser code, no test runner: the browser-mode tests use it
 * through stored-entries.ts, and the Node-driven pages (e2e/cache-page) call it in the page.
 */

import { cacheDatabaseName, entryBytes, type CacheEntry } from '../../src/cache/index.js';

export interface StoreAudit {
  /** `v:` entries by key (without the prefix). */
  entries: Map<string, CacheEntry>;
  /** Everything inconsistent: a vector without bookkeeping or the reverse, bad values, totals that disagree. */
  problems: string[];
  /** The `#totals` record, if any. */
  totals?: { entries: number; bytes: number };
}

interface Meta { model: string; bytes: number; used: number }

const idb = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

/** Read every record of `namespace`'s database in one transaction (a consistent snapshot) and check each against the others. */
export async function auditStore(namespace: string, dims: number): Promise<StoreAudit> {
  // A connection of its own, closed after: a lingering one would block other tabs' upgrades and deletes.
  const db = await idb(indexedDB.open(cacheDatabaseName(namespace)));
  let keys: IDBValidKey[] = [], values: unknown[] = [];
  try {
    if (db.objectStoreNames.contains('vectors')) {
      const os = db.transaction('vectors', 'readonly').objectStore('vectors');
      [keys, values] = await Promise.all([idb(os.getAllKeys()), idb(os.getAll())]);
    }
  } finally {
    db.close();
  }
  const entries = new Map<string, CacheEntry>();
  const metas = new Map<string, Meta>();
  let totals: StoreAudit['totals'];
  const problems: string[] = [];
  keys.forEach((k, i) => {
    const key = String(k);
    if (key === '#totals') totals = values[i] as StoreAudit['totals'];
    else if (key.startsWith('v:')) entries.set(key.slice(2), values[i] as CacheEntry);
    else if (key.startsWith('m:')) metas.set(key.slice(2), values[i] as Meta);
    else problems.push(`unknown record ${key}`);
  });
  let bytes = 0;
  for (const [key, e] of entries) {
    const v = e?.vector;
    if (!(v instanceof Float32Array) || v.length !== dims) { problems.push(`${key}: vector ${v?.length} wide, not ${dims}`); continue; }
    let norm = 0;
    for (const x of v) norm += x * x;
    if (!v.every(Number.isFinite) || Math.abs(Math.sqrt(norm) - 1) > 1e-3) problems.push(`${key}: not a finite unit vector`);
    if (typeof e.model !== 'string' || typeof e.tokens !== 'number') problems.push(`${key}: model or tokens missing`);
    const m = metas.get(key);
    if (!m) { problems.push(`${key}: no bookkeeping`); continue; }
    if (m.model !== e.model) problems.push(`${key}: bookkeeping says model ${m.model}, the entry ${e.model}`);
    if (m.bytes !== entryBytes(v)) problems.push(`${key}: bookkeeping counts ${m.bytes} bytes, the entry takes ${entryBytes(v)}`);
    if (!Number.isFinite(m.used)) problems.push(`${key}: last used ${m.used}`);
    bytes += m.bytes;
  }
  for (const key of metas.keys()) if (!entries.has(key)) problems.push(`${key}: bookkeeping without a vector`);
  const exact = totals ? totals.entries === entries.size && totals.bytes === bytes : entries.size === 0;
  if (!exact) problems.push(`totals ${JSON.stringify(totals)} for ${entries.size} entries of ${bytes} bytes`);
  return { entries, problems, totals };
}
