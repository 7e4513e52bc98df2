/** Owns the inference worker: starts it lazily, notices when it dies, and starts a fresh one on the next call. */

import { APIError, InternalServerError } from './errors.js';
import type { EngineOptions, ProgressEvent } from './engine-protocol.js';
import { FATAL_MESSAGE, proxyCallback, releaseEngine, watchWorker, wrapEngine, type RemoteEngine } from './worker-rpc.js';

/** Creates the module worker that runs `src/worker/worker-entry.ts`. */
export type WorkerFactory = () => Worker;

/**
 * The factory of a client without a default worker (`inpage-embeddings/core`): local models need a
 * `worker` option there, so the consumer's bundle holds no worker it does not use.
 */
export const noDefaultWorker: WorkerFactory = () => {
  throw new InternalServerError(500, {
    message: "This client has no worker: it was imported from 'inpage-embeddings/core', which ships none, and local " +
      "models run in one. Pass `worker: () => new Worker(workerUrl, { type: 'module' })`, where the module at workerUrl " +
      "imports 'inpage-embeddings/worker', or import InPageEmbeddings from 'inpage-embeddings'.",
    type: 'server_error', param: null, code: 'worker_not_configured',
  });
};

interface Live {
  worker: Worker;
  engine: RemoteEngine;
  ready: Promise<void>;
  /** Rejects when the worker dies; every call races against it. */
  died: Promise<never>;
  /** Notices a worker that ended without an error event (terminated, closed, stopped by the browser). */
  unwatch: () => void;
  /** Calls still running on it: a retired worker ends once this reaches 0. */
  pending: number;
  /** Ended once only: a worker that died mid-call is ended by its death, then again by that call's end. */
  ended: boolean;
}

/** Starts, watches and disposes of one worker at a time. */
export class WorkerHost {
  private live: Live | undefined;

  constructor(
    private readonly factory: WorkerFactory,
    private readonly options: EngineOptions,
    private readonly onProgress?: (e: ProgressEvent) => void,
  ) {}

  private start(): Live {
    const worker = this.factory();
    const engine = wrapEngine(worker);
    let kill!: (err: Error) => void;
    const died = new Promise<never>((_, reject) => { kill = reject; });
    died.catch(() => undefined);
    const onDeath = (event: Event) => {
      event.preventDefault(); // handled here; not an uncaught error of the page
      const fatal = event instanceof MessageEvent ? (event.data as Record<string, unknown> | null)?.[FATAL_MESSAGE] : undefined;
      if (event instanceof MessageEvent && fatal === undefined) return;
      const detail = fatal !== undefined ? `: ${String(fatal)}` : event instanceof ErrorEvent && event.message ? `: ${event.message}` : '';
      if (this.live?.worker === worker) this.stop();
      kill(new InternalServerError(500, {
        message: `The inference worker stopped${detail}. Pending requests failed; the next request starts a new worker.`,
        type: 'server_error', param: null, code: 'worker_crashed',
      }));
    };
    worker.addEventListener('error', onDeath);
    worker.addEventListener('messageerror', onDeath);
    worker.addEventListener('message', onDeath);
    const unwatch = watchWorker(worker, () => onDeath(new Event('gone')));
    const progress = this.onProgress ? proxyCallback(this.onProgress) : undefined;
    const ready = Promise.race([engine.init(this.options, progress), died]);
    return { worker, engine, ready, died, unwatch, pending: 0, ended: false };
  }

  /**
   * Run `task` on the live engine (starting one if needed); it rejects if the worker dies meanwhile. After
   * a model failed to load, the worker is retired (later calls start a fresh one; it ends once its running
   * calls are done): transformers.js chains every session creation of a worker, and one that fails before
   * any session loaded makes every later one there fail with the same error (see ort-chain-guard.ts).
   */
  async call<T>(task: (engine: RemoteEngine) => Promise<T>): Promise<T> {
    const live = (this.live ??= this.start());
    live.pending++;
    try {
      await live.ready;
      return await Promise.race([task(live.engine), live.died]);
    } catch (err) {
      if (err instanceof APIError && err.code === 'model_load_failed' && this.live === live) this.live = undefined;
      throw err;
    } finally {
      if (--live.pending === 0 && this.live !== live) this.end(live);
    }
  }

  /** True while a worker is running. */
  get running(): boolean {
    return this.live !== undefined;
  }

  /** Terminate the worker and free its memory; the next call starts a new one. */
  stop(): void {
    const live = this.live;
    this.live = undefined;
    if (live) this.end(live);
  }

  private end(live: Live): void {
    if (live.ended) return;
    live.ended = true;
    live.unwatch();
    releaseEngine(live.engine);
    live.worker.terminate();
  }
}
