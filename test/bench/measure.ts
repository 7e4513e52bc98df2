/**
 * The measuring loop: which side runs when, how often, and on which clock. Every figure is taken on two
 * clocks: wall time (what a user waits) and the browser's CPU time over all its processes (what the work
 * cost, which is what a machine shared with other jobs still measures steadily).
 */

import type { CDPSession, Page } from 'playwright';
import type { BulkSide, PageConfig, PageSet, QuerySide, Timed } from './page.js';
import { stat, timing, type SetResult, type ThreadResult } from './report.js';
import type { TextSet } from './workloads.js';

export const BULK_SIDES: BulkSide[] = ['ours', 'ours-fixed', 'raw-single', 'raw-sorted', 'pipeline-a', 'pipeline-b', 'pipeline-c'];
/** Our sides: their vector caches are emptied before each run, and they are never capped. */
const OURS: BulkSide[] = ['ours', 'ours-fixed'];
/** Sides compared among themselves: the limit is the better raw strategy, the baseline the best pipeline call. */
const GROUPS: BulkSide[][] = [['raw-single', 'raw-sorted'], ['pipeline-a', 'pipeline-b', 'pipeline-c']];
const QUERY_SIDES: QuerySide[] = ['ours', 'ours-uncached', 'pipeline'];

export interface MeasureOptions {
  /** Most timed runs of a figure. */
  reps: number;
  /** Fewest timed runs of `ours` on a set; more follow while the set's budget lasts and the runs spread. */
  minReps: number;
  /** Wall milliseconds a bulk set may take before no further repetition starts (its first always runs whole). */
  setBudgetMs: number;
  /** Runs of ours within this fraction of each other need no more repetitions (after `minReps`). */
  steadySpread: number;
  /**
   * A raw or pipeline side whose first run is this many times slower than the best of its group on that
   * set runs once: more runs cannot change which is best, and they would take most of the bench's time.
   */
  slowFactor: number;
  /**
   * A raw or pipeline run is stopped once it takes this many times our best run on the set (and at least
   * `capFloorMs`): past that it cannot be the best of its group, and its time is reported as a lower bound.
   * The pipeline's (b) on the "N + 1" set gets 11×, since its target is ≥ 10× ours. Infinity: never stopped.
   */
  capFactor: number;
  capFloorMs: number;
  /** Timed runs of the long-lived-worker set (one client, cache off, the short set again and again). */
  longLivedRuns: number;
  log: (line: string) => void;
}

/** A page, and the browser's CPU seconds summed over all its processes (renderer, storage, network...). */
export interface Driver {
  page: Page;
  cdp: CDPSession;
}

async function cpuSeconds(cdp: CDPSession): Promise<number> {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  return processInfo.reduce((sum, p) => sum + p.cpuTime, 0);
}

/** Run `fn` in the page and return its result with the CPU milliseconds the browser spent meanwhile. */
export async function withCpu<T>(d: Driver, fn: () => Promise<T>): Promise<[T, number]> {
  const before = await cpuSeconds(d.cdp);
  const result = await fn();
  return [result, (await cpuSeconds(d.cdp) - before) * 1000];
}

/** Our plan for one run: the worker's counters after it, less those before. */
export function planBetween(before: SetResult['plan'], after: SetResult['plan']): SetResult['plan'] {
  return { sessionRuns: after.sessionRuns - before.sessionRuns, paddedTokens: after.paddedTokens - before.paddedTokens, realTokens: after.realTokens - before.realTokens };
}

/** Runs of a cheap or steady figure: `most`, or every repetition in a full run. */
const fewReps = (o: MeasureOptions, most: number) => Math.max(o.minReps, Math.min(o.reps, most));
const rotate = <T>(xs: readonly T[], by: number) => xs.map((_, i) => xs[(i + by) % xs.length]);
type Run = Timed & { cpuMs: number };

