/**
 * The package's own inference worker. Bundlers (vite, webpack 5) find it, and emit it with
 * onnxruntime's files, only through this literal `new Worker(new URL('./…', import.meta.url))` form;
 * the build keeps it literal in dist/index.js, pointing at dist/worker.js beside it.
 */

import type { WorkerFactory } from './worker-host.js';

export const defaultWorkerFactory: WorkerFactory = () =>
  new Worker(new URL('./worker/worker-entry.ts', import.meta.url), { type: 'module', name: 'inpage-embeddings' });
