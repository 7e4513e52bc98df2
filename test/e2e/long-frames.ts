/**
 * The browser's own long-animation-frame entries of a page, recorded from its first script on (an init
 * script): each frame over 50 ms with the scripts that ran in it, to set against the page's own meter.
 */

import type { Page } from 'playwright';

/** One `long-animation-frame` entry, reduced to what a report needs. */
export interface LongFrame {
  startTime: number;
  duration: number;
  blockingDuration: number;
  /** `invoker sourceURL:function (ms)` of each script over 5 ms. */
  scripts: string[];
}

declare global {
  interface Window { __longFrames?: LongFrame[] }
}

/** Start recording before the page's first script runs (call before `goto`). */
export async function observeLongFrames(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const frames: LongFrame[] = (window.__longFrames = []);
    if (!PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) return;
    new PerformanceObserver((list) => {
      type Script = { invoker: string; sourceURL: string; sourceFunctionName: string; duration: number };
      for (const e of list.getEntries() as unknown as Array<Omit<LongFrame, 'scripts'> & { scripts: Script[] }>) {
        frames.push({
          startTime: e.startTime, duration: e.duration, blockingDuration: e.blockingDuration,
          scripts: e.scripts.filter((s) => s.duration > 5).map((s) =>
            `${s.invoker} ${s.sourceURL.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '')}:${s.sourceFunctionName} (${s.duration.toFixed(0)} ms)`),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  });
}

/** The entries recorded so far. */
export function readLongFrames(page: Page): Promise<LongFrame[]> {
  return page.evaluate(() => window.__longFrames ?? []);
}
