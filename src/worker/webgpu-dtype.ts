/** Which dtype a model runs on WebGPU (docs/MODELS.md §4). Pure. */

import type { AdapterSummary } from '../device-protocol.js';
import type { Dtype } from '../models.js';

/**
 * Graphs with integer weights. Under the WebGPU provider their MatMulInteger and DynamicQuantizeLinear
 * nodes are placed on the CPU provider, with copies around each: not a GPU path, and reported wrong on
 * some models (transformers.js#1512, #1728).
 */
export const QUANTIZED: ReadonlySet<Dtype> = new Set<Dtype>(['q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']);

/**
 * Return the dtype to run on WebGPU, and a note when it is not the row's: `fp16`/`q4f16` need the
 * adapter's `shader-f16` (else `fp32`); a quantized graph only where a parity check judges it first
 * (`'auto'`), else `fp32`.
 */
export function webgpuDtype(preferred: Dtype, adapter: AdapterSummary, parityChecked: boolean): { dtype: Dtype; note?: string } {
  if ((preferred === 'fp16' || preferred === 'q4f16') && !adapter.shaderF16) {
    return { dtype: 'fp32', note: `${preferred} needs shader-f16, which this adapter lacks: fp32` };
  }
  if (QUANTIZED.has(preferred) && !parityChecked) {
    return { dtype: 'fp32', note: `${preferred} is not a GPU path on WebGPU (integer matmuls run on the CPU) and runs there only after a parity check ('auto'): fp32` };
  }
  return { dtype: preferred };
}
