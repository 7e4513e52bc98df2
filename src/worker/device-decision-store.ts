/**
 * The decision cache: each `'auto'` device choice with its evidence, in IndexedDB, so the probe runs
 * once per (model, dtypes, adapter, threads, package version) and not on every page load. A database of
 * its own, apart from the vector cache. A new package version never matches an old key, and writing
 * under a new version drops the old versions' records.
 */

import { createStore, delMany, entries, get, set, type UseStore } from 'idb-keyval';
import type { AdapterSummary, DeviceEvidence } from '../device-protocol.js';
import type { Device, Dtype } from '../models.js';

/** IndexedDB database and object store of device decisions. */
export const DECISION_DATABASE = 'inpage-embeddings-devices';
export const DECISION_STORE = 'decisions';

declare const __INPAGE_EMBEDDINGS_VERSION__: string | undefined;

/** This package's version, set at build time (vite `define`); `'dev'` where the source is bundled without it. */
export const PACKAGE_VERSION: string =
  typeof __INPAGE_EMBEDDINGS_VERSION__ === 'string' ? __INPAGE_EMBEDDINGS_VERSION__ : 'dev';

/** One cached choice. */
export interface StoredDecision {
  key: string;
  device: Device;
  dtype: Dtype;
  reason: string;
  adapter: AdapterSummary;
  evidence: DeviceEvidence;
}

/** What a decision depends on. */
export interface DecisionKeyParts {
  /** `repo@revision/file`. */
  model: string;
  wasmDtype: Dtype;
  webgpuDtype: Dtype;
  adapter: AdapterSummary;
  /** WASM threads change WASM's side of the benchmark. */
  numThreads: number;
  packageVersion: string;
}

/** Return the cache key of one decision. */
export function decisionKey(p: DecisionKeyParts): string {
  const a = p.adapter;
  return JSON.stringify([
    p.packageVersion, p.model, p.wasmDtype, p.webgpuDtype, a.vendor, a.architecture, a.device, a.description,
    a.isFallbackAdapter, a.shaderF16, p.numThreads,
  ]);
}

/** Reads and writes decisions; a store that fails (private browsing, quota) only means probing again. */
export class DecisionStore {
  private store: UseStore | undefined;

  constructor(private readonly open: () => UseStore = () => createStore(DECISION_DATABASE, DECISION_STORE)) {}

  /** Return the decision stored under `key`, or undefined (also when IndexedDB fails). */
  async read(key: string): Promise<StoredDecision | undefined> {
    try {
      return await get<StoredDecision>(key, (this.store ??= this.open()));
    } catch {
      return undefined;
    }
  }

  /** Store `decision`, dropping every record made by another package version. */
  async write(decision: StoredDecision): Promise<void> {
    try {
      const store = (this.store ??= this.open());
      await set(decision.key, decision, store);
      const version = decision.evidence.packageVersion;
      const stale = (await entries<string, StoredDecision>(store))
        .filter(([, d]) => d?.evidence?.packageVersion !== version).map(([k]) => k);
      if (stale.length) await delMany(stale, store);
    } catch {
      // Not cached: the next load probes again.
    }
  }
}
