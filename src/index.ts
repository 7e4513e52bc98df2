/** inpage-embeddings: an OpenAI-compatible embeddings API computed in the page. Public surface only. */

export { InPageEmbeddings } from './embedder.js';
export type { ClientOptions, RequestOptions } from './client-options.js';
export type { RemoteHeaders, RemoteProviderOptions } from './remote-client.js';
export { CATALOGUE } from './models.js';
export type { Device, Dtype, LocalModelRow, ModelRow, Pooling, RemoteModelRow } from './models.js';
export * from './errors.js';
export type * from './openai-types.js';
export type { BackendInfo, EngineStats, ProgressEvent } from './engine-protocol.js';
export type { UsageReport, UsageTotals } from './usage-ledger.js';
export { cosine } from './vector-math.js';
