/** The only file that imports comlink: exposes the engine in the worker and wraps it on the main thread. */

import * as Comlink from 'comlink';
import { deserializeError, serializeError, type SerializedError } from './errors.js';
import type { EmbedResult, EngineApi, ImageEmbedResult } from './engine-protocol.js';

/**
 * comlink's default 'throw' handler keeps only name, message and stack; ours carries status, type,
 * param and code so the main thread rethrows the same error class. Registered on both sides.
 */
function registerErrorHandler(): void {
  const builtin = Comlink.transferHandlers.get('throw')!;
  if ((builtin as { ours?: boolean }).ours) return;
  Comlink.transferHandlers.set('throw', {
    ours: true,
    // comlink keeps its "thrown" marker private; its own handler knows how to recognise it.
    canHandle: builtin.canHandle,
    serialize: ({ value }: { value: unknown }) => [serializeError(value), []],
    deserialize: (data: SerializedError) => { throw deserializeError(data); },
  } as Comlink.TransferHandler<{ value: unknown }, SerializedError> & { ours: boolean });
}

/** Key of the message naming the Web Lock this worker holds for its whole life (see `watchWorker`). */
const LIFELINE_MESSAGE = 'inpage-embeddings:lifeline';
/** Key of the worker's answer: it holds the lock now. */
const LIFELINE_HELD = 'inpage-embeddings:lifeline-held';

/** Serve `engine` from inside a worker; vectors leave as transferred buffers. */
export function exposeEngine(engine: EngineApi): void {
  registerErrorHandler();
  globalThis.addEventListener('message', (event: MessageEvent) => {
    const name = (event.data as Record<string, unknown> | null)?.[LIFELINE_MESSAGE];
    // Never released: the browser frees it when this worker ends, however it ends. Say once it is held.
    if (typeof name === 'string') {
      void globalThis.navigator?.locks?.request(name, () => {
        globalThis.postMessage({ [LIFELINE_HELD]: name });
        return new Promise<never>(() => {});
      });
    }
  });
  const api = {
    init: engine.init.bind(engine),
    stats: engine.stats.bind(engine),
    backends: engine.backends.bind(engine),
    crashForTest: engine.crashForTest.bind(engine),
    async embed(...args: Parameters<EngineApi['embed']>): Promise<EmbedResult> {
      const result = await engine.embed(...args);
      return Comlink.transfer(result, [result.vectors.buffer, result.tokenCounts.buffer]);
    },
    readImages: engine.readImages.bind(engine),
    async embedImages(...args: Parameters<EngineApi['embedImages']>): Promise<ImageEmbedResult> {
      const result = await engine.embedImages(...args);
      return Comlink.transfer(result, [result.vectors.buffer]);
    },
  } satisfies EngineApi;
  Comlink.expose(api);
}

/** Key of the message a worker posts before it closes itself after an uncaught error. */
export const FATAL_MESSAGE = 'inpage-embeddings:fatal';

/** A main-thread handle on a worker's engine. */
export type RemoteEngine = Comlink.Remote<EngineApi>;

/** Wrap a worker running `exposeEngine`. */
export function wrapEngine(worker: Worker): RemoteEngine {
  registerErrorHandler();
  return Comlink.wrap<EngineApi>(worker);
}

/** Pass a callback to the worker by reference. */
export function proxyCallback<T extends (...args: never[]) => unknown>(fn: T): T {
  return Comlink.proxy(fn);
}

/**
 * Watch for `worker` ending by any means: an uncaught error, `self.close()`, `terminate()` by other code,
 * or the browser stopping it. A worker that is simply gone sends no event, but the Web Lock it holds
 * (named here, taken as the worker reads this message, confirmed back) is then released and granted to
 * us. Without Web Locks (an insecure context) only error events tell. Returns a function to stop watching.
 */
export function watchWorker(worker: Worker, onGone: () => void): () => void {
  const locks = globalThis.navigator?.locks;
  const stopped = new AbortController();
  if (!locks) return () => undefined;
  const name = `${LIFELINE_MESSAGE}:${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16)).join('')}`;
  const onHeld = (event: MessageEvent) => {
    if ((event.data as Record<string, unknown> | null)?.[LIFELINE_HELD] !== name) return;
    worker.removeEventListener('message', onHeld);
    locks.request(name, { signal: stopped.signal }, () => { if (!stopped.signal.aborted) onGone(); })
      .catch(() => undefined); // aborted: we stopped watching
  };
  worker.addEventListener('message', onHeld);
  worker.postMessage({ [LIFELINE_MESSAGE]: name });
  return () => stopped.abort();
}

/** Free the comlink proxy's port. */
export function releaseEngine(engine: RemoteEngine): void {
  engine[Comlink.releaseProxy]();
}
