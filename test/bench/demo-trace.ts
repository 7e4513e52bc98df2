/**
 * `npm run demo:trace`: the demo's first visit and one search as a new user gets them (fresh profile: no
 * service worker, no model files, no vectors), under a Chrome trace of the page's main thread. Prints the
 * panel's "Longest UI pause", every main-thread task over TRACE_MIN_MS (wall and CPU time, and what ran in
 * it), every gap between animation frames over 50 ms with the work inside it, and the browser's own
 * long-task entries (each set against the trace's CPU time) and long-animation-frame entries (with scripts).
 *
 * Env: DEMO_MODELS (a folder in the Hub layout; default test/bench/models, the architecture-true bge-small;
 * `tiny` for the fixtures), DEMO_COLD=1 (empty vite's dependency cache first, as on a fresh clone),
 * DEMO_HMR=0, DEMO_THREADS (the page's `?threads=`; default the library's), TRACE_MIN_MS (default 20), TRACE_SAMPLES=0 (no CPU samples: lighter, no function names),
 * DEMO_TRACE=0 (no trace: the panel and the browser's entries only, as a user's tab has them), DEMO_QUERY
 * (default "how do stars form"). Writes test/output/demo-trace.json (opens in DevTools); TRACE_FILE=<it>
 * prints a saved run again.
 */

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright';
import { startDemoServer } from '../../demo/serve.js';
import { args, executablePath } from '../e2e/chromium.js';
import { clockOrigin, formatTasks, frameGaps, longTasks, pageMainThread, startTrace, type TraceEvent } from '../e2e/main-thread-trace.js';
import { observeLongEntries, readLongEntries, taskWork, type LongEntries } from '../e2e/long-entries.js';

const ROOT = resolve(import.meta.dirname, '../..');
const modelsEnv = process.env.DEMO_MODELS ?? resolve(ROOT, 'test/bench/models');
const minMs = Number(process.env.TRACE_MIN_MS ?? 20);
const query = process.env.DEMO_QUERY ?? 'how do stars form';

/** What the page said, beside the trace. */
interface TracedRun {
  origin: string;
  source: string;
  visit: { seconds: number; pause: string | null; backend: string | null };
  searched: { seconds: number; pause: string | null; status: string | null };
  entries: LongEntries;
  /** `performance.mark('demo-trace-sync')`'s startTime: ties the page's clock to the trace's. */
  mark: number;
}

const OUT = resolve(ROOT, 'test/output/demo-trace.json');

/** Print the page's figures, the browser's entries, the long tasks and the frame gaps. */
function report(events: TraceEvent[], run: TracedRun): void {
  const { visit, searched, entries } = run;
  console.log(`models: ${run.source}; backend: ${visit.backend}`);
  console.log(`first visit: ${visit.seconds.toFixed(1)} s, panel "Longest UI pause": ${visit.pause}`);
  console.log(`search: ${searched.status}; panel "Longest UI pause": ${searched.pause}`);
  printEntries(entries);
  if (!events.length) return;
  const thread = pageMainThread(events, run.origin);
  const page = longTasks(events, thread, 10).filter((t) => !t.tooling);
  const byCpu = [...page].sort((a, b) => (b.cpuMs ?? 0) - (a.cpuMs ?? 0));
  console.log(`\nthe page's main-thread tasks by CPU time (top 8 of ${page.length} of 10 ms or more wall):\n${formatTasks(byCpu.slice(0, 8))}`);
  const all = longTasks(events, thread, 10);
  console.log('\nthe browser\'s long tasks against the trace (ms wall / ms CPU):');
  for (const t of taskWork(entries.tasks, all, clockOrigin(events, 'demo-trace-sync', run.mark))) {
    console.log(`  at ${(t.at / 1000).toFixed(2)} s: ${t.ms} / ${t.cpuMs?.toFixed(1) ?? '?'}${t.tooling ? ' (tooling)' : ''}`);
  }
  const tasks = longTasks(events, thread, minMs);
  console.log(`\nmain-thread tasks of ${minMs} ms or more: ${tasks.length}\n${formatTasks(tasks)}`);
  const gaps = frameGaps(events, thread, 50);
  console.log(`\ngaps of 50 ms or more between animation frames (while something asks for frames): ${gaps.length}`);
  for (const g of gaps) {
    console.log(`  ${g.gapMs.toFixed(1)} ms at ${(g.at / 1000).toFixed(2)} s: main thread busy ${g.busyMs.toFixed(1)} ms, ` +
      `longest task ${g.longestTaskMs.toFixed(1)} ms, ${g.beginFrames} compositor frame(s) begun inside`);
  }
}

