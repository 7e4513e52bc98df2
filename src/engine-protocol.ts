/** The contract between the main thread and the inference worker: pure types, no behaviour. */

import type { AdapterSummary, DeviceEvidence, DeviceTestFaults } from './device-protocol.js';
import type { Device, DeviceChoice, Dtype, Pooling } from './models.js';

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
  /** `'learnt'`: cut batches by measured run costs; `'fixed'`: by the prior cost only (same lengths, same plan). */
  planner?: 'learnt' | 'fixed';
  /** Let `'auto'` use a fallback (software) WebGPU adapter such as SwiftShader. Default false. */
  allowFallbackAdapter?: boolean;
  /** `device: 'webgpu'` with no usable adapter: throw (`'error'`, the default) or run on `'wasm'`. */
  webgpuUnavailable?: 'error' | 'wasm';
  /** Version that keys cached device decisions; default: this package's version at build time. */
  packageVersion?: string;
  /** TEST ONLY: injected WebGPU faults (see `DeviceTestFaults`). */
  __testFaults?: DeviceTestFaults;
  /** BENCH ONLY: runtime variants the long-lived-worker investigation compares (see `ClientOptions.__benchRuntime`). */
  __benchRuntime?: BenchRuntime;
}

/** Runtime variants for `npm run bench:longlived`; none is for applications. */
export interface BenchRuntime {
  /** Merged into onnxruntime's session options (e.g. `enableCpuMemArena`, `extra`), on WASM sessions only. */
  sessionOptions?: Record<string, unknown>;
  /** Pad each batch's length up to a multiple of this (fewer distinct shapes). */
  seqMultiple?: number;
}

/** Everything the worker needs to load and run one local model. */
export interface LocalModelSpec {
  id: string;
  repo: string;
  revision: string;
  /** The row's dtype for `device`. */
  dtype: Dtype;
  /** `'webgpu'` only when asked for by name; `'auto'` arrives as `'wasm'` with `requested: 'auto'`. */
  device: Device;
  /** The device asked for, when it is `'auto'` (resolved in the worker by `device-router.ts`). */
  requested?: DeviceChoice;
  /** The row's dtype per device, for `'auto'` and for falling back to WASM; absent: `dtype` for both. */
  dtypes?: Record<Device, Dtype>;
  pooling: Pooling;
  paddingSide: 'left' | 'right';
  eosTokenId?: number;
  maxTokens: number;
  modelFileName?: string;
  output: 'last_hidden_state' | 'text_embeds';
  dims: number;
  hostingNote?: string;
  /** The image tower, with the dtype chosen for `device`; absent on text-only rows. */
  vision?: { modelFileName: string; output: 'image_embeds'; dtype: Dtype };
}

/**
 * One image on its way to the worker, as cheap to pass as the caller's value allows: a URL (the worker
 * fetches it), a base64 string or data URI (the worker decodes it), encoded bytes, or decoded RGBA pixels
 * (a Blob of `width × height × 4` bytes, straight alpha). Blobs pass by reference, never copied.
 */
export type ImageSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; data: string }
  | { kind: 'blob'; blob: Blob }
  | { kind: 'rgba'; blob: Blob; width: number; height: number };

/** One image to read or embed; `param` names it in errors (`input[3]`). */
export interface ImageItem {
  source: ImageSource;
  param: string;
}

/** An image read in the worker: its digest and a Blob source that needs no fetch or base64 decode again. */
export interface ReadImage {
  /** SHA-256 hex of the encoded bytes, or of `rgba:<w>x<h>:` + decoded RGBA for pixel sources. */
  digest: string;
  source: ImageSource;
}

/** Vectors of one `embedImages` call: `[items.length × dims]`, unit length, in item order. */
export interface ImageEmbedResult {
  vectors: Float32Array;
  dims: number;
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
  /** Where the model runs now. */
  device: Device;
  dtype: Dtype;
  /** WASM threads (on WebGPU: for the operators onnxruntime keeps on the CPU). */
  numThreads: number;
  reason: string;
  /** The device asked for (client option or the row's `device`). */
  requested?: DeviceChoice;
  /** The WebGPU adapter considered, when there was one. */
  adapter?: AdapterSummary;
  /** The parity cosine and timings behind an `'auto'` choice, measured now or read from the decision cache. */
  evidence?: DeviceEvidence;
  /** A WebGPU model switched to WASM while serving (NaN, wrong length, lost device, failed run): when and why. */
  switchedToWasm?: { at: number; reason: string };
}

/** The worker's API, called through comlink. */
export interface EngineApi {
  init(options: EngineOptions, onProgress?: (event: ProgressEvent) => void): Promise<void>;
  embed(spec: LocalModelSpec, items: EmbedItem[], truncate: boolean): Promise<EmbedResult>;
  /** Fetch or decode each image once and digest its bytes, so the vector cache can key it by content. */
  readImages(items: ImageItem[]): Promise<ReadImage[]>;
  /** Embed images with `spec.vision`, loading that tower (and only it) on first use. */
  embedImages(spec: LocalModelSpec, items: ImageItem[]): Promise<ImageEmbedResult>;
  stats(): EngineStats;
  backends(): BackendInfo[];
  /** Throw an uncaught error in the worker's global scope (tests of worker death). */
  crashForTest(): void;
}
