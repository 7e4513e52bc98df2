/** The contract between the main thread and the inference worker: pure types, no behaviour. */

import type { Device, Dtype, Pooling } from './models.js';

/** Settings the worker applies once, before its first model loads. */
export interface EngineOptions {
  /** Hub-layout host, ending in `/`. */
  modelHost: string;
  /** onnxruntime-web's `.mjs` and `.wasm` URLs, or a folder URL ending in `/` that holds them. */
  wasmPaths?: string | { mjs: string; wasm: string };
  numThreads: number;
  /** Largest `batch × longest` token count packed into one session run. */
  maxBatchTokens: number;
  /** Most texts in one session run. */
  maxBatchSize: number;
}

/** Everything the worker needs to load and run one local model. */
export interface LocalModelSpec {
  id: string;
  repo: string;
  revision: string;
  dtype: Dtype;
  device: Device;
  pooling: Pooling;
  paddingSide: 'left' | 'right';
  eosTokenId?: number;
  maxTokens: number;
  modelFileName?: string;
  output: 'last_hidden_state' | 'text_embeds';
  dims: number;
  hostingNote?: string;
}

/** One text to embed; `param` names it in errors (`input[3]`). */
export interface EmbedItem {
  text: string;
  param: string;
}

/** Vectors of one `embed` call: `vectors` is `[items.length × dims]`, unit length, in item order. */
export interface EmbedResult {
  vectors: Float32Array;
  dims: number;
  /** Tokens run per item (its attention-mask sum). */
  tokenCounts: Int32Array;
}

/** Counters the engine exposes so tests and the demo can see what ran. */
export interface EngineStats {
  /** `session.run` calls. */
  sessionRuns: number;
  /** Texts embedded. */
  texts: number;
  /** Non-pad tokens run. */
  realTokens: number;
  /** Token slots run, padding included (`batch × longest` summed). */
  paddedTokens: number;
  /** Models loaded (a retry after a failed load counts again). */
  loads: number;
}

/** What `onProgress` receives while model files download and load, aggregated across a model's files. */
export interface ProgressEvent {
  model: string;
  /** The file this event is about (the last one that moved). */
  file: string;
  status: 'initiate' | 'download' | 'progress' | 'done' | 'ready';
  /** Bytes loaded over all of the model's files so far. */
  loaded: number;
  total: number;
  /** 0..100 over all files. */
  progress: number;
}

/** What a loaded model reports about its backend. */
export interface BackendInfo {
  model: string;
  device: Device;
  dtype: Dtype;
  numThreads: number;
  reason: string;
}

/** The worker's API, called through comlink. */
export interface EngineApi {
  init(options: EngineOptions, onProgress?: (event: ProgressEvent) => void): Promise<void>;
  embed(spec: LocalModelSpec, items: EmbedItem[], truncate: boolean): Promise<EmbedResult>;
  stats(): EngineStats;
  backends(): BackendInfo[];
  /** Throw an uncaught error in the worker's global scope (tests of worker death). */
  crashForTest(): void;
}
