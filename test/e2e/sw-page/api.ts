/** What the e2e page exposes to the Node-side test as `window.e2e`. */

/** A response read back through the service worker. */
export interface Fetched {
  status: number;
  headers: Record<string, string>;
  text: string;
  ms: number;
}

export interface E2EApi {
  /** Resolves once the service worker controls this page (and, with `serve=1`, the bridge listens). */
  ready: Promise<void>;
  /** `JSON.stringify(await client.embeddings.create(body))`: the bytes `client.fetch` would send. */
  create(body: unknown): Promise<string>;
  /** `fetch(path, init)` from this page, read back. */
  call(path: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Fetched>;
}

declare global {
  interface Window {
    e2e: E2EApi;
  }
}
