/** What the worker reports about WebGPU and the device it chose per model: pure types, no behaviour. */

import type { Dtype } from './models.js';

/** The WebGPU adapter the worker saw (`GPUAdapterInfo` plus the features that decide dtypes). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software or otherwise fallback adapter (SwiftShader): `'auto'` skips it unless `allowFallbackAdapter`. */
  isFallbackAdapter: boolean;
  /** `shader-f16`: fp16 graphs can run; without it WebGPU runs fp32. */
  shaderF16: boolean;
}

/** The canary parity check: the same fixed texts on WebGPU and on WASM. */
export interface ParityEvidence {
  /** Lowest cosine between a text's WebGPU and WASM vectors (NaN when an output had NaN). */
  minCosine: number;
  /** Any non-finite value in the WebGPU output. */
  nan: boolean;
  texts: number;
  /** The threshold it was held to. */
  threshold: number;
  passed: boolean;
}

/** The bounded warm micro-benchmark on one representative batch, milliseconds per run. */
export interface BenchmarkEvidence {
  texts: number;
  /** `batch × longest` tokens per run. */
  tokens: number;
  /** The first run of each (WebGPU's compiles its shaders), not part of the comparison. */
  warmupMs: { wasm: number; webgpu: number };
  wasmMs: number[];
  webgpuMs: number[];
  /** It stopped as soon as WebGPU was clearly slower (or its time budget ran out). */
  stoppedEarly: boolean;
  webgpuFaster: boolean;
}

/** Why a model runs where it runs, with the measurements behind an `'auto'` choice. */
export interface DeviceEvidence {
  /** `'probe'`: measured in this worker; `'cache'`: read from the decision cache (no probe ran). */
  source: 'probe' | 'cache';
  /** When the probe ran (ms since the epoch). */
  decidedAt: number;
  /** The library version the decision was made with; a new version probes again. */
  packageVersion: string;
  /** The dtype WebGPU was tried with. */
  webgpuDtype: Dtype;
  parity?: ParityEvidence;
  benchmark?: BenchmarkEvidence;
}

/**
 * TEST ONLY: faults the engine injects on purpose, so tests can prove each fallback path. Never set in
 * an application; the names say so.
 */
export interface DeviceTestFaults {
  /** The parity check sees WebGPU vectors that disagree with WASM (they are reversed). */
  parity?: true;
  /** Every WebGPU output gets a NaN in its first vector (the canary run and served batches alike). */
  nan?: true;
  /** The micro-benchmark reports WebGPU as faster whatever it measured, so `'auto'` picks it. */
  webgpuWins?: true;
  /** The GPU device is destroyed: `true`, right before the first served WebGPU run; or when `DeviceLostFault` says. */
  deviceLost?: true | DeviceLostFault;
}

/**
 * TEST ONLY: when the device-lost fault destroys the worker's GPU device, counted in served WebGPU runs
 * (every model of the worker together: they share the device).
 */
export interface DeviceLostFault {
  /** Served WebGPU runs that finish before the loss. Default 0. */
  afterRuns?: number;
  /**
   * Destroy the device this many milliseconds after run `afterRuns + 1` has started, while it is in
   * flight; absent: just before that run starts. Any WebGPU run that still returns after the loss returns
   * wrong unit vectors (its rows reversed, as stale buffers would be), so only the loss itself, never the
   * values, can tell the guard to drop them.
   */
  inRunMs?: number;
  /** Destroy the device the moment run `afterRuns + 1` returns, after its readback and before its rows are checked. */
  asRunReturns?: true;
}
