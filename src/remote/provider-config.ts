/**
 * Remote providers' settings: the `remote` option's types, and their resolution into one checked `Provider`
 * each (base URL, credentials to scrub, retry, timeout, concurrency and rate limits). A configuration
 * mistake throws here, when the client is built, not on the first request.
 */

import { badRequest, type APIError } from '../errors.js';
import type { RemoteModelRow } from '../models.js';
import { credentialValues, DEFAULT_BASE_URLS } from './remote-providers.js';
import { RateLimiter } from './remote-retry.js';

/** Static headers, or a function that returns them before each attempt (e.g. a short-lived token). */
export type RemoteHeaders = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/** One provider's settings, under its name in the `remote` option. */
export interface RemoteProviderOptions {
  /**
   * Sent as `Authorization: Bearer <apiKey>`, to `baseURL`'s origin only. A key in a page is readable by
   * everyone who can open that page: in public pages leave it out and point `baseURL` at your own proxy.
   */
  apiKey?: string;
  /** The API root that `/embeddings` is appended to. Default for openai, baichuan, zhipu; required for others. May be relative in a page. */
  baseURL?: string;
  /** Extra headers; a function is called before every attempt, so a short-lived token stays fresh across retries. */
  headers?: RemoteHeaders;
  /** Retries of 408, 409, 429, 5xx, timeouts and connection errors. Default 2. */
  maxRetries?: number;
  /** Milliseconds one attempt may take before APIConnectionTimeoutError. Default 60000. */
  timeout?: number;
  /** Most inputs per request. Default: the model row's `maxInputsPerRequest`. */
  maxInputsPerRequest?: number;
  /** Requests in flight at once for one `create()` call. Default 4. */
  maxConcurrency?: number;
  /** Most requests started per second, over every call to this provider, retries included. Default 100; 0: no limit. */
  requestsPerSecond?: number;
}

const DEFAULTS = { maxRetries: 2, timeout: 60_000, maxConcurrency: 4, requestsPerSecond: 100 } as const;

/** One provider, resolved: what every request to it needs. */
export interface Provider {
  name: string;
  /** `<baseURL>/embeddings`, resolved once. */
  url: string;
  origin: string;
  apiKey?: string;
  headers?: RemoteHeaders;
  /** Every credential known before a request: scrubbed from every message. */
  secrets: string[];
  maxRetries: number;
  timeout: number;
  maxInputsPerRequest?: number;
  maxConcurrency: number;
  limiter: RateLimiter;
}

/** Resolve and check one provider's options; a configuration mistake throws at construction. */
export function resolveProvider(name: string, options: RemoteProviderOptions): Provider {
  const base = options.baseURL ?? DEFAULT_BASE_URLS[name];
  if (!base) {
    throw new TypeError(`remote.${name}: set baseURL (only ${Object.keys(DEFAULT_BASE_URLS).join(', ')} have a default).`);
  }
  let url: URL;
  try {
    url = new URL(base, (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw new TypeError(`remote.${name}.baseURL is not a URL: give an absolute http(s) URL, or a path in a page.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`remote.${name}.baseURL must be http(s).`);
  if (url.username || url.password) throw new TypeError(`remote.${name}.baseURL must not carry credentials: use apiKey or headers.`);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/embeddings`;
  const count = (value: number | undefined, fallback: number, key: string, min: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || Number.isNaN(value) || value < min) throw new TypeError(`remote.${name}.${key} must be a number ≥ ${min}.`);
    return value;
  };
  const staticHeaders = typeof options.headers === 'object' ? options.headers : {};
  return {
    name, url: url.href, origin: url.origin, apiKey: options.apiKey, headers: options.headers,
    secrets: [options.apiKey ?? '', ...credentialValues(staticHeaders)].filter(Boolean),
    maxRetries: count(options.maxRetries, DEFAULTS.maxRetries, 'maxRetries', 0),
    timeout: count(options.timeout, DEFAULTS.timeout, 'timeout', 1),
    maxInputsPerRequest: options.maxInputsPerRequest === undefined ? undefined : count(options.maxInputsPerRequest, 0, 'maxInputsPerRequest', 1),
    maxConcurrency: count(options.maxConcurrency, DEFAULTS.maxConcurrency, 'maxConcurrency', 1),
    limiter: new RateLimiter(count(options.requestsPerSecond, DEFAULTS.requestsPerSecond, 'requestsPerSecond', 0)),
  };
}

/** The 400 for a remote row whose provider has no entry in the `remote` option. */
export function notConfigured(row: RemoteModelRow): APIError {
  const p = JSON.stringify(row.provider);
  const how = DEFAULT_BASE_URLS[row.provider]
    ? `pass \`remote: { ${p}: { baseURL: '<your proxy>/v1' } }\` (your server adds the key), or \`remote: { ${p}: { apiKey } }\` (anyone who can open the page can read that key)`
    : `pass \`remote: { ${p}: { baseURL: 'https://<your server>/v1' } }\``;
  return badRequest(`${row.id} is served by the ${row.provider} API, which this client has no settings for: ${how}.`,
    'model', 'remote_not_configured');
}
