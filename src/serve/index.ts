/**
 * serve/: other ways in to the same client: `client.fetch` (OpenAI's routes in-process), the service-worker
 * route and its page bridge, and a LangChain adapter. Each takes the client structurally, so nothing here
 * imports the embedder. `sw-route.ts` is its own entry (`src/sw.ts`) and imports only types.
 * May import: the root's `errors`, `openai-types`, `client-options` (types).
 */

export { createOpenAIFetch } from './openai-fetch.js';
export type { EmbeddingsBackend, OpenAIFetchOptions } from './openai-fetch.js';
export { serveToServiceWorker } from './sw-bridge.js';
export type { ServeOptions } from './sw-bridge.js';
export { InPageLangChainEmbeddings } from './langchain.js';
export type { EmbeddingsCreator, InPageLangChainOptions } from './langchain.js';
