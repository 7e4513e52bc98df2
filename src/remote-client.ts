/**
 * The HTTP client for remote rows: OpenAI, Baichuan, zhipu, or any OpenAI-compatible server (a site's own
 * TEI, vLLM, Infinity, Ollama, or a proxy in front of a provider). It runs on the main thread and is the only
 * holder of API keys: the worker never sees a remote request, nothing here is stored, and every message it
 * builds is scrubbed of credentials.
 */

import { APIConnectionError, APIConnectionTimeoutError, APIError, badRequest, makeError } from './errors.js';
import type { RemoteModelRow } from './models.js';
import { mapPool, planParts, type RemoteInput } from './remote-batches.js';
import { credentialValues, DEFAULT_BASE_URLS, redact, snippet, toOpenAIError } from './remote-providers.js';
import { badResponse, decodeEmbeddings, type DecodedPart } from './remote-response.js';
import { RateLimiter, retryDelayMs, shouldRetry, sleep, userAbort } from './remote-retry.js';

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

/** Per-call settings of `RemoteClient.embed`. */
export interface RemoteEmbedOptions {
  /** Forwarded only where the row has `nativeDimensions`; otherwise the caller truncates. */
  dimensions?: number;
  user?: string;
  signal?: AbortSignal;
  timeout?: number;
  maxRetries?: number;
}

/** What the client needs from its surroundings; injected so tests and unusual runtimes can swap them. */
export interface RemoteClientDeps {
  /** A WHATWG fetch. Default: `globalThis.fetch`, looked up at call time. */
  fetch?: typeof fetch;
  /** Jitter source for the backoff. Default `Math.random`. */
  random?: () => number;
}

const DEFAULTS = { maxRetries: 2, timeout: 60_000, maxConcurrency: 4, requestsPerSecond: 100 } as const;

