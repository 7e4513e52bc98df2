/** The bench's results: their JSON shape, the targets (issues 4 and 16) as PASS/MISS, and the printed tables. Pure. */

import type { BulkSide, DeviceRace, QuerySide } from './page.js';
import type { QueryParts } from './variant-clients.js';

/** Median, min and max of `n` runs (ms); `n` 0 when every run failed. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
  runs: number[];
}

/** One figure on both clocks: wall time, and the CPU time the browser spent (all its processes). */
export interface Timing {
  wall: Stat;
  cpu: Stat;
}

export type Clock = keyof Timing;

export interface SetResult {
  set: string;
  texts: number;
  tokens: number;
  /** Finished runs per side; `stoppedAt`: the least time at which a run was stopped (a lower bound), if any was. */
  sides: Record<BulkSide, Timing & { errors: string[]; stoppedAt?: Record<Clock, number> }>;
  /** Wall milliseconds the set took, all sides and repetitions. */
  ms?: number;
  /** What our last computing run on this set did: session runs, padded and real tokens. */
  plan: { sessionRuns: number; paddedTokens: number; realTokens: number };
  /** Our client again on the same set, answered by its vector cache. */
  cached: Timing;
  /** Longest main-thread long task while our client ran (0: none over 50 ms). */
  longTaskMs: number;
  pipelineLongTaskMs: number;
  /** Least row cosine between two sides' vectors (null when one side has none). */
  agreement: Record<string, number | null>;
}

export interface ThreadResult {
  numThreads: number;
  crossOriginIsolated: boolean;
  hasCache: boolean;
  coldStart: { ours: Timing; pipeline: Timing };
  /** Least cosine between our and the pipeline's vectors of the queries, each computed alone on both sides. */
  queryAgreement: number | null;
  /** Latency percentiles per repetition, and CPU ms per query. */
  queries: Record<QuerySide, { p50: Stat; p95: Stat; cpuPerQuery: Stat }>;
  bulk: SetResult[];
  /** Median ms of a single query's parts on one client (cache on/off per request, hop, digest, miss, copy). */
  queryParts?: QueryParts;
  /** One client, cache off, the same set embedded again and again: wall and CPU ms per run. */
  longLived?: { set: string; wall: number[]; cpu: number[] };
}

export interface BenchResults {
  meta: Record<string, string | number | boolean>;
  threads: ThreadResult[];
  /** WebGPU against WASM on the same model (absent when skipped). */
  webgpu?: DeviceRace;
}

/** Summarize runs (ms). */
export function stat(runs: number[]): Stat {
  const sorted = [...runs].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, n, runs };
}

/** Summarize runs on both clocks. */
export const timing = (wall: number[], cpu: number[]): Timing => ({ wall: stat(wall), cpu: stat(cpu) });

/** One checked target: where, the ratio on each clock, and the verdict on each. */
export interface Verdict {
  target: string;
  where: string;
  value: Record<Clock, string>;
  pass: Record<Clock, boolean | null>;
}

/**
 * The fastest of some sides on one clock: the least median of finished runs, or, when a stopped run's time
 * is less still (or nothing finished), that time as a lower bound (`atLeast`).
 */
