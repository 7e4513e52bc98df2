/**
 * A second writer of one origin, for the concurrent-writers test: its own VectorCache, its own IndexedDB
 * connection, its own event loop, as another tab has. It waits for `go` so all writers start together.
 */

import { VectorCache } from '../../src/cache/vector-cache.js';
import { seededCompute } from './cache-helpers.js';

interface Job { namespace: string; model: string; dims: number; chunks: string[][] }

let job: Job | undefined;
self.onmessage = async (event: MessageEvent<Job | 'go'>) => {
  if (event.data !== 'go') {
    job = event.data;
    return void self.postMessage('ready');
  }
  const { namespace, model, dims, chunks } = job!;
  const cache = new VectorCache({ namespace });
  const errors: string[] = [];
  cache.addEventListener('error', (e) => errors.push(String((e as Event & { error: unknown }).error)));
  for (const keys of chunks) {
    await cache.through(keys, { model, dims }, seededCompute(keys, dims));
    await cache.flush();
  }
  self.postMessage({ errors });
};
