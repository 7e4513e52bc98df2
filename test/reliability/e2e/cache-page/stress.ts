/**
 * One tab's share of the two-tab case: two loops of `create()` on texts drawn from a pool both tabs
 * share, with `clear()`, export-then-import and `flush()` now and then, while a third loop reads the
 * whole database every 2 s and checks it (store-audit.ts), so inconsistencies show while they happen.
 */

import { createRng } from '../../../fixtures/prng.js';
import type { CachePageApi, StressReport } from './api.js';

const AUDIT_EVERY_MS = 2000;
/** Most texts in one `create()`. */
const MAX_TEXTS = 24;

/** Hex of a vector's float32 bytes: equal fingerprints are bit-identical vectors. */
export const fingerprint = (v: Float32Array): string =>
  Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run the loops for `ms`; texts are drawn from `pool` by a generator seeded with `seed`. */
export async function runStress(api: CachePageApi, ms: number, seed: number, pool: string[]): Promise<StressReport> {
  const rng = createRng(seed);
  const keys = await api.keys(pool);
  const returned = new Map<string, Set<string>>();
  const report: StressReport = {
    creates: 0, texts: 0, clears: 0, exports: 0, imports: 0, flushes: 0, audits: 0, problems: [], returned: {}, maxStoredBytes: 0,
  };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  const writer = async () => {
    while (elapsed() < ms) {
      const r = rng.uniform();
      if (r < 0.03) {
        await api.clear();
        report.clears++;
      } else if (r < 0.06) {
        const data = await api.exportBase64();
        report.exports++;
        await api.importBase64(data);
        report.imports++;
      } else if (r < 0.1) {
        await api.flush();
        report.flushes++;
      } else {
        const picked = Array.from({ length: 1 + Math.floor(rng.uniform() * MAX_TEXTS) }, () => Math.floor(rng.uniform() * pool.length));
        const prints = await api.create(picked.map((i) => pool[i]));
        picked.forEach((i, j) => {
          let seen = returned.get(keys[i]);
          if (!seen) returned.set(keys[i], (seen = new Set()));
          seen.add(prints[j]);
        });
        report.creates++;
        report.texts += picked.length;
      }
    }
  };
  const auditor = async () => {
    while (elapsed() < ms) {
      await sleep(AUDIT_EVERY_MS);
      const audit = await api.audit();
      report.audits++;
      for (const p of audit.problems) report.problems.push(`${elapsed()} ms: ${p}`);
      report.maxStoredBytes = Math.max(report.maxStoredBytes, audit.totals?.bytes ?? 0);
    }
  };
  await Promise.all([writer(), writer(), auditor()]);
  report.returned = Object.fromEntries([...returned].map(([key, prints]) => [key, [...prints]]));
  return report;
}
