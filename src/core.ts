/** inpage-embeddings/core: the public surface without a default worker (pass `worker`); `index.ts` adds one. */

export { InPageEmbeddings } from './embedder.js';
export type { Embeddings } from './embedder.js';
export type { ClientOptions, RequestOptions } from './client-options.js';
export type { RemoteHeaders, RemoteProviderOptions } from './remote-client.js';
export { CATALOGUE } from './models.js';
export type { Device, DeviceChoice, Dtype, LocalModelRow, ModelRow, Pooling, RemoteModelRow } from './models.js';
export * from './errors.js';
export type * from './openai-types.js';
export type { BackendInfo, EngineStats, ProgressEvent } from './engine-protocol.js';
export type { AdapterSummary, BenchmarkEvidence, DeviceEvidence, DeviceTestFaults, ParityEvidence } from './device-protocol.js';
export type { UsageReport, UsageTotals } from './usage-ledger.js';
export { CacheErrorEvent, cacheDatabaseName, VectorCache } from './vector-cache.js';
export type { CacheEntry, CacheModelStats, CacheOperation, CacheOptions, CacheStats, CacheStore } from './vector-cache.js';
export { cacheKey, keyScope } from './cache-key.js';
export type { KeyRequest } from './cache-key.js';
export { decodeEntries, encodeEntries } from './cache-format.js';
export type { ExportedEntry } from './cache-format.js';
export { cosine } from './vector-math.js';
export { createOpenAIFetch } from './openai-fetch.js';
export type { EmbeddingsBackend, OpenAIFetchOptions } from './openai-fetch.js';
export { serveToServiceWorker } from './sw-bridge.js';
export type { ServeOptions } from './sw-bridge.js';
export { InPageLangChainEmbeddings } from './langchain.js';
export type { EmbeddingsCreator, InPageLangChainOptions } from './langchain.js';
