/** inpage-embeddings/core: the public surface without a default worker (pass `worker`); `index.ts` adds one. */

export { InPageEmbeddings } from './embedder.js';
export type { Embeddings } from './embedder.js';
export type { ClientOptions, RequestOptions } from './client-options.js';
export type { RemoteHeaders, RemoteProviderOptions } from './remote/index.js';
export { CATALOGUE } from './models.js';
export type { Device, DeviceChoice, Dtype, LocalModelRow, ModelRow, Pooling, RemoteModelRow } from './models.js';
export * from './errors.js';
export type * from './openai-types.js';
export type { BackendInfo, EngineStats, ProgressEvent } from './engine-protocol.js';
export type { AdapterSummary, BenchmarkEvidence, DeviceEvidence, DeviceTestFaults, ParityEvidence } from './device-protocol.js';
export type { UsageReport, UsageTotals } from './usage-ledger.js';
export { CacheErrorEvent, cacheDatabaseName, VectorCache } from './cache/index.js';
export type { CacheEntry, CacheModelStats, CacheOperation, CacheOptions, CacheStats, CacheStore } from './cache/index.js';
export { cacheKey, keyScope } from './cache/index.js';
export type { KeyRequest } from './cache/index.js';
export { decodeEntries, encodeEntries } from './cache/index.js';
export type { ExportedEntry } from './cache/index.js';
export { cosine } from './vector-math.js';
export { createOpenAIFetch } from './serve/index.js';
export type { EmbeddingsBackend, OpenAIFetchOptions } from './serve/index.js';
export { serveToServiceWorker } from './serve/index.js';
export type { ServeOptions } from './serve/index.js';
export { InPageLangChainEmbeddings } from './serve/index.js';
export type { EmbeddingsCreator, InPageLangChainOptions } from './serve/index.js';
