/**
 * `inpage-embeddings/sw`: answer `POST <prefix>/embeddings` and `GET <prefix>/models` on the site's own
 * origin from inside its service worker, so any page (or library with `baseURL: location.origin + '/v1'`)
 * can `fetch('/v1/embeddings')`, online or offline.
 *
 * The service worker never runs a model: it cannot dynamic-import in MV3 extensions, and idle service
 * workers are killed, taking a loaded model with them. It forwards each request over a MessageChannel to
 * a window of the origin that called `serveToServiceWorker(client)`, and returns that page's response.
 * When no such page is open it waits `waitForPage` ms for one to appear, then answers 503 with an
 * OpenAI error body, `code: 'no_model_page'`. If the serving page closes mid-request: 503 `model_page_closed`.
 *
 * Dependency-free: it imports only types.
 */

import type { AbortMessage, ForwardedRequest, ForwardedResponse, ProbeMessage, ReadyMessage } from './sw-protocol.js';

/** Options of `routeEmbeddings`. */
export interface RouteOptions {
  /** Path prefix on this origin. Default `/v1`: `/v1/embeddings`, `/v1/models`, `/v1/models/{id}`. */
  prefix?: string;
  /**
   * Require `Authorization: Bearer <token>` (else 401 `invalid_api_key`). A shared word between your pages
   * and this route, not a secret from code on your origin, which can read the service worker script.
   */
  token?: string;
  /**
   * Add CORS headers and answer `OPTIONS` on the routes: `true` for any origin, or the allowed origin(s).
   * Off by default: requests reaching a service worker come from its own pages, and browsers send no
   * preflight through it, so only callers that check CORS on these responses need it.
   */
  cors?: boolean | string | string[];
  /** How long a request waits for a page serving models to answer before the 503. Default 3000 ms. */
  waitForPage?: number;
  /** The service worker scope to listen on. Default: `self`. */
  scope?: ServiceWorkerGlobalScope;
}

/** A fetch-event handler: calls `respondWith` and returns true for requests it answers. */
export type EmbeddingsHandler = (event: FetchEvent) => boolean;

/** How often a waiting request re-probes window clients, and checks that its serving page still exists. */
const PROBE_EVERY_MS = 200;
const ALIVE_EVERY_MS = 1000;

function errorResponse(status: number, message: string, code: string, type: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { message, type, param: null, code } }), {
    status, headers: { 'content-type': 'application/json', ...headers },
  });
}

/**
 * Find a window of this origin that serves models: probe every window (again each PROBE_EVERY_MS, since
 * a page still loading may not listen yet) until one answers or `waitMs` passes.
 */
function findModelPage(scope: ServiceWorkerGlobalScope, waitMs: number, preferred: string): Promise<Client | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const ports: MessagePort[] = [];
    const finish = (client: Client | undefined) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      for (const port of ports) port.close();
      resolve(client);
    };
    const scan = async () => {
      const clients = [...await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })];
      // The asking page first: when it serves models too, nothing crosses to another tab.
      clients.sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred));
      for (const client of clients) {
        if (done) return;
        const channel = new MessageChannel();
        ports.push(channel.port1);
        channel.port1.onmessage = (event: MessageEvent<ReadyMessage>) => {
          if (event.data?.type === 'inpage-embeddings:ready') finish(client);
        };
        const probe: ProbeMessage = { type: 'inpage-embeddings:probe' };
        client.postMessage(probe, [channel.port2]);
      }
    };
    const timer = setInterval(() => void scan(), PROBE_EVERY_MS);
    const deadline = setTimeout(() => finish(undefined), waitMs);
    void scan();
  });
}

/** Forward one request to `page` and wait for its response, a page-gone 503, or the caller's abort. */
async function forward(scope: ServiceWorkerGlobalScope, page: Client, request: Request): Promise<Response> {
  const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer();
  const channel = new MessageChannel();
  let alive: ReturnType<typeof setInterval> | undefined;
  try {
    return await new Promise<Response>((resolve, reject) => {
      channel.port1.onmessage = (event: MessageEvent<ForwardedResponse>) => {
        const { status, headers, body } = event.data;
        resolve(new Response(body, { status, headers }));
      };
      request.signal.addEventListener('abort', () => {
        const abort: AbortMessage = { type: 'inpage-embeddings:abort' };
        channel.port1.postMessage(abort);
        reject(request.signal.reason);
      }, { once: true });
      alive = setInterval(async () => {
        if (await scope.clients.get(page.id)) return;
        resolve(errorResponse(503, 'The page computing this request closed before it answered. Retry: another open page of this site may serve it.',
          'model_page_closed', 'server_error'));
      }, ALIVE_EVERY_MS);
      const message: ForwardedRequest = {
        type: 'inpage-embeddings:request', method: request.method, url: request.url, headers: [...request.headers], body,
      };
      page.postMessage(message, body ? [channel.port2, body] : [channel.port2]);
    });
  } finally {
    clearInterval(alive);
    channel.port1.close();
  }
}

