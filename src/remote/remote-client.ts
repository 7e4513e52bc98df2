/**
 * The HTTP client for remote rows: OpenAI, Baichuan, zhipu, or any OpenAI-compatible server (a site's own
 * TEI, vLLM, Infinity, Ollama, or a proxy in front of a provider). It runs on the main thread and is the only
 * holder of API keys: the worker never sees a remote request, nothing here is stored, and every message it
 * builds is scrubbed of credentials.
 */

import { APIConnectionError, APIConnectionTimeoutError, APIError, makeError } from '../errors.js';
import type { RemoteModelRow } from '../models.js';
import { notConfigured, resolveProvider, type Provider, type RemoteProviderOptions } from './provider-config.js';
import { mapPool, planParts, type RemoteInput } from './remote-batches.js';
import { credentialValues, redact, snippet, toOpenAIError } from './remote-providers.js';
import { badResponse, decodeEmbeddings, type DecodedPart } from './remote-response.js';
import { retryDelayMs, shouldRetry, sleep, userAbort } from './remote-retry.js';

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

type Attempt =
  | { ok: true; part: DecodedPart }
  | { ok: false; error: APIError; retry: boolean; headers?: Headers };

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
