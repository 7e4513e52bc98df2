import { describe, expect, it } from 'vitest';
import { makeTinyModels } from '../fixtures/make-tiny-models.js';
import { verdicts } from '../bench/report.js';
import { BULK_SIDES, runBench, SMOKE_SIZES } from '../bench/run.js';

// The bench itself, once, on the tiny fixture model with tiny sets: it must run every workload in
// Chromium and its vectors must agree. fp32, because q8's activation scales are computed per batch, so
// q8 vectors depend slightly on what shares the batch (the pipeline's own (a) and (c) differ as much).
// No timing is asserted (these machines are shared and noisy).
describe('npm run bench (smoke)', () => {
  it('runs every workload and our vectors equal the pipeline\'s', async () => {
    const { outDir } = await makeTinyModels({ only: ['bge-small-en-v1.5'] });
    const results = await runBench({ modelRoot: outDir, dtype: 'fp32', threads: [1], reps: 1, sizes: SMOKE_SIZES, longLivedRuns: 2 });
    const [t] = results.threads;
    expect(t.numThreads).toBe(1);
    expect(t.bulk.map((r) => r.set)).toEqual(['8 short', '2 long', '7 short + 1 long', '16 mixed']);
    expect(t.longLived?.wall.length).toBe(2);
    for (const r of t.bulk) {
      for (const side of BULK_SIDES) expect(r.sides[side].wall.n + r.sides[side].errors.length, `${r.set} ${side}`).toBeGreaterThan(0);
      expect(r.sides.ours.errors).toEqual([]);
      expect(r.agreement['ours~pipeline-a']).toBeGreaterThanOrEqual(0.9999);
      expect(r.agreement['ours-fixed~pipeline-a']).toBeGreaterThanOrEqual(0.9999);
      expect(r.agreement['ours~raw-sorted']).toBeGreaterThanOrEqual(0.9999);
      if (t.hasCache) expect(r.cached.wall.n).toBe(1);
    }
    for (const side of ['ours', 'ours-uncached', 'pipeline'] as const) expect(t.queries[side].p50.n).toBe(1);
    expect(t.queryAgreement).toBeGreaterThanOrEqual(0.9999);
    expect(t.queryParts?.cacheOff).toBeGreaterThan(0);
    expect(t.queryParts?.hop).toBeGreaterThan(0);
    expect(t.coldStart.ours.wall.n).toBe(1);
    expect(t.coldStart.pipeline.wall.n).toBe(1);
    expect(verdicts(results).length).toBeGreaterThan(0);
  }, 400_000); // a loaded 2-core machine took over 180 s (~250 s with three other Chromium test runs)
});
