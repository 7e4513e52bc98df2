/// <reference lib="webworker" />
/** Fits the PCA off the main thread: a few hundred 1536-d vectors take long enough to drop frames. */

import { fitPca, type Projection } from './pca-math.js';

self.onmessage = (event: MessageEvent<{ matrix: Float32Array; dims: number }>) => {
  const projection: Projection = fitPca(event.data.matrix, event.data.dims);
  self.postMessage(projection, [projection.coords.buffer]);
};
