/**
 * The demo's "Longest UI pause" on a new user's first visit (fresh profile: service worker install, model
 * download, indexing 240 passages, the picture) and a search, in real Chromium on the tiny models, under a
 * Chrome trace of the page's main thread.
 *
 * Wall-clock pauses alone would make this flaky: on a loaded machine a task of 5 ms of work can take 300 ms
 * waiting for a core. So the trace's CPU time decides what the page did: no task of the page may hold 50 ms
 * of main-thread work; the panel must show the browser's own longest task, so "< 50 ms" when the browser
 * saw none (on a quiet machine, both). The trace is kept in test/output/e2e/demo-pauses-trace.json.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright';
import { startDemoServer, type DemoServer } from '../../demo/serve.js';
import { args, executablePath, logPage, OUTPUT, warmDemoServer } from './chromium.js';
import { observeLongEntries, readLongEntries, taskWork, type LongTaskEntry } from './long-entries.js';
import { clockOrigin, formatTasks, longTasks, pageMainThread, startTrace } from './main-thread-trace.js';

let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  demo = await startDemoServer({ tiny: true, port: 0, hmr: false, logLevel: 'warn', log: () => {} });
  browser = await chromium.launch({ executablePath, args });
  await warmDemoServer(browser, demo.url);
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

it('does no 50 ms of main-thread work at once on a first visit and a search, and its panel says so', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  logPage(page, 'demo');
  await observeLongEntries(page);
  const stop = await startTrace(browser);
  // Polled on a timer, not every frame: playwright's predicates are main-thread work of their own.
  const poll = { timeout: 120_000, polling: 250 };
  await page.goto(demo.url);
  await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('#plot')?.dataset.points === '240', null, poll);
  await page.fill('#query', 'how do stars form');
  await page.click('#search-form button');
  await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('#plot')?.dataset.query, null, poll);
  // The panel refreshes every 2 s: the browser's long tasks before one refresh bound what it shows after.
  const before = await readLongEntries(page);
  await page.waitForTimeout(2500);
  // The mark ties the page's clock to the trace's.
  const { pause, mark } = await page.evaluate(() => ({
    pause: document.querySelector('[data-stat="pause"]')?.textContent ?? '',
    mark: performance.mark('pause-test-sync').startTime,
  }));
  const after = await readLongEntries(page);
  const events = await stop();
  await context.close();
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(resolve(OUTPUT, 'demo-pauses-trace.json'), JSON.stringify({ traceEvents: events }));

  const thread = pageMainThread(events, new URL(demo.url).origin);
  const all = longTasks(events, thread, 10);
  const tasks = all.filter((t) => !t.tooling);
  const report = `panel: ${pause}\npage tasks of 10 ms or more:\n${formatTasks(tasks)}`;
  // 1. No task of the page's own did 50 ms of work (CPU time: what the page asked of the machine).
  expect(tasks.filter((t) => (t.cpuMs ?? t.wallMs) >= 50), report).toEqual([]);
  // 2. The panel shows what the browser measured from the first contentful paint on ("< 50 ms" when no task
  // was long), not gaps between frames: at least the longest task before its last refresh, at most the
  // longest after it.
  const longest = (list: LongTaskEntry[]) => Math.max(0, ...list.filter((e) => e.startTime >= after.shownAt).map((e) => e.duration));
  const shown = pause === '< 50 ms' ? 0 : Number(/^([\d.]+) (ms|s)$/.exec(pause)?.[1] ?? NaN) * (pause.endsWith(' s') ? 1000 : 1);
  const rounding = shown >= 1000 ? 50 : 1; // formatMs: "1.2 s"
  expect(shown, report).toBeGreaterThanOrEqual(longest(before.tasks) - rounding);
  expect(shown, report).toBeLessThanOrEqual(longest(after.tasks) + rounding);
  // 3. Where tasks were long, say why: each held a core for under 50 ms (checked above), the rest was waiting.
  const long = taskWork(after.tasks, all, clockOrigin(events, 'pause-test-sync', mark));
  if (long.length) console.log(`[demo-pauses] panel ${pause}; long tasks (ms wall / ms CPU):\n${long.map((t) => `${t.ms}/${t.cpuMs?.toFixed(1)}${t.tooling ? ' (tooling)' : ''}`).join(', ')}`);
});
