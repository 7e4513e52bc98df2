/** What the vector-cache reliability page exposes to the Node-side tests as `window.cachePage`. */

/** One readwrite transaction the page opened, and the durability the browser gave it. */
export interface TxRecord { mode: IDBTransactionMode; durability: string }

/** The store as read back directly: key → fingerprint (hex of the vector's float32 bytes), and what is wrong. */
export interface AuditResult {
  entries: Record<string, string>;
  problems: string[];
  totals?: { entries: number; bytes: number };
}

/** What the two-tab loop did, and what it saw. */
export interface StressReport {
  creates: number;
  texts: number;
  clears: number;
  exports: number;
  imports: number;
  flushes: number;
  audits: number;
  /** Problems the audits taken during the run found, each with the run time it was seen at. */
  problems: string[];
  /** key → fingerprints of every vector a resolved `create()` returned for it in this tab. */
  returned: Record<string, string[]>;
  /** Largest `#totals.bytes` an audit saw. */
  maxStoredBytes: number;
}

export interface CachePageApi {
  /** Resolves once the client exists. */
  ready: Promise<void>;
  /** `create()` the texts (tiny bge); the fingerprints of the vectors, in order. */
  create(texts: string[]): Promise<string[]>;
  /** The vectors themselves; `cache: false` computes them without the vector cache. */
  vectors(texts: string[], cache: boolean): Promise<number[][]>;
  /** The cache keys of the texts. */
  keys(texts: string[]): Promise<string[]>;
  flush(): Promise<void>;
  clear(): Promise<void>;
  /** `cache.export()`, base64. */
  exportBase64(): Promise<string>;
  /** `cache.import()` of base64 bytes. */
  importBase64(data: string): Promise<{ imported: number; skipped: number }>;
  stats(): Promise<{ entries: number; bytes: number }>;
  /** Read the database directly (store-audit.ts). */
  audit(): Promise<AuditResult>;
  /** On the `n`th IndexedDB put from now: reload the page, or call the Node binding `midWrite`. */
  tripAfterPuts(n: number, action: 'reload' | 'signal'): void;
  /** The readwrite transactions opened since the last call. */
  transactions(): TxRecord[];
  /** `onCacheError` events so far, as `operation: name: message`. */
  cacheErrors: string[];
  /** The two-tab loop: `create()`, `clear()`, export and import, `flush()` and audits, for `ms`. */
  stress(ms: number, seed: number, pool: string[]): Promise<StressReport>;
}

declare global {
  interface Window {
    cachePage: CachePageApi;
    /** Exposed by the Node-side test (`page.exposeBinding`) where it wants to act mid-write. */
    midWrite?: () => void;
  }
}
