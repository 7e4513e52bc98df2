/**
 * TEST ONLY: the device-lost fault (`__testFaults.deviceLost`). It destroys the worker's GPU device just
 * before a chosen served WebGPU run or while that run is in flight, so tests can prove the guard's
 * recovery at every moment of a batch. Without the option (every application) the run is left as it is.
 */

import type { DeviceTestFaults } from '../device-protocol.js';
import type { WebGpu } from './webgpu-device.js';

/**
 * Return `run` (which writes `rows` of `out`, `dims` wide) with the fault in place: the device is destroyed
 * at the fault's moment, and a run that returns after the loss returns wrong unit vectors (its rows
 * reversed, as stale buffers would be), so only the loss itself can tell the guard to drop them.
 */
export function withLostFault(
  fault: DeviceTestFaults['deviceLost'], gpu: WebGpu, run: () => Promise<void>, rows: readonly number[], out: Float32Array, dims: number,
): () => Promise<void> {
  if (!fault) return run;
  const { afterRuns = 0, inRunMs, asRunReturns } = fault === true ? {} : fault;
  return async () => {
    const fires = gpu.countRunForTest() === afterRuns;
    if (fires && inRunMs !== undefined) setTimeout(() => gpu.destroyForTest(), inRunMs);
    else if (fires && !asRunReturns) gpu.destroyForTest();
    await run();
    if (fires && asRunReturns) gpu.destroyForTest();
    if (gpu.destroyedForTest) for (const row of rows) out.subarray(row * dims, (row + 1) * dims).reverse();
  };
}
