/** Measure the longest gap between animation frames while busy: how long the page was frozen, if ever. */

/** Watches frames between `start()` and `stop()`. */
export class FrameWatch {
  private last = 0;
  private handle = 0;
  /** The longest gap seen so far, in ms. */
  longest = 0;

  start(): void {
    cancelAnimationFrame(this.handle);
    this.last = performance.now();
    const tick = (now: number) => {
      // A hidden tab gets no frames; a gap spanning that is not a freeze.
      if (document.visibilityState === 'visible') this.longest = Math.max(this.longest, now - this.last);
      this.last = now;
      this.handle = requestAnimationFrame(tick);
    };
    this.handle = requestAnimationFrame(tick);
  }

  stop(): void {
    cancelAnimationFrame(this.handle);
  }
}
