/**
 * The live panel: backend and threads, vectors computed versus served from the cache, cache size,
 * tokens run, and what those tokens would have cost at the remote models' published prices.
 */

import { CATALOGUE, type InPageEmbeddings } from '../src/index.js';
import type { Pause } from './pause-meter.js';
import { LONG_MS } from './pause-meter.js';
import { formatBytes, formatMs } from './progress.js';

/** Everything the panel shows, gathered from the client and the page. */
export interface PanelStats {
  backend: string;
  isolated: boolean;
  cores: number;
  computed: number;
  fromCache: number;
  cacheEntries?: number;
  cacheBytes?: number;
  tokensRun: number;
  tokensCached: number;
  /** The longest main-thread pause since the page started (`undefined`: none reached 50 ms). */
  pause?: Pause;
  /** How it was measured (`PauseMeter.source`). */
  pauseSource: string;
  offline: string;
}

/** Remote rows priced per 1M tokens, cheapest first: what the same tokens would cost there. */
const REMOTE_PRICES = CATALOGUE.filter((row) => row.route === 'remote' && row.ownedBy === 'openai')
  .map((row) => ({ id: row.id, perMillion: row.pricePerMillion }))
  .sort((a, b) => a.perMillion - b.perMillion);

/** What the panel and the "clear" button use of `client.cache`. */
export interface CacheLike {
  stats(): Promise<{ entries: number; bytes: number; hits: number; misses: number }>;
  clear(): Promise<void>;
}

/** The client's vector cache, or `undefined` on a build of the library without one. */
export function cacheOf(client: InPageEmbeddings): CacheLike | undefined {
  return 'cache' in client ? (client as unknown as { cache: CacheLike }).cache : undefined;
}

/** Read the client's counters; the cache is feature-detected so the demo runs on builds without it. */
export async function collectStats(
  client: InPageEmbeddings, page: { pause?: Pause; pauseSource: string; offline: string },
): Promise<PanelStats> {
  const [backends, engine] = await Promise.all([client.backends(), client.engineStats()]);
  const usage = client.usage().total;
  const cache = await cacheOf(client)?.stats().catch(() => undefined);
  const b = backends[0];
  const backend = b
    ? `${b.device === 'wasm' ? 'WASM' : b.device} · ${b.dtype} · ${b.numThreads} thread${b.numThreads === 1 ? '' : 's'}`
    : usage.remoteTokens ? 'remote provider' : 'not started: every vector so far came from the cache';
  return {
    backend,
    isolated: globalThis.crossOriginIsolated === true,
    cores: navigator.hardwareConcurrency ?? 1,
    // Misses are vectors computed (locally or remotely); without a cache, the worker's count is all there is.
    computed: cache ? cache.misses : engine.texts,
    fromCache: cache ? cache.hits : 0,
    cacheEntries: cache?.entries,
    cacheBytes: cache?.bytes,
    tokensRun: usage.localTokens + usage.remoteTokens,
    tokensCached: usage.cachedTokens,
    ...page,
  };
}

/** Renders PanelStats into a `<dl>`; each value is a `<dd data-stat="...">`. */
export class Panel {
  constructor(private readonly root: HTMLElement) {}

  /** Show the latest numbers. */
  show(s: PanelStats): void {
    const tokens = s.tokensRun + s.tokensCached;
    const rows: Row[] = [
      ['backend', 'Backend', s.backend],
      ['isolated', 'Cross-origin isolated', s.isolated ? `yes · ${s.cores} cores` : 'no · 1 thread'],
      ['computed', 'Vectors computed', groupDigits(s.computed)],
      ['cached', 'Vectors from cache', groupDigits(s.fromCache)],
      ['cache', 'Cache (IndexedDB)', s.cacheBytes === undefined ? 'not in this build' : `${s.cacheEntries} · ${formatBytes(s.cacheBytes)}`],
      ['tokens', 'Tokens run', groupDigits(s.tokensRun)],
      ['tokens-cached', 'Tokens from cache', groupDigits(s.tokensCached)],
      'The same tokens at remote prices',
      ...REMOTE_PRICES.map(({ id, perMillion }): Row => [`cost-${id}`, [id, `$${perMillion} / 1M tokens`], usd((tokens * perMillion) / 1e6)]),
      'This page',
      ['pause', ['Longest UI pause', s.pause?.cause ?? `main thread, from ${s.pauseSource}`], s.pause ? formatMs(s.pause.ms) : `< ${LONG_MS} ms`],
      ['offline', 'Works offline', s.offline],
    ];
    this.root.replaceChildren(...rows.flatMap((row) => {
      const dt = document.createElement('dt');
      if (typeof row === 'string') {
        dt.className = 'group';
        dt.textContent = row;
        return [dt];
      }
      const [key, label, value] = row;
      if (typeof label === 'string') dt.textContent = label;
      else dt.append(label[0], Object.assign(document.createElement('small'), { textContent: label[1] }));
      const dd = document.createElement('dd');
      dd.dataset.stat = key;
      dd.textContent = value;
      return [dt, dd];
    }));
  }
}

/** A `[key, label (or label and note), value]` row, or a group heading. */
type Row = [string, string | [string, string], string] | string;

/**
 * "12,345". Not `toLocaleString()`: the first call in a tab loads ICU's locale data on the main thread, a
 * 55–67 ms task in headless Chromium on a busy 2-core machine, and it was the panel's first refresh.
 */
export function groupDigits(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "$0.000123": these sums are tiny, which is the point. */
function usd(amount: number): string {
  return amount === 0 ? '$0' : amount < 0.01 ? `$${amount.toFixed(6)}` : `$${amount.toFixed(4)}`;
}
