/**
 * The vector cache's IndexedDB connection, as an idb-keyval `UseStore`. Unlike idb-keyval's `createStore`
 * it survives the connection going away: it closes on a `versionchange` (another tab upgrading or deleting
 * the database must not wait for this one) and reopens on the next use, forgets a connection the browser
 * closed, and gives up on an open that stays blocked instead of leaving every request waiting on it.
 * It also takes a transaction's `durability` (idb-keyval's `createStore` has no way to pass it).
 */

/**
 * An idb-keyval `UseStore` that also takes the transaction's durability hint. A plain `UseStore` (the
 * `cache.store` option) is one too: it ignores the hint, and its transactions get the browser's default.
 */
export type DurableStore = <T>(mode: IDBTransactionMode, callback: (store: IDBObjectStore) => T | PromiseLike<T>,
  durability?: IDBTransactionDurability) => Promise<T>;

/** How long an open may stay pending (blocked behind another tab's upgrade) before the cache goes without. */
const OPEN_TIMEOUT_MS = 2000;
/** After a failed open, operations fail at once for this long instead of each waiting on a new open. */
const REOPEN_AFTER_MS = 10_000;

const openFailures = new WeakSet<object>();

/** True for an error that came from opening the database (reported as operation `open`). */
export const isOpenFailure = (err: unknown): boolean => typeof err === 'object' && err !== null && openFailures.has(err);

function openFailure(err: unknown): unknown {
  const e = err instanceof Error ? err : new DOMException(String(err), 'UnknownError');
  openFailures.add(e);
  return e;
}

/** A store on `storeName` of database `dbName`, opened lazily and reopened after the connection is lost. */
export function connectStore(dbName: string, storeName: string): DurableStore {
  let db: IDBDatabase | undefined;
  let opening: Promise<IDBDatabase> | undefined;
  let failedAt = -Infinity;
  let failure: unknown;

  const adopt = (connection: IDBDatabase) => {
    connection.onversionchange = () => { connection.close(); if (db === connection) db = undefined; };
    connection.onclose = () => { if (db === connection) db = undefined; };
    db = connection;
    opening = undefined;
  };

  const open = (): Promise<IDBDatabase> => {
    if (db) return Promise.resolve(db);
    if (opening) return opening;
    if (performance.now() - failedAt < REOPEN_AFTER_MS) return Promise.reject(failure);
    opening = new Promise<IDBDatabase>((resolve, reject) => {
      const fail = (err: unknown) => {
        opening = undefined;
        failedAt = performance.now();
        failure = openFailure(err);
        reject(failure);
      };
      let request: IDBOpenDBRequest;
      try {
        request = indexedDB.open(dbName);
      } catch (err) {
        return fail(err);
      }
      const timer = setTimeout(() => fail(new DOMException(
        `Opening IndexedDB database "${dbName}" was still blocked after ${OPEN_TIMEOUT_MS} ms (another tab holds an ` +
          'older version open); vectors are kept in memory meanwhile', 'TimeoutError')), OPEN_TIMEOUT_MS);
      request.onupgradeneeded = () => request.result.createObjectStore(storeName);
      // A late success is still used: the next operation finds the connection.
      request.onsuccess = () => { clearTimeout(timer); adopt(request.result); resolve(request.result); };
      request.onerror = () => { clearTimeout(timer); fail(request.error); };
    });
    return opening;
  };

  return async (mode, callback, durability) => {
    const connection = await open();
    let tx: IDBTransaction;
    try {
      tx = connection.transaction(storeName, mode, durability ? { durability } : undefined);
    } catch (err) {
      // Closing or closed under us: the next operation opens a new connection.
      if (db === connection) db = undefined;
      throw err;
    }
    return callback(tx.objectStore(storeName));
  };
}
