/**
 * inpage-embeddings: an OpenAI-compatible embeddings API computed in the page. Public surface only:
 * the core's, with a client that starts the package's own worker. `inpage-embeddings/core` is the same
 * without that worker, for apps that start their own (`worker` option).
 */

export * from './core.js';
export { InPageEmbeddings } from './default-client.js';
