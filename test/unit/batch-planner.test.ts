import { describe, expect, it } from 'vitest';
import { createRng } from '../fixtures/prng.js';
import { DEFAULT_LIMITS, planBatches, runTime, type RunCost } from '../../src/worker/batch-planner.js';
import { priorCost, RunCostModel } from '../../src/worker/run-cost.js';

const total = (cost: RunCost, lengths: number[], batches: number[][]) =>
  batches.reduce((t, b) => t + runTime(cost, b.length, Math.max(...b.map((i) => lengths[i]))), 0);

function mixedLengths(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.round(5 * 80 ** rng.uniform()));
}

describe('planBatches with a run-cost model', () => {
  const cost: RunCost = { perRun: 20, perToken: 1, perTokenSquared: 1 / 250 };

  it('covers every item once, within the size and token limits', () => {
    const lengths = mixedLengths(1, 300);
    const batches = planBatches(lengths, DEFAULT_LIMITS, cost);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxBatchSize);
      if (b.length > 1) expect(b.length * Math.max(...b.map((i) => lengths[i]))).toBeLessThanOrEqual(DEFAULT_LIMITS.maxBatchTokens);
    }
  });

  it('is never predicted slower than greedy packing or one text per run', () => {
    for (const seed of [1, 2, 3]) {
      const lengths = mixedLengths(seed, 512);
      const ours = total(cost, lengths, planBatches(lengths, DEFAULT_LIMITS, cost));
      expect(ours).toBeLessThanOrEqual(total(cost, lengths, planBatches(lengths, DEFAULT_LIMITS)));
      expect(ours).toBeLessThanOrEqual(total(cost, lengths, lengths.map((_, i) => [i])));
    }
  });

  it('runs a lone long text by itself instead of padding short ones to it', () => {
    const lengths = [...Array(63).fill(16), 380];
    const batches = planBatches(lengths, DEFAULT_LIMITS, cost);
    expect(batches.find((b) => b.includes(63))).toEqual([63]);
    expect(batches.length).toBe(2);
  });

  it('batches deeper when a run costs more, and not at all when runs are free', () => {
    const lengths = mixedLengths(4, 200);
    const runs = (perRun: number) => planBatches(lengths, DEFAULT_LIMITS, { ...cost, perRun }).length;
    expect(runs(200)).toBeLessThan(runs(20));
    expect(planBatches([12, 10, 11], DEFAULT_LIMITS, { ...cost, perRun: 0 })).toEqual([[1], [2], [0]]);
  });

  it('starts from a per-run cost that grows with threads', () => {
    expect(priorCost(2).perRun).toBeGreaterThan(priorCost(1).perRun);
    const lengths = mixedLengths(5, 512);
    expect(planBatches(lengths, DEFAULT_LIMITS, priorCost(2)).length)
      .toBeLessThanOrEqual(planBatches(lengths, DEFAULT_LIMITS, priorCost(1)).length);
  });
});

describe('RunCostModel', () => {
  const truth: RunCost = { perRun: 12, perToken: 0.8, perTokenSquared: 0.003 };
  const shapes: Array<[number, number]> = [[1, 8], [64, 16], [1, 380], [16, 40], [4, 200], [32, 30], [1, 60], [8, 120]];

  it('keeps the prior until it has seen a run, and skips the first run', () => {
    const model = new RunCostModel(priorCost(1));
    expect(model.current).toEqual(priorCost(1));
    model.observe(1, 10, 1e6);
    expect(model.current).toEqual(priorCost(1));
  });

  it('learns per-run, per-token and attention costs from timings', () => {
    const model = new RunCostModel(priorCost(2));
    model.observe(1, 1, 1);
    for (let r = 0; r < 4; r++) for (const [n, seq] of shapes) model.observe(n, seq, runTime(truth, n, seq));
    const c = model.current;
    expect(c.perToken).toBeCloseTo(truth.perToken, 1);
    expect(c.perRun / c.perToken).toBeGreaterThan(0.7 * (truth.perRun / truth.perToken));
    expect(c.perRun / c.perToken).toBeLessThan(1.3 * (truth.perRun / truth.perToken));
    expect(c.perTokenSquared / c.perToken).toBeCloseTo(truth.perTokenSquared / truth.perToken, 3);
  });

  it('never plans texts of one length one by one after noisy timings (its own plans feed it)', () => {
    // 256 texts of 16 lengths, planned and timed 8 times in a row with ±50 % noise, as on a busy 2-core machine:
    // a fit of ~0 per-run cost once planned ~186 one-text runs, and one-text runs could not correct it.
    const truth2: RunCost = { perRun: 40, perToken: 1, perTokenSquared: 1 / 300 };
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rng = createRng(seed);
      const lengths = Array.from({ length: 256 }, () => 10 + Math.floor(rng.uniform() * 16));
      const model = new RunCostModel(priorCost(2));
      model.observe(1, 1, 1);
      for (let rep = 0; rep < 8; rep++) {
        const batches = planBatches(lengths, DEFAULT_LIMITS, model.current);
        expect(batches.length).toBeLessThanOrEqual(16);
        for (const b of batches) {
          const seq = Math.max(...b.map((i) => lengths[i]));
          model.observe(b.length, seq, runTime(truth2, b.length, seq) * (0.5 + 1.5 * rng.uniform()));
        }
      }
    }
  });

  it('is not thrown by one run a busy machine slowed down', () => {
    const model = new RunCostModel(priorCost(1));
    model.observe(1, 1, 1);
    for (let r = 0; r < 3; r++) for (const [n, seq] of shapes) model.observe(n, seq, runTime(truth, n, seq));
    model.observe(1, 8, 10 * runTime(truth, 1, 8));
    expect(model.current.perRun / model.current.perToken).toBeLessThan(2 * (truth.perRun / truth.perToken));
  });
});
