/**
 * Pack texts into session runs. Pure. With a run-cost model (see `run-cost.ts`), sorted lengths are split
 * into the batches of least predicted time; without one, batches are filled greedily under a token budget.
 */

export interface BatchLimits {
  /** Largest `batch × longest` in one run (bounds memory: attention grows with `batch × longest²`). */
  maxBatchTokens: number;
  /** Most texts in one run. */
  maxBatchSize: number;
  /**
   * Greedy planning only: longest/shortest length allowed in one batch. Padding is wasted work, and on
   * few threads a padded batch loses to running texts alone, so dissimilar lengths never share a run.
   */
  maxPadRatio: number;
}

/** Default limits, chosen with `npm run bench` (see README, "Performance"). */
export const DEFAULT_LIMITS: BatchLimits = { maxBatchTokens: 2048, maxBatchSize: 64, maxPadRatio: 1.3 };

/**
 * Predicted time of one session run of `n` texts padded to `seq` tokens:
 * `perRun + perToken × n × seq + perTokenSquared × n × seq²` (fixed dispatch, dense layers, attention).
 * Only the ratios matter to planning, so any unit will do.
 */
export interface RunCost {
  perRun: number;
  perToken: number;
  perTokenSquared: number;
}

/** Predict one run's time under `cost`. */
export function runTime(cost: RunCost, n: number, seq: number): number {
  return cost.perRun + n * seq * (cost.perToken + seq * cost.perTokenSquared);
}

/** Item indexes sorted by length, ties in input order. */
function byLength(lengths: ArrayLike<number>): number[] {
  return Array.from({ length: lengths.length }, (_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
}

/**
 * Group item indexes into batches. Items are sorted by length (stable). With `cost`, the sorted run is
 * cut where the predicted total time is least: a batch saves one `perRun` per text it adds and pays
 * for its padding, so short texts batch deeply, long ones batch only when the runtime's per-run cost
 * outweighs the padding, and a lone long text never pads a batch of short ones. Without `cost`, a batch
 * grows while `(n + 1) × longest ≤ maxBatchTokens`, `n < maxBatchSize` and `longest ≤ shortest × maxPadRatio`.
 * Either way a single item longer than the budget runs alone.
 */
export function planBatches(lengths: ArrayLike<number>, limits: BatchLimits = DEFAULT_LIMITS, cost?: RunCost): number[][] {
  const order = byLength(lengths);
  return cost ? cheapestCuts(order, lengths, limits, cost) : greedy(order, lengths, limits);
}

/** Least-time partition of the sorted items into contiguous batches (dynamic programming, O(n × maxBatchSize)). */
function cheapestCuts(order: number[], lengths: ArrayLike<number>, limits: BatchLimits, cost: RunCost): number[][] {
  const n = order.length;
  const best = new Float64Array(n + 1);
  const start = new Int32Array(n + 1);
  for (let end = 1; end <= n; end++) {
    const longest = lengths[order[end - 1]];
    best[end] = Infinity;
    for (let size = 1; size <= Math.min(end, limits.maxBatchSize); size++) {
      if (size > 1 && size * longest > limits.maxBatchTokens) break;
      const total = best[end - size] + runTime(cost, size, longest);
      // On a (rounding-level) tie the larger batch wins: fewer runs never cost more in practice.
      if (total <= best[end] * (1 + 1e-9)) { best[end] = total; start[end] = end - size; }
    }
  }
  const batches: number[][] = [];
  for (let end = n; end > 0; end = start[end]) batches.push(order.slice(start[end], end));
  return batches.reverse();
}

function greedy(order: number[], lengths: ArrayLike<number>, limits: BatchLimits): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const len = lengths[i];
    const first = current.length ? lengths[current[0]] : len;
    const fits =
      current.length < limits.maxBatchSize &&
      (current.length + 1) * len <= limits.maxBatchTokens &&
      len <= Math.max(first * limits.maxPadRatio, first + 2);
    if (current.length && !fits) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length) batches.push(current);
  return batches;
}