/** Workloads 1, 3, 5, 6 on one set: every side, runs interleaved so that machine noise falls on all alike. */
async function measureSet(d: Driver, set: TextSet, o: MeasureOptions): Promise<SetResult> {
  const { page } = d;
  const runs = Object.fromEntries(BULK_SIDES.map((s) => [s, [] as Run[]])) as Record<BulkSide, Run[]>;
  const stop = new Set<BulkSide>();
  let plan = { sessionRuns: 0, paddedTokens: 0, realTokens: 0 };
  const started = performance.now();
  const finished = (s: BulkSide) => runs[s].filter((t) => !t.error && !t.stopped);
  const cap = (side: BulkSide) => {
    const best = Math.min(...finished('ours').map((t) => t.ms));
    const factor = side === 'pipeline-b' && /\+ 1 long/.test(set.name) ? Math.max(o.capFactor, 11) : o.capFactor;
    return OURS.includes(side) || !Number.isFinite(best) ? Infinity : Math.max(factor * best, o.capFloorMs);
  };
  for (let r = 0; r < o.reps; r++) {
    if (r >= o.minReps && (performance.now() - started > o.setBudgetMs || spread(finished('ours')) <= o.steadySpread)) break;
    for (const side of rotate(BULK_SIDES, r)) {
      if (stop.has(side)) continue;
      if (side === 'ours' || side === 'ours-fixed') await page.evaluate((s) => window.bench.clearCache(s), side);
      const before = side === 'ours' ? await page.evaluate(() => window.bench.engineStats()) : undefined;
      const capMs = cap(side);
      const [t, cpuMs] = await withCpu(d, () => page.evaluate(([s, n, c]) => window.bench.bulk(s, n, c ?? Infinity), [side, set.name, Number.isFinite(capMs) ? capMs : null] as const));
      if (before) {
        const after = await page.evaluate(() => window.bench.engineStats());
        plan = planBetween(before, after);
      }
      runs[side].push({ ...t, cpuMs });
      if (t.stopped) await page.evaluate((s) => window.bench.recover(s), side);
      o.log(`  ${set.name} ${side}: ${t.error ? `failed after ${Math.round(t.ms)} ms: ${t.error}` : `${t.stopped ? 'stopped after ' : ''}${Math.round(t.ms)} ms, cpu ${Math.round(cpuMs)} ms`}`);
      if (t.error || t.stopped) stop.add(side);
    }
    if (r === 0) {
      for (const group of GROUPS) {
        const done = group.filter((s) => finished(s).length);
        const best = Math.min(...done.map((s) => runs[s][0].cpuMs));
        for (const s of done) if (runs[s][0].cpuMs > o.slowFactor * best) stop.add(s);
      }
      // The fixed planner's cost is one figure beside ours: repeated only in a full run.
      if (o.minReps < o.reps) stop.add('ours-fixed');
    }
  }
  const cached: Run[] = [];
  for (let r = 0; r < fewReps(o, 3); r++) {
    const [t, cpuMs] = await withCpu(d, () => page.evaluate((n) => window.bench.cached(n), set.name));
    cached.push({ ...t, cpuMs });
  }
  const agree = (a: BulkSide, b: BulkSide) => page.evaluate(([x, y, n]) => window.bench.agreement(x, y, n), [a, b, set.name] as const);
  const ok = (xs: Run[]) => xs.filter((t) => !t.error);
  const stoppedAt = (s: BulkSide) => {
    const st = runs[s].filter((t) => t.stopped);
    return st.length ? { stoppedAt: { wall: Math.min(...st.map((t) => t.ms)), cpu: Math.min(...st.map((t) => t.cpuMs)) } } : {};
  };
  const sides = Object.fromEntries(BULK_SIDES.map((s) => [s, {
    ...timing(finished(s).map((t) => t.ms), finished(s).map((t) => t.cpuMs)),
    errors: runs[s].filter((t) => t.error).map((t) => t.error!),
    ...stoppedAt(s),
  }])) as SetResult['sides'];
  return {
    set: set.name, texts: set.texts.length, tokens: set.tokens.reduce((a, b) => a + b, 0), sides, plan,
    cached: timing(ok(cached).map((t) => t.ms), ok(cached).map((t) => t.cpuMs)),
    longTaskMs: Math.max(...runs.ours.map((t) => t.longTaskMs), ...runs['ours-fixed'].map((t) => t.longTaskMs), ...cached.map((t) => t.longTaskMs)),
    ms: performance.now() - started,
    pipelineLongTaskMs: Math.max(0, ...GROUPS[1].flatMap((s) => runs[s].map((t) => t.longTaskMs))),
    agreement: {
      'ours~pipeline-a': await agree('ours', 'pipeline-a'),
      'ours-fixed~pipeline-a': await agree('ours-fixed', 'pipeline-a'),
      'ours~pipeline-c': await agree('ours', 'pipeline-c'),
      'ours~raw-sorted': await agree('ours', 'raw-sorted'),
      'ours~raw-single': await agree('ours', 'raw-single'),
      'raw-single~pipeline-a': await agree('raw-single', 'pipeline-a'),
      'pipeline-a~pipeline-c': await agree('pipeline-a', 'pipeline-c'),
    },
  };
}