/** The browser's own long-task and long-animation-frame entries. */
function printEntries({ tasks, frames, shownAt }: LongEntries): void {
  console.log(`first contentful paint at ${(shownAt / 1000).toFixed(2)} s (the panel counts tasks from it on)`);
  console.log(`long tasks (the browser's own, what the panel counts): ${tasks.length}, longest ${Math.max(0, ...tasks.map((t) => t.duration)).toFixed(0)} ms`);
  console.log(`  ${tasks.map((t) => `${t.duration.toFixed(0)} ms at ${(t.startTime / 1000).toFixed(2)} s`).join(', ')}`);
  console.log(`long animation frames: ${frames.length}`);
  for (const f of frames) console.log(`  ${f.duration.toFixed(0)} ms (blocking ${f.blockingDuration.toFixed(0)} ms) at ${(f.startTime / 1000).toFixed(2)} s: ${f.scripts.join('; ') || 'no script'}`);
}

// TRACE_FILE=test/output/demo-trace.json reads a saved run again (e.g. with another TRACE_MIN_MS).
if (process.env.TRACE_FILE) {
  const saved = JSON.parse(readFileSync(process.env.TRACE_FILE, 'utf8')) as { traceEvents: TraceEvent[]; metadata: TracedRun };
  report(saved.traceEvents, saved.metadata);
  process.exit(0);
}

if (process.env.DEMO_COLD === '1') rmSync(resolve(ROOT, 'node_modules/.vite-demo'), { recursive: true, force: true });
const demo = await startDemoServer({
  ...(modelsEnv === 'tiny' ? { tiny: true } : { models: resolve(modelsEnv) }),
  port: 0, hmr: process.env.DEMO_HMR !== '0', logLevel: 'warn',
});
const browser = await chromium.launch({ executablePath, args });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await observeLongEntries(page);
  const stop = process.env.DEMO_TRACE === '0' ? async () => [] : await startTrace(browser, { samples: process.env.TRACE_SAMPLES !== '0' });
  const started = Date.now();
  await page.goto(process.env.DEMO_THREADS ? `${demo.url}?threads=${process.env.DEMO_THREADS}` : demo.url);
  await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('#plot')?.dataset.points, null, { timeout: 600_000 });
  const pause = () => page.locator('[data-stat="pause"]').textContent();
  await page.waitForFunction(() => document.querySelector('[data-stat="pause"]'));
  const visit = { seconds: (Date.now() - started) / 1000, pause: await pause(), backend: await page.locator('[data-stat="backend"]').textContent() };
  const searchAt = Date.now();
  await page.fill('#query', query);
  await page.click('#search-form button');
  await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('#plot')?.dataset.query, null, { timeout: 120_000 });
  await page.waitForTimeout(2500); // the panel refreshes every 2 s
  const searched = { seconds: (Date.now() - searchAt) / 1000, pause: await pause(), status: await page.locator('#search-status').textContent() };
  const entries = await readLongEntries(page);
  const mark = await page.evaluate(() => performance.mark('demo-trace-sync').startTime);
  const events = await stop();
  const run: TracedRun = { origin: new URL(demo.url).origin, source: `${demo.config.source} (${modelsEnv})`, visit, searched, entries, mark };
  mkdirSync(resolve(ROOT, 'test/output'), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ traceEvents: events, metadata: run }));
  report(events, run);
} finally {
  await browser.close();
  await demo.close();
}
