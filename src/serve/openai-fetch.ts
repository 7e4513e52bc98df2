/**
 * `client.fetch`: a WHATWG fetch that answers OpenAI's embeddings and models routes in-process, so code
 * written against OpenAI (the official SDK, plain `fetch`) runs unchanged against the page's models.
 */

import { APIConnectionError, APIConnectionTimeoutError, APIError } from '../errors.js';
import type { RequestOptions } from '../client-options.js';
import type { CreateEmbeddingResponse, EmbeddingCreateParams, ErrorObject, Model, ModelsPage } from '../openai-types.js';

/** What `client.fetch` needs of a client (`InPageEmbeddings` has it; typed structurally so nothing imports the embedder). */
export interface EmbeddingsBackend {
  embeddings: { create(body: EmbeddingCreateParams, options?: RequestOptions): Promise<CreateEmbeddingResponse> };
  models: { list(): Promise<ModelsPage> };
}

/** Options of `createOpenAIFetch`. */
export interface OpenAIFetchOptions {
  /**
   * Where requests for any other path go: `true` (default) the global `fetch` as it was when this fetch was
   * made (so `globalThis.fetch = client.fetch` cannot loop), a fetch of your own, or `false` to answer them
   * 404 without touching the network.
   */
  passthrough?: boolean | typeof fetch;
}

type Route = { kind: 'embeddings' } | { kind: 'models' } | { kind: 'model'; candidates: string[] };

const JSON_TYPE = 'application/json';

/**
 * Match `<anything>/embeddings`, `<anything>/models` and `<anything>/models/<id>`. Ids may hold `/`
 * (`BAAI/bge-small-en-v1.5`, sent percent-encoded by the SDK), so every split after a `/models/` is a candidate.
 */
function matchRoute(pathname: string): Route | undefined {
  if (pathname.endsWith('/embeddings')) return { kind: 'embeddings' };
  if (pathname.endsWith('/models')) return { kind: 'models' };
  const candidates: string[] = [];
  for (let at = pathname.indexOf('/models/'); at !== -1; at = pathname.indexOf('/models/', at + 1)) {
    const rest = pathname.slice(at + '/models/'.length);
    if (!rest) continue;
    try { candidates.push(decodeURIComponent(rest)); } catch { candidates.push(rest); }
  }
  return candidates.length ? { kind: 'model', candidates } : undefined;
}

/** An id like OpenAI's `req_…`, from getRandomValues (randomUUID needs a secure context). */
function requestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `req_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function json(status: number, body: unknown, started: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': JSON_TYPE, 'x-request-id': requestId(),
      'openai-processing-ms': String(Math.round(performance.now() - started)), ...headers,
    },
  });
}

function errorBody(error: Partial<ErrorObject> & { message: string }): { error: ErrorObject } {
  return { error: { message: error.message, type: error.type ?? 'invalid_request_error', param: error.param ?? null, code: error.code ?? null } };
}

function isErrorObject(x: unknown): x is ErrorObject {
  return typeof x === 'object' && x !== null && typeof (x as ErrorObject).message === 'string';
}

/**
 * Turn a thrown value into OpenAI's error response. APIErrors keep their status and body (duck-typed too,
 * in case two copies of this library meet); a status-less connection error of a remote provider becomes
 * 502/504; anything else is a 500 the SDK is told not to retry, since a bug answers the same way twice.
 */
function errorResponse(err: unknown, started: number): Response {
  const e = err as { status?: unknown; error?: unknown };
  if (err instanceof APIError || (typeof err === 'object' && err !== null && isErrorObject(e.error))) {
    const status = typeof e.status === 'number' ? e.status
      : err instanceof APIConnectionTimeoutError ? 504 : err instanceof APIConnectionError ? 502 : 500;
    return json(status, errorBody(e.error as ErrorObject), started);
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return json(500, errorBody({
    message: `The server had an error while processing your request: ${detail}`, type: 'server_error',
  }), started, { 'x-should-retry': 'false' });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Settle with `work`, or reject with the signal's reason as soon as it aborts (as fetch does). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function requestUrl(input: RequestInfo | URL): string {
  return input instanceof Request ? input.url : input instanceof URL ? input.href : String(input);
}

/** Answer one matched request. */
async function answer(client: EmbeddingsBackend, route: Route, request: Request, started: number): Promise<Response> {
  const { method } = request;
  const path = new URL(request.url).pathname;
  const allowed = route.kind === 'embeddings' ? 'POST' : 'GET';
  if (method !== allowed) {
    return json(405, errorBody({ message: `Invalid method for URL (${method} ${path}): use ${allowed}.`, code: 'method_not_allowed' }),
      started, { allow: allowed });
  }
  if (route.kind === 'models') return json(200, await client.models.list(), started);
  if (route.kind === 'model') {
    const { data } = await client.models.list();
    const model = route.candidates.map((id) => data.find((m: Model) => m.id === id)).find((m) => m !== undefined);
    if (model) return json(200, model, started);
    return json(404, errorBody({
      message: `The model \`${route.candidates[0]}\` does not exist or you do not have access to it.`,
      param: 'model', code: 'model_not_found',
    }), started);
  }
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return json(400, errorBody({
      message: 'We could not parse the JSON body of your request. The embeddings API expects a JSON payload, but what was sent was not valid JSON.',
    }), started);
  }
  return json(200, await client.embeddings.create(body as EmbeddingCreateParams, { signal: request.signal }), started);
}

/**
 * Make a fetch that answers `POST …/embeddings`, `GET …/models` and `GET …/models/{id}` (any origin,
 * any prefix) from `client`, as OpenAI's API would: JSON with `content-type: application/json` and an
 * `x-request-id`, errors as HTTP status + OpenAI's error body. Other requests go to `passthrough`.
 *
 * @example
 * const openai = new OpenAI({ apiKey: 'unused', baseURL: 'https://inpage.local/v1', fetch: createOpenAIFetch(client), dangerouslyAllowBrowser: true });
 */
export function createOpenAIFetch(client: EmbeddingsBackend, options: OpenAIFetchOptions = {}): typeof fetch {
  const { passthrough = true } = options;
  const network = typeof passthrough === 'function' ? passthrough : globalThis.fetch;
  const forward = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => network(input, init);

  return async function openaiFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const started = performance.now();
    // 1. Route on the URL alone, so requests for other paths reach `passthrough` untouched (bodies unread).
    let url: URL;
    try {
      url = new URL(requestUrl(input), globalThis.location?.href);
    } catch (err) {
      if (passthrough !== false) return forward(input, init);
      throw err;
    }
    const route = matchRoute(url.pathname);
    if (!route) {
      if (passthrough !== false) return forward(input, init);
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      return json(404, errorBody({
        message: `Invalid URL (${method} ${url.pathname}): this fetch answers POST …/embeddings, GET …/models and ` +
          'GET …/models/{id}; other requests are refused because passthrough is false.',
        code: 'unknown_url',
      }), started);
    }
    // 2. Read method, headers, body and signal as fetch would, from a Request or (url, init).
    const request = input instanceof Request && !init ? input : new Request(input instanceof Request ? input : url, init);
    if (request.signal.aborted) throw abortReason(request.signal);
    // 3. Compute; errors become responses, an abort rejects.
    try {
      return await raceAbort(answer(client, route, request, started), request.signal);
    } catch (err) {
      if (request.signal.aborted) throw abortReason(request.signal);
      return errorResponse(err, started);
    }
  };
}
