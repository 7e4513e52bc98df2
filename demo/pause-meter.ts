/**
 * The panel's "Longest UI pause": the longest single task of the page's main thread once the page showed
 * content (first contentful paint, where Total Blocking Time starts too), during which a click or a key
 * waited and no frame could be drawn. Measured by the browser itself: its long-task entries (tasks of 50 ms
 * or more), named by the scripts its long-animation-frame entries saw in them; where the browser has
 * neither (Firefox, Safari), the longest gap between animation frames.
 *
 * Why not gaps between animation frames everywhere (the meter before): a gap also counts frames the
 * compositor or the GPU process did not produce while this page's main thread was idle and answered input
 * at once. With the model's WASM threads on every core such gaps reached 100–1,200 ms while the main thread
 * was idle (`npm run demo:trace`). Nor a long animation frame's `blockingDuration`: it sums every long task
 * of a frame, and a frame the compositor held back for 2.4 s summed twenty tasks into one "879 ms" pause.
 */

/** The longest pause so far, and what ran in it. */
export interface Pause {
  ms: number;
  /** The script that ran longest in it (`invoker · file`), where the browser says. */
  cause?: string;
}

/** The browser reports no task under this (and people do not notice one). */
export const LONG_MS = 50;

/** A script of a long animation frame (`PerformanceScriptTiming`). */
interface Script { startTime: number; duration: number; invoker: string; sourceURL: string }

const supports = (type: string) => globalThis.PerformanceObserver?.supportedEntryTypes?.includes(type) ?? false;
/** Scripts kept to name a task by: the most recent only (a task is named when the panel next refreshes). */
const KEPT_SCRIPTS = 200;

/** Watches the main thread from the page's first contentful paint on (the browser buffers its entries). */
export class PauseMeter {
  /** Which measure the browser allowed. */
  readonly source: 'long tasks' | 'animation frames';
  /** Long tasks (each 50 ms or more), in order; a page has a few dozen at most. */
  private readonly tasks: Array<{ start: number; ms: number }> = [];
  private readonly scripts: Script[] = [];
  /** First contentful paint: tasks before it held up no page the visitor could use yet (as Total Blocking Time). */
  private shownAt = 0;

  constructor() {
    if (supports('longtask')) {
      this.source = 'long tasks';
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) this.tasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask', buffered: true });
      if (supports('paint')) {
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') this.shownAt = e.startTime;
        }).observe({ type: 'paint', buffered: true });
      }
      if (supports('long-animation-frame')) {
        new PerformanceObserver((list) => {
          for (const frame of list.getEntries() as Array<PerformanceEntry & { scripts: Script[] }>) this.scripts.push(...frame.scripts);
          this.scripts.splice(0, Math.max(0, this.scripts.length - KEPT_SCRIPTS));
        }).observe({ type: 'long-animation-frame', buffered: true });
      }
    } else {
      this.source = 'animation frames';
      this.watchFrames();
    }
  }

  /** The longest pause of LONG_MS or more, or `undefined` while there was none. */
  get longest(): Pause | undefined {
    const task = this.tasks.filter((t) => t.start >= this.shownAt).sort((a, b) => b.ms - a.ms)[0];
    if (!task || task.ms < LONG_MS) return undefined;
    const overlap = (s: Script) => Math.min(task.start + task.ms, s.startTime + s.duration) - Math.max(task.start, s.startTime);
    const top = this.scripts.filter((s) => overlap(s) > 0).sort((a, b) => overlap(b) - overlap(a))[0];
    const file = top?.sourceURL.replace(/\?.*$/, '').split('/').pop();
    return { ms: task.ms, cause: top ? `${top.invoker}${file ? ` · ${file}` : ''}` : undefined };
  }

  /** Without long-task entries: the longest gap between animation frames while the tab is visible. */
  private watchFrames(): void {
    let last = performance.now();
    const tick = (now: number) => {
      const gap = now - last;
      if (document.visibilityState === 'visible' && gap >= LONG_MS) this.tasks.push({ start: last, ms: gap });
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
}
