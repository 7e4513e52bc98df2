/**
 * The wire contract between the service worker route (`sw-route.ts`) and the page bridge (`sw-bridge.ts`):
 * pure types. Tags are literal types rather than shared constants so the service worker bundle imports
 * nothing at run time.
 *
 * 1. The service worker posts a `probe` with a port to each window client; a page serving models
 *    answers `ready` on that port.
 * 2. It posts one `request` with a fresh port to the first page that answered; the page answers one
 *    `response` on that port. If the caller aborts, the service worker posts `abort` on the same port.
 */

/** Asks a window client whether it serves models. */
export interface ProbeMessage {
  type: 'inpage-embeddings:probe';
}

/** A page's answer to a probe. */
export interface ReadyMessage {
  type: 'inpage-embeddings:ready';
}

/** One HTTP request forwarded to a page; `body` is transferred. */
export interface ForwardedRequest {
  type: 'inpage-embeddings:request';
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: ArrayBuffer | null;
}

/** Tells the page the caller gave up on the request sent over this port. */
export interface AbortMessage {
  type: 'inpage-embeddings:abort';
}

/** The page's HTTP response, exactly as `client.fetch` produced it; `body` is transferred. */
export interface ForwardedResponse {
  type: 'inpage-embeddings:response';
  status: number;
  headers: Array<[string, string]>;
  body: ArrayBuffer;
}

/** Messages the service worker posts to pages (the first two carry a port). */
export type ToPage = ProbeMessage | ForwardedRequest;
