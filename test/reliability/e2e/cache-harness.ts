/**
 * Node-side helpers of the vector-cache reliability cases: open the cache page (cache-page/) on the
 * servers of the service-worker harness, read fingerprints back as vectors, and a Chromium this process
 * starts itself, with a profile on disk, so a test can kill the whole browser and start it again.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { args, executablePath } from '../../e2e/chromium.js';
import type { SwHarness } from '../../e2e/sw-harness.js';

const PAGE = '/test/reliability/e2e/cache-page/index.html';

export interface CachePageQuery {
  ns: string;
  maxBytes?: number;
  memoryBytes?: number;
}

/** The page's URL on the harness' vite server. */
export function cachePageUrl(h: SwHarness, q: CachePageQuery): string {
  const search = new URLSearchParams({ hub: h.hub.url, dims: String(h.dims), ns: q.ns });
  if (q.maxBytes !== undefined) search.set('maxBytes', String(q.maxBytes));
  if (q.memoryBytes !== undefined) search.set('memoryBytes', String(q.memoryBytes));
  return `${h.origin}${PAGE}?${search}`;
}

/** Wait until the (re)loaded page exposes `window.cachePage`. */
export async function cachePageReady(page: Page): Promise<void> {
  await page.waitForFunction(() => 'cachePage' in window, undefined, { timeout: 60_000 });
  await page.evaluate(() => window.cachePage.ready);
}

/** Open the cache page in a new tab of `context`; its uncaught errors go to `errors`. */
export async function openCachePage(h: SwHarness, context: BrowserContext, q: CachePageQuery, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(`${q.ns}: ${err.message}`));
  await page.goto(cachePageUrl(h, q));
  await cachePageReady(page);
  return page;
}

/** The vector behind a fingerprint (hex of its float32 bytes). */
export const vectorOf = (fingerprint: string): Float32Array => {
  const bytes = Buffer.from(fingerprint, 'hex');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

/** Largest absolute difference between two vectors of one width. */
export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

/** A Chromium with a profile directory that outlives it: `kill()` is SIGKILL to the whole browser, as a crash. */
export interface KillableChromium {
  browser: Browser;
  /** The profile's one context (pages opened here share its IndexedDB). */
  context: BrowserContext;
  kill(): Promise<void>;
}

/** Start Chromium on `profile` (made if absent) and connect to it over CDP. */
export async function startKillableChromium(profile: string): Promise<KillableChromium> {
  // Its own process group, so the kill takes the renderers, the GPU and storage services down at once.
  const proc: ChildProcess = spawn(executablePath, [...args, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
    detached: true, stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${err}`)), 30_000);
    proc.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Chromium exited (${code}): ${err}`)); });
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    context: browser.contexts()[0],
    async kill() {
      process.kill(-proc.pid!, 'SIGKILL');
      await exited;
    },
  };
}

/** A fresh profile directory, and its removal. */
export function tempProfile(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'inpage-embeddings-profile-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
