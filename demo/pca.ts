/** Run the PCA in a worker of its own, one fit at a time. */

import type { Projection } from './pca-math.js';

export { project, type Projection } from './pca-math.js';

/** Fit the top two principal components of `matrix` (`n × dims`) in a worker. */
export function fitInWorker(matrix: Float32Array, dims: number): Promise<Projection> {
  const worker = new Worker(new URL('./pca.worker.ts', import.meta.url), { type: 'module', name: 'pca' });
  return new Promise<Projection>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<Projection>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message || 'PCA worker failed'));
    worker.postMessage({ matrix, dims });
  }).finally(() => worker.terminate());
}