function fastest(r: SetResult, sides: readonly BulkSide[], c: Clock): { ms: number; atLeast: boolean } {
  const done = Math.min(...sides.map((s) => r.sides[s][c]).filter((s) => s.n > 0).map((s) => s.median));
  const stopped = Math.min(...sides.map((s) => r.sides[s].stoppedAt?.[c] ?? Infinity));
  return stopped < done ? { ms: stopped, atLeast: true } : { ms: done, atLeast: false };
}
/** The limit of workload 6: the better of raw one-text-per-run and raw sorted batches. */
export const limitOf = (r: SetResult, c: Clock) => fastest(r, ['raw-single', 'raw-sorted'], c).ms;
const PIPELINE = ['pipeline-a', 'pipeline-b', 'pipeline-c'] as const;
const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v >= 10 ? 1 : 2)}×` : 'n/a');
/** `ours / best` as text, "≤" when best is a lower bound (a stopped run). */
const over = (ours: number, best: { ms: number; atLeast: boolean }) => `${best.atLeast ? '≤ ' : ''}${x(ours / best.ms)}`;
/** Last over first run of the long-lived set. */
export const drift = (xs: number[]) => (xs.length > 1 ? xs[xs.length - 1] / xs[0] : NaN);
const CLOCKS: Clock[] = ['wall', 'cpu'];

/** Check every target of issue 4 against the results, on both clocks. */
export function verdicts(results: BenchResults, minCosine = 0.9999): Verdict[] {
  const out: Verdict[] = [];
  const add = (target: string, where: string, f: (c: Clock) => [string, boolean | null]) => {
    const [w, c] = CLOCKS.map(f);
    out.push({ target, where, value: { wall: w[0], cpu: c[0] }, pass: { wall: w[1], cpu: c[1] } });
  };
  const same = (v: [string, boolean | null]) => () => v;
  for (const t of results.threads) {
    const th = `${t.numThreads}T`;
    for (const r of t.bulk) {
      const ours = r.sides.ours;
      const b = r.sides['pipeline-b'];
      const where = `${th} ${r.set}`;
      const limit = (c: Clock) => fastest(r, ['raw-single', 'raw-sorted'], c);
      const pipe = (c: Clock) => fastest(r, PIPELINE, c);
      add('1. ours ≤ 1.10× the raw session.run limit', where, (c) => [over(ours[c].median, limit(c)), ours[c].n > 0 && ours[c].median <= 1.1 * limit(c).ms]);
      add('1. ours ≤ 1.05× the best of (a), (b), (c)', where, (c) => [over(ours[c].median, pipe(c)), ours[c].n > 0 && ours[c].median <= 1.05 * pipe(c).ms]);
      if (/\+ 1 long/.test(r.set)) {
        add('1. ≥ 10× faster than (b) on N + 1', where, (c) => b[c].n ? [x(b[c].median / ours[c].median), b[c].median >= 10 * ours[c].median]
          : b.stoppedAt ? [`> ${x(b.stoppedAt[c] / ours[c].median)} (stopped)`, b.stoppedAt[c] >= 10 * ours[c].median] : ['(b) failed', true]);
      }
      if (/mixed/.test(r.set)) {
        add('1. completes the mixed set', where, same([`ours ${ours.errors.length ? 'failed' : 'completed'}; (b) ${b.errors.length ? `failed: ${b.errors[0].slice(0, 50)}` : 'completed'}`, ours.errors.length === 0]));
      }
      // q8 computes activation scales per batch, so batched vectors differ a little from one-text runs on
      // every side; ours must then agree with (a) as closely as the pipeline's own (c) does.
      // The pipeline's (a) computes each text alone, as raw one-text runs do: either stands for it when (a) was stopped.
      const cos = r.agreement['ours~pipeline-a'] ?? r.agreement['ours~raw-single'];
      const own = r.agreement['pipeline-a~pipeline-c'] ?? 1;
      const bar = Math.min(minCosine, own - 1e-4);
      add(`1. batched vectors equal the pipeline's (a) (cos ≥ ${minCosine}, or ≥ its own (a)~(c) − 1e-4 on q8)`, where,
        same([cos === null ? 'n/a' : `${cos.toFixed(6)} (pipeline (a)~(c) ${own.toFixed(6)})`, cos !== null && cos >= bar]));
      add('3. cached ≥ 50× faster than computing', where, (c) => t.hasCache
        ? [r.cached[c].median > 0 ? x(ours[c].median / r.cached[c].median) : `> ${Math.round(ours[c].median / 10)}× (under 10 ms)`, ours[c].median >= 50 * Math.max(r.cached[c].median, 0)]
        : ['not available (no client.cache)', null]);
      add('5. no main-thread task over 50 ms', where, same([`${Math.round(r.longTaskMs)} ms`, r.longTaskMs <= 50]));
    }
    const q = t.queries;
    add(`1. one-text vectors equal the pipeline's (cos ≥ ${minCosine})`, th, same([t.queryAgreement?.toFixed(6) ?? 'n/a', (t.queryAgreement ?? 0) >= minCosine]));
    add('2. one-at-a-time p50 ≤ 1.05× the pipeline\'s', th, (c) => {
      const [ours, base] = c === 'wall' ? [q.ours.p50, q.pipeline.p50] : [q.ours.cpuPerQuery, q.pipeline.cpuPerQuery];
      return [x(ours.median / base.median), ours.median <= 1.05 * base.median];
    });
    add('2. (cache off) one-at-a-time p50 ≤ 1.05× the pipeline\'s', th, (c) => {
      const [ours, base] = c === 'wall' ? [q['ours-uncached'].p50, q.pipeline.p50] : [q['ours-uncached'].cpuPerQuery, q.pipeline.cpuPerQuery];
      return [x(ours.median / base.median), ours.median <= 1.05 * base.median];
    });
    const ll = t.longLived;
    if (ll) {
      add(`6. long-lived worker: last / first of ${ll.wall.length} runs ≤ 1.05`, `${th} ${ll.set}`, (c) => [x(drift(ll[c])), drift(ll[c]) <= 1.05]);
    }
    add('4. cold start ≤ 1.2× the pipeline\'s', th, (c) => [x(t.coldStart.ours[c].median / t.coldStart.pipeline[c].median), t.coldStart.ours[c].median <= 1.2 * t.coldStart.pipeline[c].median]);
  }
  return out;
}

