/**
 * `npm run bench:trace`: where our client's main-thread time goes on one bench set. Runs the set once to
 * warm up, then once under a Chrome trace, and prints every main-thread task over a threshold with the
 * functions that took its time (self time, from the trace's CPU samples). Workload 5 asks for no task over
 * 50 ms; this is how to find the one that is.
 *
 * Env: BENCH_SET (default "512 mixed"), BENCH_THREADS (default 2), TRACE_WARM (0: trace the first call), TRACE_MIN_MS
 * (default 20), BENCH_MODEL_DIR / BENCH_REPO / BENCH_DTYPE as in run.ts. Writes test/output/bench-trace.json and
 * bench-main.cpuprofile (both open in Chrome DevTools' Performance panel).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planBetween } from './measure.js';
import { startOneSet } from './one-set.js';
import { openBenchPage, ROOT } from './run.js';

interface TraceEvent { name: string; ts: number; dur?: number; pid: number; tid: number; args?: { name?: string; src_file?: string } }
/** CDP's `Profiler.Profile`: times in microseconds on the trace's clock. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  startTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const minMs = Number(process.env.TRACE_MIN_MS ?? 20);

const { set, config, pageSets, browser, viteUrl, close } = await startOneSet('512 mixed');
try {
  const page = await openBenchPage(browser, viteUrl, console.log);
  await page.evaluate(([c, s]) => window.bench.setup(c, s), [config, pageSets] as const);
  /** One run of the set, with the plan it got: session runs, padded and real tokens. */
  const run = async () => {
    const before = await page.evaluate(() => window.bench.engineStats());
    const timed = await page.evaluate((n) => window.bench.bulk('ours', n), set.name);
    const after = await page.evaluate(() => window.bench.engineStats());
    return { ...timed, ...planBetween(before, after) };
  };
  // TRACE_WARM=0 traces the client's first call, as a page's first indexing run is.
  if (process.env.TRACE_WARM !== '0') {
    await page.evaluate('window.bench.clearCache()');
    console.log(`warm-up: ${JSON.stringify(await run())}`);
  }
  await page.evaluate('window.bench.clearCache()');

  // Tasks from a trace; functions from the page's own sampling profiler, which samples the main thread only
  // (the trace's profiler would also sample every WASM thread and slow the run several times over).
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => { events.push(...(e.value as unknown as TraceEvent[])); });
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'] } });
  await cdp.send('Profiler.start');
  console.log(`traced: ${JSON.stringify(await run())}`);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Tracing.end');
  await done;
  mkdirSync(join(ROOT, 'test/output'), { recursive: true });
  writeFileSync(join(ROOT, 'test/output/bench-trace.json'), JSON.stringify({ traceEvents: events }));
  writeFileSync(join(ROOT, 'test/output/bench-main.cpuprofile'), JSON.stringify(profile));
  report(events, profile as CpuProfile);
} finally {
  await close();
}

/** Print each long main-thread task and the functions with the most self time inside it. */
function report(events: TraceEvent[], profile: CpuProfile): void {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) throw new Error('no renderer main thread in the trace');
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid);
  // Tasks of the tracing and profiling machinery itself are not the page's.
  const tooling = onMain.filter((e) => e.name === 'CpuProfiler::StartProfiling' || /trace_event/.test(String(e.args?.src_file ?? '')));
  const tasks = onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) >= minMs * 1000 &&
    !tooling.some((x) => x.ts >= e.ts && x.ts <= e.ts + (e.dur ?? 0)));
  const samples = cpuSamples(profile);
  console.log(`${tasks.length} main-thread task(s) of ${minMs} ms or more`);
  for (const t of tasks.sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))) {
    const self = new Map<string, number>();
    let total = 0;
    for (const s of samples) {
      if (s.ts < t.ts || s.ts > t.ts + (t.dur ?? 0)) continue;
      self.set(s.frame, (self.get(s.frame) ?? 0) + s.ms);
      total += s.ms;
    }
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(`\ntask of ${((t.dur ?? 0) / 1000).toFixed(1)} ms (${total.toFixed(1)} ms sampled):`);
    for (const [frame, ms] of top) console.log(`  ${ms.toFixed(1).padStart(6)} ms  ${frame}`);
  }
}

/** The profile's samples as (time, self frame, ms until the next sample). */
function cpuSamples(profile: CpuProfile): Array<{ ts: number; frame: string; ms: number }> {
  const frames = new Map(profile.nodes.map((n) => {
    const f = n.callFrame;
    return [n.id, `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`];
  }));
  const deltas = profile.timeDeltas ?? [];
  let ts = profile.startTime;
  return (profile.samples ?? []).map((node, i) => {
    ts += deltas[i] ?? 0;
    return { ts, frame: frames.get(node) ?? `node ${node}`, ms: (deltas[i + 1] ?? 0) / 1000 };
  });
}
