/**
 * The page's IndexedDB instrumentation, installed before the client exists: it only watches. Puts are
 * counted so a test can act in the middle of a write, and the vector cache's readwrite transactions are
 * recorded with the durability the browser reports for them.
 */

import type { TxRecord } from './api.js';

let trip: { left: number; action: () => void } | undefined;
const log: TxRecord[] = [];

const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
  const request = put.apply(this, args);
  if (trip && --trip.left === 0) {
    const { action } = trip;
    trip = undefined;
    action();
  }
  return request;
};

const transaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
  const tx = transaction.apply(this, args);
  if (tx.mode === 'readwrite' && this.name.startsWith('inpage-embeddings-v1')) log.push({ mode: tx.mode, durability: tx.durability });
  return tx;
} as IDBDatabase['transaction'];

/** Run `action` right after the `n`th put from now (within the same task as that put). */
export function tripAfterPuts(n: number, action: () => void): void {
  trip = { left: n, action };
}

/** The readwrite transactions since the last call. */
export const takeTransactions = (): TxRecord[] => log.splice(0);
