/**
 * remote/: the HTTP client for rows without open weights (OpenAI, Baichuan, zhipu, or any OpenAI-compatible
 * server), the only holder of API keys; it runs on the main thread, never in the worker.
 * May import: the root's `errors`, `models` (types), `openai-types`, `vector-math`.
 */

export { RemoteClient } from './remote-client.js';
export type { RemoteClientDeps, RemoteEmbedOptions } from './remote-client.js';
export type { RemoteHeaders, RemoteProviderOptions } from './provider-config.js';
