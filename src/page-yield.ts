/**
 * Breaking a large request's main-thread work into tasks, so that input and rendering run in between:
 * `npm run bench` asks for no main-thread task over 50 ms while 512 texts are embedded.
 */

/** Items a loop handles per task before it yields (about 5–15 ms of work for each loop that uses it). */
export const ITEMS_PER_TASK = 128;

/** Let the page run its other tasks, then continue: `scheduler.yield()` where the browser has it. */
export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}
