/**
 * The panel's "Longest UI pause": the longest the page's main thread was busy without a break, so that a
 * click or a key waited and no frame could be drawn. Measured from the browser's own long-animation-frame
 * entries (Chromium 123+), else its long tasks, else (Firefox, Safari) gaps between animation frames.
 *
 * Why not gaps between animation frames everywhere: a gap also counts frames the compositor or the GPU
 * process did not produce while this page's main thread was idle and answered input at once. On a machine
 * whose cores are busy (the model's WASM threads use them all) such gaps reached 100–1,200 ms with the
 * main thread idle (`npm run demo:trace`), which the old meter reported as pauses of this page.
 */

/** The longest pause so far, and what ran in it. */
export interface Pause {
  ms: number;
  /** The script that ran longest in it (`invoker · file`), where the browser says. */
  cause?: string;
}

/** Pauses under this are not reported by the browser's entries (and not noticed by people either). */
export const LONG_MS = 50;

type Script = { invoker: string; sourceURL: string; duration: number };
type LongFrame = PerformanceEntry & { blockingDuration: number; scripts: Script[] };

const supports = (type: string) => globalThis.PerformanceObserver?.supportedEntryTypes?.includes(type) ?? false;

/**
 * Watches the main thread since the page started loading (the browser buffers its entries); `longest` is
 * `undefined` while no pause reached LONG_MS.
 */
export class PauseMeter {
  longest: Pause | undefined;
  /** Which measure the browser allowed. */
  readonly source: 'long-animation-frame' | 'longtask' | 'animation frames';

  constructor() {
    if (supports('long-animation-frame')) {
      this.source = 'long-animation-frame';
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as LongFrame[]) {
          // blockingDuration sums each long task's time past 50 ms, with the frame's rendering added to the
          // longest: for a frame with one long task, + 50 gives that task and its rendering, as one stretch.
          if (entry.blockingDuration > 0) this.note(entry.blockingDuration + LONG_MS, entry.scripts);
        }
      }).observe({ type: 'long-animation-frame', buffered: true });
    } else if (supports('longtask')) {
      this.source = 'longtask';
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) this.note(entry.duration, []);
      }).observe({ type: 'longtask', buffered: true });
    } else {
      this.source = 'animation frames';
      this.watchFrames();
    }
  }

  private note(ms: number, scripts: Script[]): void {
    if (ms < LONG_MS || ms <= (this.longest?.ms ?? 0)) return;
    const top = [...scripts].sort((a, b) => b.duration - a.duration)[0];
    const file = top?.sourceURL.replace(/\?.*$/, '').split('/').pop();
    this.longest = { ms, cause: top ? `${top.invoker}${file ? ` · ${file}` : ''}` : undefined };
  }

  /** Without either entry type: the longest gap between animation frames while the tab is visible. */
  private watchFrames(): void {
    let last = performance.now();
    const tick = (now: number) => {
      if (document.visibilityState === 'visible') this.note(now - last, []);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
}