interface Provider {
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

type Attempt =
  | { ok: true; part: DecodedPart }
  | { ok: false; error: APIError; retry: boolean; headers?: Headers };

/** Resolve and check one provider's options; a configuration mistake throws at construction. */
function resolveProvider(name: string, options: RemoteProviderOptions): Provider {
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
function notConfigured(row: RemoteModelRow): APIError {
  const p = JSON.stringify(row.provider);
  const how = DEFAULT_BASE_URLS[row.provider]
    ? `pass \`remote: { ${p}: { baseURL: '<your proxy>/v1' } }\` (your server adds the key), or \`remote: { ${p}: { apiKey } }\` (anyone who can open the page can read that key)`
    : `pass \`remote: { ${p}: { baseURL: 'https://<your server>/v1' } }\``;
  return badRequest(`${row.id} is served by the ${row.provider} API, which this client has no settings for: ${how}.`,
    'model', 'remote_not_configured');
}

/** Rebuild `error` as the same class with every credential scrubbed from its text. */
function scrubbed(error: APIError, secrets: readonly string[]): APIError {
  const clean = (s: string | null) => (s === null ? null : redact(s, secrets));
  const Class = error.constructor as new (status: number | undefined, e: APIError['error']) => APIError;
  return new Class(error.status, {
    message: redact(error.error.message, secrets), type: redact(error.error.type, secrets),
    param: clean(error.error.param), code: clean(error.error.code),
  });
}

/** Describe a fetch failure: undici hides the reason (ECONNRESET, ECONNREFUSED) in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const why = cause ? cause.code ?? cause.message : undefined;
  return why ? `${err.message}: ${why}` : err.message;
}

function parseJSON(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

/**
 * Forward embeddings requests for remote rows.
 *
 * @example
 * const remote = new RemoteClient({ openai: { baseURL: '/api/openai/v1' } });
 * const { vectors } = await remote.embed(row, ['hello'], {});
 */
export class RemoteClient {
  // Private fields: keys stay out of JSON.stringify, structuredClone, and console previews of the client.
  readonly #providers = new Map<string, Provider>();
  readonly #fetch: typeof fetch | undefined;
  readonly #random: () => number;

  constructor(remote: Record<string, RemoteProviderOptions> = {}, deps: RemoteClientDeps = {}) {
    for (const [name, options] of Object.entries(remote)) this.#providers.set(name, resolveProvider(name, options ?? {}));
    this.#fetch = deps.fetch;
    this.#random = deps.random ?? Math.random;
  }

  /**
   * Return one full unit vector per input, in order, and the tokens the provider billed (summed over requests).
   * Vectors are `dimensions` wide where the row has `nativeDimensions`, else `row.dims` wide.
   */
  async embed(row: RemoteModelRow, inputs: RemoteInput[], opts: RemoteEmbedOptions = {}): Promise<DecodedPart> {
    const provider = this.#providers.get(row.provider);
    if (!provider) throw notConfigured(row);
    if (opts.signal?.aborted) throw userAbort();
    if (inputs.length === 0) return { vectors: [], tokens: 0 };
    const dims = row.nativeDimensions && opts.dimensions !== undefined ? opts.dimensions : row.dims;
    const parts = planParts(inputs, provider.maxInputsPerRequest ?? row.maxInputsPerRequest, row.maxTokensPerRequest, row.maxTokens);
    // One controller for the call: the caller's abort, or the first part that fails for good, stops the others.
    const group = new AbortController();
    const onAbort = () => group.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const results = await mapPool(parts, provider.maxConcurrency, (part) =>
        this.#request(provider, row, inputs.slice(part.start, part.end), dims, opts, group.signal));
      const vectors = results.flatMap((r) => r.vectors);
      if (vectors.some((v) => v.length !== vectors[0].length)) {
        throw badResponse(`The ${provider.name} API at ${provider.origin}`, 'vectors of different widths across requests');
      }
      return { vectors, tokens: results.reduce((sum, r) => sum + r.tokens, 0) };
    } catch (err) {
      group.abort();
      throw opts.signal?.aborted ? userAbort() : err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Send one part, retrying what openai-node retries, each attempt through the provider's rate limiter. */
  async #request(
    provider: Provider, row: RemoteModelRow, inputs: RemoteInput[], dims: number, opts: RemoteEmbedOptions, signal: AbortSignal,
  ): Promise<DecodedPart> {
    // encoding_format always goes explicitly: servers differ on the default, and a base64 answer
    // read as floats (or the reverse) silently changes a vector's length.
    const body: Record<string, unknown> = {
      model: row.providerModel, input: inputs, encoding_format: row.base64 ? 'base64' : 'float',
    };
    if (row.nativeDimensions && opts.dimensions !== undefined) body.dimensions = opts.dimensions;
    if (opts.user !== undefined) body.user = opts.user;
    const json = JSON.stringify(body);
    const maxRetries = opts.maxRetries ?? provider.maxRetries;
    const timeout = opts.timeout ?? provider.timeout;
    for (let retry = 0; ; retry++) {
      await provider.limiter.take(signal);
      const result = await this.#attempt(provider, json, inputs.length, dims, timeout, signal);
      if (result.ok) return result.part;
      if (!result.retry || retry >= maxRetries) throw result.error;
      await sleep(retryDelayMs(result.headers, retry, this.#random), signal);
    }
  }

  /** Make one HTTP attempt and classify its outcome; every error leaves here scrubbed of credentials. */
  async #attempt(provider: Provider, json: string, count: number, dims: number, timeout: number, signal: AbortSignal): Promise<Attempt> {
    let secrets = provider.secrets;
    const fail = (error: APIError, retry: boolean, headers?: Headers): Attempt =>
      ({ ok: false, error: scrubbed(error, secrets), retry, headers });
    const where = `The ${provider.name} API at ${provider.origin}`;

    // 1. Headers: a function runs per attempt, so a short-lived token is fresh on every retry.
    let extra: Record<string, string>;
    try {
      extra = typeof provider.headers === 'function' ? await provider.headers() : provider.headers ?? {};
    } catch (err) {
      // Only the error's name: its message may quote the very token that could not be made.
      return fail(new APIError(undefined, {
        message: `remote.${provider.name}.headers() threw ${err instanceof Error ? err.name : typeof err}; no request was sent.`,
        code: 'remote_headers_failed',
      }), false);
    }
    secrets = [...secrets, ...credentialValues(extra)];
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
    Object.assign(headers, extra);

    // 2. Fetch and read the body under one timer, linked to the call's signal.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeout);
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let res: Response;
    let raw: string;
    try {
      // redirect 'manual': the key must reach only this origin. A followed redirect would carry our
      // headers (custom ones always; Authorization too in older engines) wherever the server points.
      res = await (this.#fetch ?? globalThis.fetch)(provider.url, {
        method: 'POST', headers, body: json, signal: controller.signal, redirect: 'manual',
      });
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
        await res.body?.cancel().catch(() => undefined);
        return fail(new APIError(res.status || undefined, {
          message: `${where} answered with a redirect, which is not followed so that credentials reach no other origin: ` +
            `set remote.${provider.name}.baseURL to the final address.`,
          code: 'redirect_refused',
        }), false);
      }
      raw = await res.text();
    } catch (err) {
      if (signal.aborted) return fail(userAbort(), false);
      if (timedOut) {
        return fail(new APIConnectionTimeoutError(undefined, {
          message: `Request timed out: ${where} did not answer within ${timeout} ms.`, code: 'timeout',
        }), true);
      }
      return fail(new APIConnectionError(undefined, {
        message: `Connection error: ${where} could not be reached (${describe(err)}). ` +
          'The network may be down, the connection reset, or the server may not allow this origin (CORS).',
        code: 'connection_error',
      }), true);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }

    // 3. Classify the answer.
    const parsed = parseJSON(raw);
    if (!res.ok) {
      const error = makeError(res.status, toOpenAIError(res.status, parsed.ok ? parsed.value : undefined, raw));
      return fail(error, shouldRetry(res.status, res.headers), res.headers);
    }
    if (!parsed.ok) return fail(badResponse(where, `the body is not JSON (${snippet(raw, 120)})`), false);
    const body = parsed.value as { data?: unknown; error?: unknown };
    if (body && typeof body === 'object' && !Array.isArray(body.data) && body.error !== undefined) {
      return fail(badResponse(where, `status ${res.status} with an error: ${toOpenAIError(res.status, body, raw).message}`), false);
    }
    try {
      return { ok: true, part: decodeEmbeddings(body, count, dims, where) };
    } catch (err) {
      if (err instanceof APIError) return fail(err, false);
      throw err;
    }
  }
}
