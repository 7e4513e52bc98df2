/**
 * The browser's own long-task and long-animation-frame entries of a page, recorded from its first script on
 * (an init script), to set against the page's own meter and against a trace of its main thread.
 */

import type { Page } from 'playwright';
import type { LongTask } from './main-thread-trace.js';

/** One `long-animation-frame` entry, reduced to what a report needs. */
export interface LongFrame {
  startTime: number;
  duration: number;
  blockingDuration: number;
  /** `invoker sourceURL:function (ms)` of each script over 5 ms. */
  scripts: string[];
}

/** One `longtask` entry: a main-thread task of 50 ms or more (wall time). */
export interface LongTaskEntry {
  startTime: number;
  duration: number;
}

/** What the page's observers recorded. */
export interface LongEntries {
  frames: LongFrame[];
  tasks: LongTaskEntry[];
  /** First contentful paint (ms), where the demo's meter starts counting; 0 before it. */
  shownAt: number;
}

declare global {
  interface Window { __longEntries?: LongEntries }
}

/** Start recording before the page's first script runs (call before `goto`). */
export async function observeLongEntries(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const entries: LongEntries = (window.__longEntries = { frames: [], tasks: [], shownAt: 0 });
    const supported = PerformanceObserver.supportedEntryTypes;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') entries.shownAt = e.startTime;
    }).observe({ type: 'paint', buffered: true });
    if (supported.includes('longtask')) {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) entries.tasks.push({ startTime: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    }
    if (!supported.includes('long-animation-frame')) return;
    new PerformanceObserver((list) => {
      type Script = { invoker: string; sourceURL: string; sourceFunctionName: string; duration: number };
      for (const e of list.getEntries() as unknown as Array<Omit<LongFrame, 'scripts'> & { scripts: Script[] }>) {
        entries.frames.push({
          startTime: e.startTime, duration: e.duration, blockingDuration: e.blockingDuration,
          scripts: e.scripts.filter((s) => s.duration > 5).map((s) =>
            `${s.invoker} ${s.sourceURL.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '')}:${s.sourceFunctionName} (${s.duration.toFixed(0)} ms)`),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  });
}

/** The entries recorded so far. */
export function readLongEntries(page: Page): Promise<LongEntries> {
  return page.evaluate(() => window.__longEntries ?? { frames: [], tasks: [], shownAt: 0 });
}

/** A long-task entry and the trace's task that it is: wall and CPU time, and whether the test's tooling ran it. */
export interface TaskWork {
  at: number;
  ms: number;
  /** The trace's task starting within 1 ms of the entry; `undefined` when none was found. */
  cpuMs?: number;
  tooling?: boolean;
}

/**
 * Find each long-task entry's task in the trace; `origin` is the trace clock (µs) at the page's
 * `performance.now()` 0 (`clockOrigin`). A task of 50 ms wall on a few ms of CPU waited for a core.
 */
export function taskWork(entries: LongTaskEntry[], tasks: LongTask[], origin: number): TaskWork[] {
  return entries.map((e) => {
    const at = origin + e.startTime * 1000;
    const task = tasks.reduce<LongTask | undefined>((best, t) =>
      Math.abs(t.ts - at) < 1000 && (!best || Math.abs(t.ts - at) < Math.abs(best.ts - at)) ? t : best, undefined);
    return { at: Math.round(e.startTime), ms: Math.round(e.duration), cpuMs: task?.cpuMs, tooling: task?.tooling };
  });
}
