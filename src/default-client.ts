/** The client of the main entry: `InPageEmbeddings` from the core, with the package's own worker by default. */

import type { ClientOptions } from './client-options.js';
import { defaultWorkerFactory } from './default-worker.js';
import { InPageEmbeddings as CoreEmbeddings } from './embedder.js';

/**
 * An OpenAI-compatible embeddings API computed in the page.
 *
 * @example
 * const client = new InPageEmbeddings();
 * const res = await client.embeddings.create({ model: 'BAAI/bge-small-en-v1.5', input: ['a', 'b'] });
 */
export class InPageEmbeddings extends CoreEmbeddings {
  constructor(options: ClientOptions = {}) {
    super({ ...options, worker: options.worker ?? defaultWorkerFactory });
  }
}
