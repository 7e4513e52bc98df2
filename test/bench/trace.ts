/**
 * `npm run bench:trace`: where our client's main-thread time goes on one bench set. Runs the set once to
 * warm up, then once under a Chrome trace, and prints every main-thread task over a threshold with the
 * functions that took its time (self time, from the trace's CPU samples). Workload 5 asks for no task over
 * 50 ms; this is how to find the one that is.
 *
 * Env: BENCH_SET (default "512 mixed"), BENCH_THREADS (default 2), TRACE_MIN_MS
 * (default 20), BENCH_MODEL_DIR / BENCH_REPO / BENCH_DTYPE as in run.ts. Writes test/output/bench-trace.json.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { startHubServer } from '../fixtures/hub-server.js';
import { makeTinyModels } from '../fixtures/make-tiny-models.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../vite.config.js';
import type { PageConfig } from './page.js';
import { benchTokenizer, ROOT, SEED, startBenchVite } from './run.js';
import { makeWorkloads } from './workloads.js';

interface TraceEvent {
  name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; id?: string;
  args?: { name?: string; data?: { cpuProfile?: CpuProfileChunk; timeDeltas?: number[] } };
}
interface CpuProfileChunk {
  nodes?: Array<{ id: number; parent?: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples?: number[];
}

const setName = process.env.BENCH_SET ?? '512 mixed';
const threads = Number(process.env.BENCH_THREADS ?? 2);
const minMs = Number(process.env.TRACE_MIN_MS ?? 20);
const repo = process.env.BENCH_REPO ?? 'Xenova/bge-small-en-v1.5';
const dtype = (process.env.BENCH_DTYPE ?? 'q8') as 'q8' | 'fp32';

const modelRoot = process.env.BENCH_MODEL_DIR ?? (await makeTinyModels({ bench: true })).outDir;
const modelConfig = JSON.parse(readFileSync(join(modelRoot, repo, 'config.json'), 'utf8'));
const tokenizer = await benchTokenizer(modelRoot, repo);
const sets = makeWorkloads(SEED, (t) => tokenizer.encode(t).length);
const set = [...sets.bulk, sets.queries].find((s) => s.name === setName);
if (!set) throw new Error(`BENCH_SET "${setName}" is not one of: ${[...sets.bulk, sets.queries].map((s) => s.name).join(', ')}`);

const hub = await startHubServer(modelRoot);
const vite = await startBenchVite();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  await page.goto(`${vite.url}test/bench/page.html`);
  await page.waitForFunction('"bench" in window', undefined, { timeout: 120_000 });
  const config: PageConfig = { modelHost: hub.url, repo, dims: modelConfig.hidden_size, padId: tokenizer.padId, dtype, numThreads: threads };
  const pageSets = [{ name: set.name, texts: set.texts, ids: set.texts.map(tokenizer.encode) }];
  await page.evaluate(([c, s]) => window.bench.setup(c, s), [config, pageSets] as const);
  const run = () => page.evaluate((n) => window.bench.bulk('ours', n), set.name);
  await page.evaluate('window.bench.clearCache()');
  console.log(`warm-up: ${JSON.stringify(await run())}`);
  await page.evaluate('window.bench.clearCache()');

  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => { events.push(...(e.value as unknown as TraceEvent[])); });
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-v8.cpu_profiler', 'v8'] },
  });
  console.log(`traced: ${JSON.stringify(await run())}`);
  await cdp.send('Tracing.end');
  await done;
  mkdirSync(join(ROOT, 'test/output'), { recursive: true });
  writeFileSync(join(ROOT, 'test/output/bench-trace.json'), JSON.stringify({ traceEvents: events }));
  report(events);
} finally {
  await browser.close();
  await vite.close();
  await hub.close();
}

/** Print each long main-thread task and the functions with the most self time inside it. */
function report(events: TraceEvent[]): void {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) throw new Error('no renderer main thread in the trace');
  const onMain = (e: TraceEvent) => e.pid === main.pid && e.tid === main.tid;
  const tasks = events.filter((e) => onMain(e) && e.name === 'RunTask' && (e.dur ?? 0) >= minMs * 1000);
  const samples = cpuSamples(events.filter((e) => e.pid === main.pid && (e.name === 'Profile' || e.name === 'ProfileChunk')), main.tid);
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

/** CPU samples of one thread as (time, self frame, ms), from the trace's Profile/ProfileChunk events. */
function cpuSamples(events: TraceEvent[], tid: number): Array<{ ts: number; frame: string; ms: number }> {
  const out: Array<{ ts: number; frame: string; ms: number }> = [];
  const byId = new Map<string, { start: number; nodes: Map<number, string>; last: number }>();
  for (const e of events.sort((a, b) => a.ts - b.ts)) {
    if (e.name === 'Profile') { byId.set(e.id!, { start: (e.args?.data as { startTime?: number })?.startTime ?? e.ts, nodes: new Map(), last: 0 }); continue; }
    const p = byId.get(e.id!);
    if (!p || e.tid !== tid) continue;
    const chunk = e.args?.data?.cpuProfile ?? {};
    for (const n of chunk.nodes ?? []) {
      const f = n.callFrame;
      p.nodes.set(n.id, `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`);
    }
    const deltas = e.args?.data?.timeDeltas ?? [];
    (chunk.samples ?? []).forEach((node, i) => {
      p.last += deltas[i] ?? 0;
      out.push({ ts: p.start + p.last, frame: p.nodes.get(node) ?? `node ${node}`, ms: (deltas[i + 1] ?? deltas[i] ?? 0) / 1000 });
    });
  }
  return out;
}
