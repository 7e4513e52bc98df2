/**
 * Learns what a session run costs on this machine from the runs themselves, so the batch planner adapts
 * to the thread count, the model and the CPU instead of following one fixed budget. Pure: it is told the times.
 */

import type { RunCost } from './batch-planner.js';

/**
 * Starting ratios (per token = 1), from timing single runs of bge-small q8 in Chromium on 2 cores: a run's
 * fixed cost is worth ~16 tokens on one thread, more with each thread (every operator syncs the pool), and
 * attention adds ~1/300 of a token's cost per token of sequence length. The runs themselves correct them.
 */
export function priorCost(numThreads: number): RunCost {
  return { perRun: 16 * Math.min(Math.max(numThreads, 1), 4), perToken: 1, perTokenSquared: 1 / 300 };
}

type Sample = [features: [number, number, number], ms: number];

/** A least-squares fit of `RunCost` to recent runs, in relative error, pulled toward the prior's ratios. */
export class RunCostModel {
  private readonly samples: Sample[] = [];
  private skippedFirst = false;
  private fitted: RunCost;

  /** `window`: how many recent runs to fit; `priorWeight`: how many runs' worth of belief the prior holds. */
  constructor(private readonly prior: RunCost, private readonly window = 64, private readonly priorWeight = 0.02) {
    this.fitted = prior;
  }

  /** The current estimate (the prior until runs have been seen). */
  get current(): RunCost {
    return this.fitted;
  }

  /** Record one run of `n` texts padded to `seq` tokens that took `ms`. */
  observe(n: number, seq: number, ms: number): void {
    // The first run of a session grows its memory arena; it says nothing about the runs after it.
    if (!this.skippedFirst) { this.skippedFirst = true; return; }
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    this.samples.push([[1, n * seq, n * seq * seq], ms]);
    if (this.samples.length > this.window) this.samples.shift();
    this.fitted = this.fit();
  }

  private fit(): RunCost {
    const p = [this.prior.perRun, this.prior.perToken, this.prior.perTokenSquared];
    // 1. Scale the prior to this machine: the one factor that best explains the times as they are.
    let num = 0, den = 0;
    for (const [f, ms] of this.samples) {
      const r = (f[0] * p[0] + f[1] * p[1] + f[2] * p[2]) / ms;
      num += r; den += r * r;
    }
    const anchor = p.map((c) => (c * num) / den);
    // 2. Solve for multipliers m of `anchor` (well conditioned: every column is in ms), minimizing the
    //    squared relative error of each run plus priorWeight × Σ (m − 1)²; one reweighting damps runs a
    //    busy machine slowed down.
    let m = [1, 1, 1];
    for (let pass = 0; pass < 2; pass++) {
      const a = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
      const b = [0, 0, 0];
      for (const [f, ms] of this.samples) {
        const u = f.map((x, k) => (x * anchor[k]) / ms);
        const residual = Math.abs(u[0] * m[0] + u[1] * m[1] + u[2] * m[2] - 1);
        const w = pass === 0 ? 1 : Math.min(1, 0.25 / Math.max(residual, 1e-9));
        for (let i = 0; i < 3; i++) {
          b[i] += w * u[i];
          for (let j = 0; j < 3; j++) a[i][j] += w * u[i] * u[j];
        }
      }
      for (let i = 0; i < 3; i++) { a[i][i] += this.priorWeight; b[i] += this.priorWeight; }
      // Every run has a fixed cost (the call, the tensors, the thread pool's sync). Noisy times can fit it
      // to ~0, which plans every text alone, and one-text runs cannot correct it (their fixed and per-token
      // costs are nearly collinear): a plan of 186 runs instead of 8 (npm run bench:longlived). So a quarter of
      // the prior's share is the least it may be.
      m = solve3(a, b).map((x, k) => Math.max(x, k === 0 ? 0.25 : k === 1 ? 0.1 : 0));
    }
    return { perRun: anchor[0] * m[0], perToken: anchor[1] * m[1], perTokenSquared: anchor[2] * m[2] };
  }
}

/** Solve a 3 × 3 system by Cramer's rule (it is symmetric positive definite here). */
function solve3(a: number[][], b: number[]): number[] {
  const det = (m: number[][]) =>
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const d = det(a);
  return [0, 1, 2].map((k) => det(a.map((row, i) => row.map((x, j) => (j === k ? b[i] : x)))) / d);
}
