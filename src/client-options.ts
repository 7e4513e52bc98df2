/** The client's options (camelCase, as openai-node names its own) and their defaults. */

import type { DeviceTestFaults } from './device-protocol.js';
import type { BenchRuntime, EngineOptions, ProgressEvent } from './engine-protocol.js';
import type { DeviceChoice, LocalModelRow, ModelRow, RemoteModelRow } from './models.js';
import type { CacheErrorEvent, CacheOptions } from './cache/index.js';
import type { RemoteProviderOptions } from './remote/index.js';
import type { WorkerFactory } from './worker-host.js';
import { DEFAULT_LIMITS } from './worker/batch-planner.js';

/** Options of `new InPageEmbeddings(...)`; all optional. */
export interface ClientOptions {
  /** Hub-layout host for model files: `<modelHost><repo>/resolve/<revision>/<file>`. Default `https://huggingface.co/`. */
  modelHost?: string;
  /** onnxruntime-web's files: a folder URL ending in `/`, or `{ mjs, wasm }`. Default: the copies this package ships. */
  wasmPaths?: string | { mjs: string; wasm: string };
  /**
   * Where local models run (a row's own `device` wins): `'wasm'` (default); `'webgpu'`, checked batch by
   * batch and moved to WASM on a bad result; or `'auto'`, WebGPU only where a parity check against WASM
   * and a short benchmark on this device say so (the probe downloads both dtypes once; its decision is
   * cached in IndexedDB). `client.backends()` says what was chosen and why.
   */
  device?: DeviceChoice;
  /** Let `'auto'` probe a fallback (software) WebGPU adapter, such as SwiftShader. Default false. */
  allowFallbackAdapter?: boolean;
  /** `device: 'webgpu'` where WebGPU is unavailable: throw a 503 `webgpu_unavailable` (default) or run on `'wasm'`. */
  webgpuUnavailable?: 'error' | 'wasm';
  /** TEST ONLY: inject WebGPU faults (parity, NaN, lost device) to exercise the fallbacks. Never in an application. */
  __testFaults?: DeviceTestFaults;
  /** BENCH ONLY: onnxruntime session options and shape bucketing compared by `npm run bench:longlived`. Never in an application. */
  __benchRuntime?: BenchRuntime;
  /** TEST ONLY: the package version that keys cached device decisions (default: this build's). */
  __testPackageVersion?: string;
  /** WASM threads. Default: up to 4 when the page is cross-origin isolated, else 1. */
  numThreads?: number;
  /** Add or override catalogue rows (matched by `id`); partial rows merge over the built-in row. */
  models?: Array<Partial<ModelRow> & { id: string }>;
  /** Model download/load progress, aggregated over each model's files. */
  onProgress?: (event: ProgressEvent) => void;
  /** Cut inputs longer than the model's limit instead of answering 400. Default false. */
  truncate?: boolean;
  /** Largest `batch × longest` tokens in one session run. Default 2048. */
  maxBatchTokens?: number;
  /** Most texts in one session run. Default 64. */
  maxBatchSize?: number;
  /**
   * How texts are cut into session runs. `'learnt'` (default): the cuts follow run times measured on this
   * machine, so they can differ from one call to the next, and with q8 (activation scales are per batch) a
   * text's vector can differ in its last bits. `'fixed'`: the cuts depend only on the request's token lengths
   * and `numThreads`, so the same request always gives bit-identical vectors, cache or no cache; it costs
   * the time the learnt plan would save (see README, *Performance*). With `maxBatchSize: 1` every text runs
   * alone and its vector depends on nothing else in the request.
   */
  planner?: 'learnt' | 'fixed';
  /** Start the worker yourself (CSP, extensions, custom bundling). */
  worker?: WorkerFactory;
  /** The durable vector cache in IndexedDB: on by default (256 MiB, least recently used evicted); `false` turns it off. */
  cache?: boolean | CacheOptions;
  /** Keep this client's vectors apart in a database of their own (e.g. one per signed-in user). */
  cacheNamespace?: string;
  /** Called when the vector cache cannot read or write; the request still succeeds. Also an `error` event on `client.cache`. */
  onCacheError?: (event: CacheErrorEvent) => void;
  /**
   * Remote providers by name: `openai`, `baichuan`, `zhipu`, or your own (a row's `provider` names it).
   * A key here is readable by anyone who can open the page: in public pages set `baseURL` to your own proxy.
   */
  remote?: Record<string, RemoteProviderOptions>;
  /** The fetch remote requests use. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** Per-call options, the second argument of `create()` (as openai-node's `RequestOptions`). */
export interface RequestOptions {
  /** Abort the request; a pending remote call is cancelled. */
  signal?: AbortSignal;
  /** Milliseconds before a remote call fails with APIConnectionTimeoutError. */
  timeout?: number;
  /** Retries of a failed remote call. */
  maxRetries?: number;
  /**
   * `'float32'`: each `data[i].embedding` is a `Float32Array` (views of one buffer per response), and no
   * `number[]` is ever built: on 512 texts that saves the main thread ~200,000 boxed numbers and the
   * garbage collector's pauses. `'array'` (default): OpenAI's `number[]`. Not with `encoding_format: 'base64'`.
   * @note An extension: OpenAI's SDK has no such option.
   */
  vectors?: 'array' | 'float32';
  /**
   * `false`: this call neither reads nor writes the vector cache (the client's cache stays on for others).
   * @note An extension: OpenAI's SDK has no such option.
   */
  cache?: boolean;
}

/** Threads onnxruntime-web can use here: SharedArrayBuffer needs cross-origin isolation. */
export function defaultThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, Math.min(4, cores)) : 1;
}

