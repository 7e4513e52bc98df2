/** Saved passages and their vectors, in the extension's IndexedDB (a database of its own, via idb-keyval). */

import { clear, createStore, entries, setMany, type UseStore } from 'idb-keyval';
import type { Source } from './messages.js';

/** One saved passage. */
export interface Saved {
  text: string;
  source: Source;
  /** The model that made `vector`: vectors of different models are never compared. */
  model: string;
  vector: Float32Array;
}

let store: UseStore | undefined;
const db = () => (store ??= createStore('similar-passages', 'passages'));

/** Save passages; a passage saved again from the same page replaces the old copy. */
export async function savePassages(items: Saved[]): Promise<void> {
  await setMany(items.map((item) => [`${item.model}\n${item.source.url}\n${item.text}`, item]), db());
}

/** Every saved passage. */
export async function allPassages(): Promise<Saved[]> {
  return (await entries<string, Saved>(db())).map(([, value]) => value);
}

/** Forget every saved passage. */
export async function clearPassages(): Promise<void> {
  await clear(db());
}