const ms = (s: Stat) => (s.n ? `${Math.round(s.median)}${s.n > 1 ? ` (${Math.round(s.min)}–${Math.round(s.max)})` : ' (1 run)'}` : 'failed');
const word = (p: boolean | null) => (p === null ? 'N/A ' : p ? 'PASS' : 'MISS');

/** The printed report: per thread count and clock, ms (median, min–max) and ratios; then the targets. */
export function formatReport(results: BenchResults): string {
  const lines: string[] = [];
  const row = (cells: string[]) => lines.push(`| ${cells.join(' | ')} |`);
  for (const t of results.threads) {
    for (const c of CLOCKS) {
      lines.push(`\n${t.numThreads} WASM thread(s), ${results.meta.dtype}, ${c === 'wall' ? 'wall' : 'browser CPU'} ms, median of ${results.meta.reps} (min–max)`);
      row(['set', 'ours', 'fixed planner', 'raw 1/run', 'raw sorted', '(a) per text', '(b) whole', '(c) 32s', 'ours/limit', 'ours/best(abc)', '(b)/ours', 'fixed/ours', 'compute/cached']);
      row(Array(13).fill('---'));
      for (const r of t.bulk) {
        const s = r.sides;
        const bs = s['pipeline-b'];
        const side = (name: BulkSide) => (s[name][c].n ? ms(s[name][c]) : s[name].stoppedAt ? `> ${Math.round(s[name].stoppedAt![c])} (stopped)` : `failed: ${s[name].errors[0]?.slice(0, 40)}`);
        const bOverOurs = bs[c].n ? x(bs[c].median / s.ours[c].median) : bs.stoppedAt ? `> ${x(bs.stoppedAt[c] / s.ours[c].median)}` : 'crashed';
        row([
          `${r.set} (${r.tokens} tok)`, ms(s.ours[c]), side('ours-fixed'), side('raw-single'), side('raw-sorted'), side('pipeline-a'),
          side('pipeline-b'), side('pipeline-c'),
          over(s.ours[c].median, fastest(r, ['raw-single', 'raw-sorted'], c)), over(s.ours[c].median, fastest(r, PIPELINE, c)), bOverOurs,
          x(s['ours-fixed'][c].median / s.ours[c].median), t.hasCache ? x(s.ours[c].median / r.cached[c].median) : 'n/a',
        ]);
      }
    }
    const q = t.queries;
    for (const [name, s] of Object.entries(q)) {
      lines.push(`one at a time, ${name}: p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, CPU per query ${ms(s.cpuPerQuery)}`);
    }
    if (t.queryParts) {
      const p = t.queryParts;
      lines.push(`one query's parts, one client (median ms): cache on ${p.cacheOn.toFixed(2)}, off ${p.cacheOff.toFixed(2)} (on/off ${x(p.cacheOn / p.cacheOff)}); worker hop ${p.hop.toFixed(2)}, key digest ${p.digest.toFixed(2)}, IndexedDB miss ${p.miss.toFixed(2)}, number[] copy ${p.copy.toFixed(3)}`);
    }
    if (t.longLived) {
      const ll = t.longLived;
      lines.push(`long-lived worker, ${ll.set} x${ll.wall.length} (one client, cache off): ${ll.wall.map(Math.round).join(', ')} ms; last/first ${x(drift(ll.wall))} (CPU ${x(drift(ll.cpu))}), slowest/fastest ${x(Math.max(...ll.wall) / Math.min(...ll.wall))}`);
    }
    lines.push(`cold start: ours ${ms(t.coldStart.ours.wall)} vs pipeline ${ms(t.coldStart.pipeline.wall)} (CPU ${ms(t.coldStart.ours.cpu)} vs ${ms(t.coldStart.pipeline.cpu)})`);
    lines.push(`our plans (session runs / padded tokens / real tokens): ${t.bulk.map((r) => `${r.set} ${r.plan.sessionRuns}/${r.plan.paddedTokens}/${r.plan.realTokens}`).join('; ')}`);
    lines.push(`least cosine: queries ours~pipeline ${t.queryAgreement?.toFixed(6) ?? 'n/a'}; ${t.bulk.map((r) => `${r.set} ${Object.entries(r.agreement).map(([k, v]) => `${k} ${v?.toFixed(6) ?? 'n/a'}`).join(', ')}`).join('; ')}`);
  }
  if (results.webgpu) lines.push(...formatDevices(results.webgpu));
  lines.push('\nTargets (wall | CPU)');
  for (const v of verdicts(results)) {
    lines.push(`${word(v.pass.wall)} | ${word(v.pass.cpu)}  ${v.target}  [${v.where}]  ${v.value.wall === v.value.cpu ? v.value.wall : `${v.value.wall} | ${v.value.cpu}`}`);
  }
  return lines.join('\n');
}

