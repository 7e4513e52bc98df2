/** The page side of the service worker route: answer requests the service worker forwards, with `client.fetch`'s bytes. */

import { createOpenAIFetch, type EmbeddingsBackend } from './openai-fetch.js';
import type { AbortMessage, ForwardedRequest, ForwardedResponse, ReadyMessage, ToPage } from './sw-protocol.js';

/** Options of `serveToServiceWorker`. */
export interface ServeOptions {
  /** The container to listen on. Default: `navigator.serviceWorker`. */
  container?: ServiceWorkerContainer;
}

function isToPage(data: unknown): data is ToPage {
  const type = (data as { type?: unknown } | null)?.type;
  return type === 'inpage-embeddings:probe' || type === 'inpage-embeddings:request';
}

/**
 * Serve this page's models to the site's service worker (`inpage-embeddings/sw`): answer its probes and
 * the requests it forwards, with the same status, headers and body bytes `client.fetch` gives. Call it
 * once per page that holds a client; return a function that stops serving.
 *
 * @example
 * const client = new InPageEmbeddings();
 * serveToServiceWorker(client);
 * await navigator.serviceWorker.register('/sw.js', { type: 'module' });
 */
export function serveToServiceWorker(client: EmbeddingsBackend, options: ServeOptions = {}): () => void {
  const container = options.container ?? navigator.serviceWorker;
  // Never the network: the service worker only forwards routes this fetch answers.
  const answer = createOpenAIFetch(client, { passthrough: false });

  const serve = async (message: ForwardedRequest, port: MessagePort): Promise<void> => {
    const controller = new AbortController();
    port.onmessage = (event: MessageEvent<AbortMessage>) => {
      if (event.data?.type === 'inpage-embeddings:abort') controller.abort();
    };
    const hasBody = message.body !== null && message.method !== 'GET' && message.method !== 'HEAD';
    try {
      const res = await answer(message.url, {
        method: message.method, headers: message.headers, body: hasBody ? message.body : null, signal: controller.signal,
      });
      const body = await res.arrayBuffer();
      const reply: ForwardedResponse = { type: 'inpage-embeddings:response', status: res.status, headers: [...res.headers], body };
      port.postMessage(reply, [body]);
    } catch (err) {
      // Aborted: the caller is gone and nobody reads an answer. Anything else must still answer, or the caller waits.
      if (controller.signal.aborted) return;
      const body = new TextEncoder().encode(JSON.stringify({
        error: { message: `The model page failed to answer: ${String(err)}`, type: 'server_error', param: null, code: null },
      })).buffer as ArrayBuffer;
      const reply: ForwardedResponse = {
        type: 'inpage-embeddings:response', status: 500, headers: [['content-type', 'application/json']], body,
      };
      port.postMessage(reply, [body]);
    } finally {
      port.close();
    }
  };

  const onMessage = (event: MessageEvent): void => {
    const port = event.ports[0];
    if (!port || !isToPage(event.data)) return;
    if (event.data.type === 'inpage-embeddings:probe') {
      const ready: ReadyMessage = { type: 'inpage-embeddings:ready' };
      port.postMessage(ready);
      port.close();
      return;
    }
    void serve(event.data, port);
  };

  container.addEventListener('message', onMessage);
  // Messages from the service worker queue until this (or `onmessage`, or the end of parsing) enables delivery.
  container.startMessages();
  return () => container.removeEventListener('message', onMessage);
}
