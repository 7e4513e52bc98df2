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

/** Longest run of back-to-back calls in one task before a call yields to the page. */
const SLICE_MS = 10;
let sliceStart: number | undefined;

/**
 * Yield to the page when calls have run back to back in one task for over SLICE_MS. Answers from memory
 * settle in microtasks only, so many callers awaiting cached answers in a loop never left the task: 1,250
 * cached calls of 50 callers were one ~600 ms task (reliability load test). Costs one message per task.
 */
export async function yieldIfLongTask(): Promise<void> {
  const now = performance.now();
  if (sliceStart === undefined) {
    sliceStart = now;
    // Runs as the next task: whatever runs after it is a new slice.
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { sliceStart = undefined; channel.port1.close(); };
    channel.port2.postMessage(null);
    return;
  }
  if (now - sliceStart > SLICE_MS) {
    await yieldToPage();
    sliceStart = undefined;
  }
}