/** The WebGPU-vs-WASM lines: medians, the ratio to WASM at each dtype, parity, and each client's own account. */
export function formatDevices(race: DeviceRace): string[] {
  const median = (xs: number[]) => stat(xs).median;
  const gpu = race.sides.webgpu;
  const adapter = race.backends.webgpu?.adapter ?? race.backends.auto?.adapter;
  const lines = ['\nWebGPU against WASM (our client, one request, cache off; median ms, min–max):'];
  for (const [side, s] of Object.entries(race.sides)) {
    if (side === 'auto') continue;
    lines.push(`  ${side}: ${s.error ? `failed: ${s.error}` : ms(stat(s.runs))}`);
  }
  if (gpu && !gpu.error && gpu.runs.length) {
    for (const wasm of ['wasm-fp32', 'wasm-q8']) {
      const w = race.sides[wasm];
      if (w?.runs.length) lines.push(`  webgpu / ${wasm}: ${x(median(gpu.runs) / median(w.runs))}`);
    }
  }
  for (const [pair, cos] of Object.entries(race.cosine)) lines.push(`  least cosine ${pair}: ${cos.toFixed(6)}`);
  lines.push(`  adapter: ${adapter ? `${adapter.vendor}/${adapter.architecture}${adapter.isFallbackAdapter ? ' (fallback adapter)' : ''}, shader-f16 ${adapter.shaderF16}` : 'none'}`);
  lines.push(`  device 'auto' chose: ${race.backends.auto ? `${race.backends.auto.device} ${race.backends.auto.dtype}: ${race.backends.auto.reason}` : race.sides.auto?.error ?? 'n/a'}`);
  if (adapter?.isFallbackAdapter || /swiftshader/i.test(`${adapter?.vendor} ${adapter?.architecture} ${adapter?.description}`)) {
    lines.push('  NOTE: this adapter runs WebGPU in software on the CPU (SwiftShader). It proves the path is correct, not how fast');
    lines.push('  a real GPU would be: do not read these timings as a GPU speed reference.');
  }
  return lines;
}
