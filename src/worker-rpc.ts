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

/** Serve `engine` from inside a worker; vectors leave as transferred buffers. */
export function exposeEngine(engine: EngineApi): void {
  registerErrorHandler();
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

/** Free the comlink proxy's port. */
export function releaseEngine(engine: RemoteEngine): void {
  engine[Comlink.releaseProxy]();
}