/** Every workload at one thread count, in a page that has just loaded `page.html`. */
export async function measureThreads(d: Driver, config: PageConfig, sets: { bulk: TextSet[]; queries: TextSet }, pageSets: PageSet[],
  o: MeasureOptions): Promise<ThreadResult> {
  const { page } = d;
  o.log(`${config.numThreads} thread(s): loading`);
  const setup = await page.evaluate(([c, s]) => window.bench.setup(c, s), [config, pageSets] as const);
  if (!setup.crossOriginIsolated && config.numThreads > 1) throw new Error('the bench page is not cross-origin isolated: no WASM threads');

  // Workload 4: cold start with the files in the browser's cache (the setup above put them there).
  const cold = { ours: { wall: [] as number[], cpu: [] as number[] }, pipeline: { wall: [] as number[], cpu: [] as number[] } };
  for (let r = 0; r < fewReps(o, 2); r++) {
    for (const side of rotate(['ours', 'pipeline'] as const, r)) {
      const probe = `cold start probe ${config.numThreads}.${r}`;
      const [ms, cpuMs] = await withCpu(d, () => page.evaluate(([s, p]) => window.bench.coldStart(s, p), [side, probe] as const));
      cold[side].wall.push(ms);
      cold[side].cpu.push(cpuMs);
    }
  }
  o.log(`  cold start: ours ${cold.ours.wall.map(Math.round).join(', ')} ms; pipeline ${cold.pipeline.wall.map(Math.round).join(', ')} ms`);

  // One untimed run of every side on the N + 1 set (short and long shapes) before anything is timed.
  const warm = sets.bulk[2].name;
  for (const side of BULK_SIDES) await page.evaluate(([s, n]) => window.bench.bulk(s, n), [side, warm] as const);

  const bulk: SetResult[] = [];
  for (const set of sets.bulk) bulk.push(await measureSet(d, set, o));
  const longLived = await measureLongLived(d, sets.bulk[0], o);

  // Workload 2: queries one at a time (the vector cache emptied first); CPU is per query, over all of them.
  const q = Object.fromEntries(QUERY_SIDES.map((s) => [s, { lat: [] as number[][], cpu: [] as number[] }])) as Record<QuerySide, { lat: number[][]; cpu: number[] }>;
  for (let r = 0; r < fewReps(o, 2); r++) {
    for (const side of rotate(QUERY_SIDES, r)) {
      await page.evaluate(() => window.bench.clearCache());
      const [lat, cpuMs] = await withCpu(d, () => page.evaluate(([s, n]) => window.bench.queries(s, n), [side, sets.queries.name] as const));
      q[side].lat.push(lat);
      q[side].cpu.push(cpuMs / lat.length);
    }
  }
  o.log(`  queries p50: ${QUERY_SIDES.map((s) => `${s} ${q[s].lat.map((l) => Math.round(pct(l, 0.5))).join(', ')} ms`).join('; ')}`);
  const queries = Object.fromEntries(QUERY_SIDES.map((s) => [s, {
    p50: stat(q[s].lat.map((xs) => pct(xs, 0.5))), p95: stat(q[s].lat.map((xs) => pct(xs, 0.95))), cpuPerQuery: stat(q[s].cpu),
  }])) as ThreadResult['queries'];
  // The single query's parts on the same client and worker: what the cache adds, and what each step costs.
  const queryParts = await page.evaluate(([n]) => window.bench.queryParts(n, 40), [sets.queries.name] as const);
  o.log(`  query parts (median ms): ${Object.entries(queryParts).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  // One text per call on both sides, so nothing else shares a batch: q8 vectors must match exactly here.
  const queryAgreement = await page.evaluate(([n]) => window.bench.agreement('ours', 'pipeline', n), [sets.queries.name] as const);
  return {
    numThreads: config.numThreads, crossOriginIsolated: setup.crossOriginIsolated, hasCache: setup.hasCache, queryAgreement,
    coldStart: { ours: timing(cold.ours.wall, cold.ours.cpu), pipeline: timing(cold.pipeline.wall, cold.pipeline.cpu) }, bulk, queries,
    longLived, queryParts,
  };
}

/**
 * The long-lived worker: one fresh client (cache off) embeds the same set `longLivedRuns` times in a row
 * after one untimed run, as a page's worker does all day. A worker that gets slower shows as last/first > 1.
 */
async function measureLongLived(d: Driver, set: TextSet, o: MeasureOptions): Promise<ThreadResult['longLived']> {
  const { page } = d;
  await page.evaluate((n) => window.bench.longLivedStart(n), set.name);
  const wall: number[] = [], cpu: number[] = [];
  for (let r = 0; r < o.longLivedRuns; r++) {
    const [t, cpuMs] = await withCpu(d, () => page.evaluate((n) => window.bench.longLivedRun(n), set.name));
    wall.push(t.ms);
    cpu.push(cpuMs);
  }
  o.log(`  long-lived ${set.name} x${o.longLivedRuns}: ${wall.map(Math.round).join(', ')} ms`);
  return { set: set.name, wall, cpu };
}

/** (max − min) / min of the runs; Infinity with fewer than two. */
function spread(xs: Run[]): number {
  if (xs.length < 2) return Infinity;
  const ms = xs.map((t) => t.ms);
  return (Math.max(...ms) - Math.min(...ms)) / Math.min(...ms);
}

function pct(xs: number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
}