/** CORS headers for a response to `request`, or none when CORS is off or its origin is not allowed. */
function corsHeaders(cors: RouteOptions['cors'], request: Request): Record<string, string> {
  if (!cors) return {};
  const origin = request.headers.get('origin');
  if (cors === true) return { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-request-id, openai-processing-ms' };
  const allowed = typeof cors === 'string' ? [cors] : cors;
  if (!origin || !allowed.includes(origin)) return { vary: 'origin' };
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'x-request-id, openai-processing-ms', vary: 'origin' };
}

/**
 * The origin a navigation to the route comes from, when the route may not answer it; undefined when it may.
 * Fetches reach a service worker only from its own origin's pages and workers, but another site's page can
 * navigate a window here (a form POST in a new tab), and that navigation is this origin's: it is answered
 * only when its referrer is this origin or one `cors` allows. No referrer (`no-referrer`, a typed URL) is refused.
 */
function refusedNavigation(request: Request, cors: RouteOptions['cors'], ownOrigin: string): string | undefined {
  if (request.mode !== 'navigate' || cors === true) return undefined;
  let from = 'a page that sent no referrer';
  try { from = new URL(request.referrer).origin; } catch { return from; }
  const allowed = !cors ? [] : typeof cors === 'string' ? [cors] : cors;
  return from === ownOrigin || allowed.includes(from) ? undefined : from;
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  if (Object.keys(headers).length === 0) return response;
  const merged = new Headers(response.headers);
  for (const [name, value] of Object.entries(headers)) merged.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged });
}

/**
 * Make a fetch-event handler for the embeddings routes (for service workers with a router of their own).
 * Other requests return false and are left to the next handler.
 */
export function embeddingsHandler(options: RouteOptions = {}): EmbeddingsHandler {
  const scope = options.scope ?? (globalThis as unknown as ServiceWorkerGlobalScope);
  const prefix = `/${(options.prefix ?? '/v1').replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  const waitMs = options.waitForPage ?? 3000;

  const handle = async (event: FetchEvent, cors: Record<string, string>): Promise<Response> => {
    const request = event.request;
    // 1. Another site's navigation, then the token, before any page is woken.
    const refused = refusedNavigation(request, options.cors, scope.location.origin);
    if (refused !== undefined) {
      return errorResponse(403, `This route answers pages of ${scope.location.origin}; a navigation from ${refused} was refused. ` +
        'To allow another site, list its origin in routeEmbeddings({ cors }).', 'origin_not_allowed', 'invalid_request_error');
    }
    if (options.token !== undefined && request.headers.get('authorization') !== `Bearer ${options.token}`) {
      return errorResponse(401, 'Incorrect API key provided. This route expects the bearer token configured in routeEmbeddings({ token }).',
        'invalid_api_key', 'invalid_request_error', cors);
    }
    // 2. A page that serves models, waiting a little for one to open or finish loading.
    const page = await findModelPage(scope, waitMs, event.clientId || event.resultingClientId);
    if (!page) {
      return errorResponse(503,
        `No open page of this site serves inpage-embeddings models (none answered within ${waitMs} ms). ` +
          'Open a page that calls serveToServiceWorker(client), then retry.',
        'no_model_page', 'server_error', { 'x-should-retry': 'false', ...cors });
    }
    // 3. Its response, byte for byte, plus CORS headers when configured.
    return withHeaders(await forward(scope, page, request), cors);
  };

  return (event: FetchEvent): boolean => {
    const url = new URL(event.request.url);
    if (url.origin !== scope.location.origin) return false;
    const path = url.pathname;
    const routed = path === `${prefix}/embeddings` || path === `${prefix}/models` || path.startsWith(`${prefix}/models/`);
    if (!routed) return false;
    const cors = corsHeaders(options.cors, event.request);
    if (event.request.method === 'OPTIONS') {
      if (!options.cors) return false;
      event.respondWith(new Response(null, {
        status: 204,
        headers: {
          ...cors, 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-max-age': '86400',
          'access-control-allow-headers': event.request.headers.get('access-control-request-headers') ?? 'authorization, content-type',
        },
      }));
      return true;
    }
    event.respondWith(handle(event, cors));
    return true;
  };
}

/**
 * Answer the embeddings routes in this service worker: adds a `fetch` listener, so call it while the
 * script first runs. Return the handler.
 *
 * @example
 * // sw.js, registered with { type: 'module' } (or bundled)
 * import { routeEmbeddings } from 'inpage-embeddings/sw';
 * routeEmbeddings({ prefix: '/v1' });
 */
export function routeEmbeddings(options: RouteOptions = {}): EmbeddingsHandler {
  const scope = options.scope ?? (globalThis as unknown as ServiceWorkerGlobalScope);
  const handler = embeddingsHandler({ ...options, scope });
  scope.addEventListener('fetch', (event) => void handler(event));
  return handler;
}
