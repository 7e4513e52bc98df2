/** When to retry a remote request and how long to wait first (as openai-node decides), plus the rate limiter. */

import { APIUserAbortError } from '../errors.js';

/** Backoff without a server hint: 0.5 s × 2^retry, capped at 8 s, minus up to 25 % jitter. */
export const BACKOFF = { initialMs: 500, maxMs: 8000, jitter: 0.25 } as const;

/** Longest server hint honoured; a longer or negative one falls back to the backoff (openai-node does the same). */
const MAX_HINT_MS = 60_000;

/** Decide whether a failed HTTP status is worth retrying; `x-should-retry` overrides the status. */
export function shouldRetry(status: number, headers: Headers): boolean {
  const hint = headers.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Read the server's wait hint in ms: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
function hintMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && !Number.isNaN(parseFloat(ms))) return parseFloat(ms);
  const after = headers?.get('retry-after');
  if (!after) return undefined;
  const seconds = parseFloat(after);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : date - Date.now();
}

/** Return the wait before retry number `retry` (0 for the first): the server's hint if sane, else jittered backoff. */
export function retryDelayMs(headers: Headers | undefined, retry: number, random: () => number = Math.random): number {
  const hinted = hintMs(headers);
  if (hinted !== undefined && hinted >= 0 && hinted < MAX_HINT_MS) return hinted;
  const base = Math.min(BACKOFF.initialMs * 2 ** retry, BACKOFF.maxMs);
  return base * (1 - random() * BACKOFF.jitter);
}

/** The error every abort of a remote call becomes. */
export function userAbort(): APIUserAbortError {
  return new APIUserAbortError(undefined, { message: 'Request was aborted.', type: 'invalid_request_error', code: 'aborted' });
}

/** Resolve after `ms`; reject with APIUserAbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(userAbort());
    const onAbort = () => {
      clearTimeout(timer);
      reject(userAbort());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Keep one provider's request starts at least 1/rate apart. Evenly spaced slots rather than a bucket
 * that allows bursts: a provider's published limit is per second, and a burst of retries after a
 * 429 is exactly what would trip it again. Shared by every call to that provider, retries included.
 */
export class RateLimiter {
  private next = 0;

  constructor(private readonly perSecond: number) {}

  /** Wait for this request's slot. */
  async take(signal?: AbortSignal): Promise<void> {
    if (!(this.perSecond > 0) || this.perSecond === Infinity) return;
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await sleep(at - now, signal);
  }
}
