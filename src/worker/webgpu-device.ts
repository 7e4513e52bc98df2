/**
 * The worker's one WebGPU device: the adapter is found once, the device is opened once and handed to
 * every WebGPU session (onnxruntime-web takes it as the EP's `device`), and its loss is watched.
 *
 * Owning the device rather than letting onnxruntime open one means the adapter that is judged (fallback
 * or not, `shader-f16` or not) is the one that runs, `device.lost` is observed, and releasing a session
 * never destroys the device the next session needs (transformers.js#1576).
 */

import type { AdapterSummary } from '../device-protocol.js';

/** The parts of the WebGPU API used here (the DOM typings this project builds with have none). */
interface GpuAdapterInfo { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }
interface GpuAdapter {
  readonly info?: GpuAdapterInfo;
  readonly isFallbackAdapter?: boolean;
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  requestDevice(descriptor?: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<GpuDevice>;
}
/** A `GPUDevice`, as far as this file needs it. */
export interface GpuDevice {
  readonly lost: Promise<{ reason: string; message: string }>;
  readonly queue: { onSubmittedWorkDone(): Promise<void> };
  destroy(): void;
}
interface Gpu { requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapter | null> }

/** What WebGPU offers this worker: a device to run on, or why not. */
export type GpuState =
  | { ok: true; adapter: AdapterSummary; device: GpuDevice }
  | { ok: false; adapter?: AdapterSummary; reason: string };

/** Some browsers take seconds to answer `requestAdapter` and a broken driver may never answer. */
const ADAPTER_TIMEOUT_MS = 10_000;
/** How long `noticeLoss` waits for the GPU to answer before trusting what is known (a hung driver must not hang requests). */
const NOTICE_LOSS_TIMEOUT_MS = 2_000;

/** Limits onnxruntime's kernels size their work by: ask for the adapter's best, not the spec minimums. */
const LIMITS = [
  'maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage', 'maxBindGroups',
];
/** Features onnxruntime's WebGPU kernels use when present. */
const FEATURES = ['shader-f16', 'subgroups'];

/** Read what identifies an adapter (decision-cache key, `backends()`). */
export function summarizeAdapter(adapter: GpuAdapter): AdapterSummary {
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
    shaderF16: adapter.features.has('shader-f16'),
  };
}

/** Return `name` as `vendor/architecture`, for messages. */
export function adapterName(adapter: AdapterSummary): string {
  return [adapter.vendor || 'unknown vendor', adapter.architecture || adapter.description || 'unknown architecture'].join('/');
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One per worker: opens the device on first use and remembers when it is lost. */
export class WebGpu {
  private state: Promise<GpuState> | undefined;
  private device: GpuDevice | undefined;
  private lostReason: string | undefined;
  /** Resolves once `lostReason` is set. */
  private lostKnown: Promise<void> | undefined;
  /** TEST ONLY: served WebGPU runs the device-lost fault has counted. */
  private testRuns = 0;
  /** TEST ONLY: set the moment `destroyForTest` destroys the device, before `device.lost` says so. */
  private destroyedByTest = false;

  /** Find the adapter and open the device once; later calls share them. */
  acquire(): Promise<GpuState> {
    if (this.lostReason) return Promise.resolve({ ok: false, reason: `the GPU device was lost earlier in this worker (${this.lostReason})` });
    return (this.state ??= this.open());
  }

  /** Why the device was lost, once it has been; WebGPU is then off for this worker. */
  get lost(): string | undefined {
    return this.lostReason;
  }

  /**
   * Wait until a loss that happened before this call is known to `lost`. `device.lost` settles some
   * milliseconds after the loss (measured on SwiftShader: 3-40 ms, after a task or more), so a run whose
   * readback finished just before it would pass for sound; `onSubmittedWorkDone()` comes back from the GPU
   * process behind the loss notice, so once it answers (one round trip; the run's readback left the queue
   * empty) a loss before now has been seen.
   */
  async noticeLoss(): Promise<void> {
    const device = this.device;
    if (!device || this.lostReason) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => { timer = setTimeout(resolve, NOTICE_LOSS_TIMEOUT_MS); });
    await Promise.race([device.queue.onSubmittedWorkDone().catch(() => undefined), this.lostKnown, bound]);
    clearTimeout(timer);
  }

  /** TEST ONLY: destroy the device, as a driver reset would lose it (`lost` is set when `device.lost` says so). */
  destroyForTest(): void {
    this.destroyedByTest = true;
    this.device?.destroy();
  }

  /** TEST ONLY: whether `destroyForTest` has run (known at once, unlike `lost`). */
  get destroyedForTest(): boolean {
    return this.destroyedByTest;
  }

  /** TEST ONLY: count one served WebGPU run; return how many the fault counted before it. */
  countRunForTest(): number {
    return this.testRuns++;
  }

  private async open(): Promise<GpuState> {
    const gpu = (globalThis.navigator as (Navigator & { gpu?: Gpu }) | undefined)?.gpu;
    if (!gpu) return { ok: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
    let adapter: GpuAdapter | null;
    try {
      adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), ADAPTER_TIMEOUT_MS, 'requestAdapter');
    } catch (err) {
      return { ok: false, reason: `no WebGPU adapter: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!adapter) return { ok: false, reason: 'no WebGPU adapter (requestAdapter returned null: GPU disabled or blocklisted)' };
    const summary = summarizeAdapter(adapter);
    try {
      const requiredLimits: Record<string, number> = {};
      for (const name of LIMITS) if (typeof adapter.limits[name] === 'number') requiredLimits[name] = adapter.limits[name];
      const requiredFeatures = FEATURES.filter((f) => adapter.features.has(f));
      const device = await withTimeout(adapter.requestDevice({ requiredFeatures, requiredLimits }), ADAPTER_TIMEOUT_MS, 'requestDevice');
      this.device = device;
      this.lostKnown = device.lost.then((info) => { this.lostReason ??= `${info.reason}${info.message ? `: ${info.message}` : ''}`; });
      return { ok: true, adapter: summary, device };
    } catch (err) {
      return { ok: false, adapter: summary, reason: `the ${adapterName(summary)} adapter gave no device: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}
