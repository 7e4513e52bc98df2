/**
 * `npm run bench:longlived`: does a long-lived worker get slower, and which runtime setting decides it?
 * Several of our clients, one per variant, live side by side in one page and embed the same set in turn,
 * LL_RUNS times each after one untimed run (variants rotate each round, so the machine's load falls on
 * all alike); the raw limit's worker runs the set too, as the control. Prints per-run wall ms and
 * last/first per variant, and writes test/output/longlived.json.
 *
 * Env: BENCH_SET (default "256 short"), BENCH_THREADS (default 2), LL_RUNS (default 8), LL_VARIANTS (comma
 * list of names below; default all), BENCH_MODEL_DIR / BENCH_REPO / BENCH_DTYPE as in run.ts.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCpu } from './measure.js';
import { startOneSet } from './one-set.js';
import { drift, stat } from './report.js';
import { openBenchPage, ROOT } from './run.js';
import type { VariantSpec } from './variant-clients.js';

/** The variants of issue 16 (onnxruntime-web already runs with its CPU arena off: `enableCpuMemArena` defaults to false). */
const VARIANTS: VariantSpec[] = [
  { name: 'base (cache off)', cache: false, float32: false },
  { name: 'cache writing', cache: true, float32: false },
  { name: 'arena on', cache: false, float32: false, runtime: { sessionOptions: { enableCpuMemArena: true } } },
  { name: 'seq multiple of 16', cache: false, float32: false, runtime: { seqMultiple: 16 } },
  { name: 'no intra-op spinning', cache: false, float32: false, runtime: { sessionOptions: { extra: { session: { intra_op: { allow_spinning: '0' } } } } } },
  { name: 'main thread idle (float32)', cache: false, float32: true },
  { name: 'fixed planner', cache: false, float32: false, planner: 'fixed' },
];
const RAW = 'raw sorted (control)';

const runs = Number(process.env.LL_RUNS ?? 8);
const only = process.env.LL_VARIANTS?.split(',').map((s) => s.trim());
const variants = only ? VARIANTS.filter((v) => only.includes(v.name)) : VARIANTS;
const names = [...variants.map((v) => v.name), ...(!only || only.includes(RAW) ? [RAW] : [])];

const { set, threads, dtype, config, pageSets, browser, viteUrl, close } = await startOneSet('256 short');
const t0 = performance.now();
const log = (line: string) => console.log(`${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s  ${line}`);
try {
  const page = await openBenchPage(browser, viteUrl, log);
  const cdp = await browser.newBrowserCDPSession();
  const d = { page, cdp };
  await page.evaluate(([c, s]) => window.bench.setup(c, s), [config, pageSets] as const);
  await page.evaluate(([v, n]) => window.bench.variantsStart(v, n), [variants, set.name] as const);
  if (names.includes(RAW)) await page.evaluate((n) => window.bench.bulk('raw-sorted', n), set.name);
  log(`${names.length} variants ready, ${threads} thread(s), ${set.name}, ${runs} runs each`);

  const results = Object.fromEntries(names.map((n) => [n, { wall: [] as number[], cpu: [] as number[], plans: [] as string[] }]));
  for (let r = 0; r < runs; r++) {
    for (const name of names.map((_, i) => names[(i + r) % names.length])) {
      const [run, cpu] = await withCpu(d, async () => name === RAW
        ? { ...(await page.evaluate((n) => window.bench.bulk('raw-sorted', n), set.name)), sessionRuns: 0, paddedTokens: 0 }
        : page.evaluate(([v, n]) => window.bench.variantRun(v, n), [name, set.name] as const));
      results[name].wall.push(run.ms);
      results[name].cpu.push(cpu);
      results[name].plans.push(`${run.sessionRuns}/${run.paddedTokens}`);
    }
    log(`round ${r + 1}: ${names.map((n) => `${n} ${Math.round(results[n].wall[r])}`).join('; ')}`);
  }

  const x = (v: number) => `${v.toFixed(2)}×`;
  console.log(`\n${threads} thread(s), ${dtype}, ${set.name}, ${runs} runs per variant (wall ms; CPU = the browser's, all processes)`);
  console.log('| variant | runs (ms) | median | last/first | slowest/fastest | CPU last/first | plans (runs/padded tokens) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const n of names) {
    const { wall, cpu, plans } = results[n];
    const distinct = [...new Set(plans)];
    console.log(`| ${n} | ${wall.map(Math.round).join(', ')} | ${Math.round(stat(wall).median)} | ${x(drift(wall))} | ${x(Math.max(...wall) / Math.min(...wall))} | ${x(drift(cpu))} | ${n === RAW ? 'n/a' : distinct.join(', ')} |`);
  }
  mkdirSync(join(ROOT, 'test/output'), { recursive: true });
  writeFileSync(join(ROOT, 'test/output/longlived.json'), `${JSON.stringify({ threads, dtype, set: set.name, runs, results }, null, 2)}\n`);
} finally {
  await close();
}
