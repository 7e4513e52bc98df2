/**
 * Reading the vector cache's IndexedDB database directly, as a fault test's final check: every vector a
 * resolved `create()` returned is stored whole under its key, and no partial or wrong record exists.
 */

import { expect } from 'vitest';
import { buildCatalogue } from '../../../src/client-options.js';
import { cacheKey, CATALOGUE, keyScope } from '../../../src/index.js';
import { tinyRows } from '../../browser/tiny-models.js';
import { auditStore } from '../store-audit.js';

export { auditStore, type StoreAudit } from '../store-audit.js';

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
