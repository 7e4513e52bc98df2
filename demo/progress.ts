/** A labelled progress bar (`role="progressbar"`): model downloads, then corpus indexing. */

/** Drives one `.progress` element: its `.bar` and `.label` children and its aria value. */
export class ProgressBar {
  private readonly bar: HTMLElement;
  private readonly label: HTMLElement;

  constructor(private readonly root: HTMLElement) {
    this.bar = root.querySelector('.bar')!;
    this.label = root.querySelector('.label')!;
  }

  /** Show `percent` (0..100) with a label; `state` is exposed as `data-state` for styles and tests. */
  set(percent: number, text: string, state: 'active' | 'done' | 'idle' | 'error' = 'active'): void {
    const value = Math.max(0, Math.min(100, percent));
    this.bar.style.width = `${value}%`;
    this.root.setAttribute('aria-valuenow', value.toFixed(0));
    this.root.dataset.state = state;
    this.label.textContent = text;
  }
}

/** Format bytes as "12.3 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Format milliseconds as "850 ms" or "2.4 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
