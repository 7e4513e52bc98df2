/** Pack texts into session runs: sort by token length, then fill batches under a token budget. Pure. */

export interface BatchLimits {
  /** Largest `batch × longest` in one run. */
  maxBatchTokens: number;
  /** Most texts in one run. */
  maxBatchSize: number;
  /**
   * Longest/shortest length allowed in one batch. Padding is wasted work, and on few threads a
   * padded batch loses to running texts alone, so dissimilar lengths never share a run.
   */
  maxPadRatio: number;
}

/** Default limits, chosen with `npm run bench` (see README, "Performance"). */
export const DEFAULT_LIMITS: BatchLimits = { maxBatchTokens: 2048, maxBatchSize: 64, maxPadRatio: 1.3 };

/**
 * Group item indexes into batches. Items are sorted by length (stable), a batch grows while
 * `(n + 1) × longest ≤ maxBatchTokens`, `n < maxBatchSize`, and `longest ≤ shortest × maxPadRatio`.
 * A single item longer than the budget runs alone.
 */
export function planBatches(lengths: ArrayLike<number>, limits: BatchLimits = DEFAULT_LIMITS): number[][] {
  const order = Array.from({ length: lengths.length }, (_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
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