/** Resolve engine settings from client options. */
export function engineOptions(options: ClientOptions): EngineOptions {
  const host = options.modelHost ?? 'https://huggingface.co/';
  return {
    modelHost: host.endsWith('/') ? host : `${host}/`,
    wasmPaths: options.wasmPaths,
    numThreads: options.numThreads ?? defaultThreads(),
    maxBatchTokens: options.maxBatchTokens ?? DEFAULT_LIMITS.maxBatchTokens,
    maxBatchSize: options.maxBatchSize ?? DEFAULT_LIMITS.maxBatchSize,
    planner: options.planner ?? 'learnt',
    allowFallbackAdapter: options.allowFallbackAdapter ?? false,
    webgpuUnavailable: options.webgpuUnavailable ?? 'error',
    ...(options.__testPackageVersion ? { packageVersion: options.__testPackageVersion } : {}),
    ...(options.__testFaults ? { __testFaults: options.__testFaults } : {}),
    ...(options.__benchRuntime ? { __benchRuntime: options.__benchRuntime } : {}),
  };
}

/** Merge user rows over the built-in catalogue. */
export function buildCatalogue(base: readonly ModelRow[], overrides: ClientOptions['models'] = []): Map<string, ModelRow> {
  const map = new Map(base.map((row) => [row.id, row]));
  for (const row of overrides) {
    const merged = { ...(map.get(row.id) ?? defaultLocalRow(row.id)), ...row } as ModelRow;
    map.set(row.id, merged.route === 'remote' ? remoteRow(merged) : merged);
  }
  return map;
}

/** A new local row's defaults: a transformers.js-layout repo named like its id, CLS-pooled BERT-style. */
function defaultLocalRow(id: string): LocalModelRow {
  return {
    id, route: 'local', ownedBy: 'user', repo: id, revision: 'main', dims: 0, maxTokens: 512, pooling: 'cls',
    paddingSide: 'right', dtype: { wasm: 'q8', webgpu: 'fp32' }, output: 'last_hidden_state', pricePerMillion: 0,
  };
}

/** Defaults for a row routed to a user's own server (Text Embeddings Inference's default batch limit). */
const REMOTE_ROW_DEFAULTS = { nativeDimensions: false, base64: false, maxInputsPerRequest: 32, maxTokensPerRequest: 300_000 };

/**
 * Make a valid remote row from a merged override (e.g. a local model routed to a server hosting it):
 * shared fields kept, local-only ones dropped, missing remote fields defaulted.
 */
function remoteRow(merged: Partial<RemoteModelRow> & { id: string }): RemoteModelRow {
  if (!merged.provider) {
    throw new TypeError(`models: ${merged.id} has route 'remote' but no provider: name a key of the \`remote\` option.`);
  }
  const row: RemoteModelRow = {
    id: merged.id, route: 'remote', ownedBy: merged.ownedBy ?? 'user', dims: merged.dims ?? 0,
    maxTokens: merged.maxTokens ?? 8192, pricePerMillion: merged.pricePerMillion ?? 0,
    provider: merged.provider, providerModel: merged.providerModel ?? merged.id,
    nativeDimensions: merged.nativeDimensions ?? REMOTE_ROW_DEFAULTS.nativeDimensions,
    base64: merged.base64 ?? REMOTE_ROW_DEFAULTS.base64,
    maxInputsPerRequest: merged.maxInputsPerRequest ?? REMOTE_ROW_DEFAULTS.maxInputsPerRequest,
    maxTokensPerRequest: merged.maxTokensPerRequest ?? REMOTE_ROW_DEFAULTS.maxTokensPerRequest,
  };
  if (merged.matryoshka) row.matryoshka = merged.matryoshka;
  if (merged.multimodal) row.multimodal = merged.multimodal;
  return row;
}
