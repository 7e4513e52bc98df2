/**
 * Where each model runs. A `Route` resolves the asked-for device (`'wasm'`, `'webgpu'` or `'auto'`) to a
 * loaded model, says why, and guards every WebGPU batch: a NaN, a vector of the wrong length or norm, a
 * failed run or a lost device makes that batch run again on WASM and moves the model to WASM for the rest
 * of the worker's life. Callers never see the WebGPU failure.
 *
 * `'auto'` picks WebGPU only when (1) an adapter exists and is not a fallback adapter (unless
 * `allowFallbackAdapter`), (2) the canary parity check passes and (3) the bounded benchmark finds it
 * faster; the decision and its evidence are cached in IndexedDB, so later page loads skip the probe.
 */

import type { AdapterSummary, DeviceEvidence, DeviceTestFaults } from '../device-protocol.js';
import type { BackendInfo, EngineOptions, LocalModelSpec, ProgressEvent } from '../engine-protocol.js';
import { InternalServerError } from '../errors.js';
import type { Device, DeviceChoice, Dtype } from '../models.js';
import { DecisionStore, decisionKey, PACKAGE_VERSION, type StoredDecision } from './device-decision-store.js';
import { withLostFault } from './device-lost-fault.js';
import { benchmark, benchmarkTexts, checkParity, median, type EmbedTexts } from './device-probe.js';
import { loadModel, type LoadedModel } from './model-loader.js';
import { badRows } from './result-guard.js';
import { adapterName, WebGpu, type GpuDevice } from './webgpu-device.js';
import { webgpuDtype } from './webgpu-dtype.js';

/** What the routes of one worker share. */
export interface RouterContext {
  options: () => EngineOptions;
  onProgress: () => ((e: ProgressEvent) => void) | undefined;
  gpu: WebGpu;
  store: DecisionStore;
  /** Embed `texts` on `loaded` in one batch exactly as requests are embedded (the probe's runs). */
  embedOn: (loaded: LoadedModel, spec: LocalModelSpec, texts: string[]) => Promise<Float32Array>;
}

/** Make the routes' shared context with a fresh device handle and the IndexedDB decision store. */
export function routerContext(parts: Omit<RouterContext, 'gpu' | 'store'>): RouterContext {
  return { ...parts, gpu: new WebGpu(), store: new DecisionStore() };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms`;

function webgpuUnavailable(spec: LocalModelSpec, why: string): InternalServerError {
  return new InternalServerError(503, {
    message: `${spec.id}: device 'webgpu' was asked for, but ${why}. Use device 'auto', or webgpuUnavailable: 'wasm', to run on WASM instead.`,
    type: 'server_error', param: null, code: 'webgpu_unavailable',
  });
}

/** One model's device: chosen once, switched to WASM at most once. */
export class Route {
  readonly requested: DeviceChoice;
  device: Device;
  dtype: Dtype;
  reason: string;
  adapter: AdapterSummary | undefined;
  evidence: DeviceEvidence | undefined;
  switched: { at: number; reason: string } | undefined;
  /** The model requests run on; a switch to WASM swaps its session in place. */
  readonly loading: Promise<LoadedModel>;

  constructor(private readonly spec: LocalModelSpec, private readonly ctx: RouterContext) {
    this.requested = spec.requested ?? spec.device;
    this.device = spec.device;
    this.dtype = spec.dtype;
    this.reason = `loading (device ${this.requested})`;
    this.loading = this.resolve();
  }

  /** Describe the route for `backends()`. */
  info(): Omit<BackendInfo, 'model' | 'numThreads'> {
    return {
      device: this.device, dtype: this.dtype, reason: this.reason, requested: this.requested,
      ...(this.adapter ? { adapter: this.adapter } : {}),
      ...(this.evidence ? { evidence: this.evidence } : {}),
      ...(this.switched ? { switchedToWasm: this.switched } : {}),
    };
  }

  /**
   * Run one batch that writes unit vectors for `rows` into `out`. On WebGPU the result is checked; a bad
   * one, or one from a run the device's loss overlapped, is thrown away, the model moves to WASM, and the
   * batch runs again there.
   */
  async guard(rows: readonly number[], out: Float32Array, run: () => Promise<void>): Promise<void> {
    if (this.device !== 'webgpu') return run();
    const faults = this.faults();
    const onGpu = withLostFault(faults.deviceLost, this.ctx.gpu, run, rows, out, this.spec.dims);
    let problem = this.lostProblem();
    if (!problem) {
      // Settled before the loss is read: a run the loss overlapped is dropped even when it returned rows.
      try {
        await onGpu();
        if (faults.nan) out[rows[0] * this.spec.dims] = NaN;
        await this.ctx.gpu.noticeLoss();
        problem = this.lostProblem() ?? badRows(out, rows, this.spec.dims);
      } catch (err) {
        await this.ctx.gpu.noticeLoss();
        problem = this.lostProblem() ?? `the WebGPU run failed: ${message(err)}`;
      }
    }
    if (!problem) return;
    await this.switchToWasm(problem);
    await run();
  }

  private faults(): DeviceTestFaults {
    return this.ctx.options().__testFaults ?? {};
  }

  private lostProblem(): string | undefined {
    const lost = this.ctx.gpu.lost;
    return lost ? `the GPU device was lost (${lost})` : undefined;
  }

  private load(device: Device, dtype: Dtype, gpuDevice?: GpuDevice): Promise<LoadedModel> {
    return loadModel({ ...this.spec, device, dtype }, this.ctx.onProgress(), gpuDevice, this.ctx.options().__benchRuntime?.sessionOptions);
  }

  private settle(device: Device, dtype: Dtype, reason: string, loaded: LoadedModel): LoadedModel {
    this.device = device;
    this.dtype = dtype;
    this.reason = reason;
    return loaded;
  }

  private async resolve(): Promise<LoadedModel> {
    const { spec } = this;
    const options = this.ctx.options();
    const wasmDtype = spec.dtypes?.wasm ?? spec.dtype;
    const onWasm = async (reason: string) => this.settle('wasm', wasmDtype, reason, await this.load('wasm', wasmDtype));
    if (this.requested === 'wasm') return onWasm('device wasm was asked for');

    // 1. An adapter and a device, or WASM (or, for an explicit 'webgpu', a clear error).
    const gpu = await this.ctx.gpu.acquire();
    this.adapter = gpu.adapter;
    if (!gpu.ok) {
      if (this.requested === 'webgpu' && options.webgpuUnavailable !== 'wasm') throw webgpuUnavailable(spec, gpu.reason);
      return onWasm(`WebGPU is unavailable: ${gpu.reason}`);
    }
    const name = adapterName(gpu.adapter);
    const auto = this.requested === 'auto';
    const { dtype, note } = webgpuDtype(spec.dtypes?.webgpu ?? spec.dtype, gpu.adapter, auto);

    // 2. Asked for by name: WebGPU, guarded like any other.
    if (!auto) {
      try {
        const loaded = await this.load('webgpu', dtype, gpu.device);
        return this.settle('webgpu', dtype, `device webgpu was asked for (${name}${note ? `; ${note}` : ''})`, loaded);
      } catch (err) {
        if (options.webgpuUnavailable !== 'wasm') throw err;
        return onWasm(`WebGPU failed to load ${dtype}: ${message(err)}`);
      }
    }

    // 3. 'auto': skip fallback adapters, reuse a cached decision, or probe.
    if (gpu.adapter.isFallbackAdapter && !options.allowFallbackAdapter) {
      return onWasm(`'auto' skips ${name}: a fallback (software) adapter; set allowFallbackAdapter to probe it`);
    }
    const key = decisionKey({
      model: `${spec.repo}@${spec.revision}/${spec.modelFileName ?? 'model'}`, wasmDtype, webgpuDtype: dtype,
      adapter: gpu.adapter, numThreads: options.numThreads, packageVersion: options.packageVersion ?? PACKAGE_VERSION,
    });
    const cached = await this.ctx.store.read(key);
    if (cached) return this.reuse(cached, gpu.device, onWasm);
    return this.probe(key, dtype, wasmDtype, gpu.device, gpu.adapter, note);
  }

  /** Apply a cached decision without probing. */
  private async reuse(cached: StoredDecision, device: GpuDevice, onWasm: (reason: string) => Promise<LoadedModel>) {
    this.evidence = { ...cached.evidence, source: 'cache' };
    const reason = `cached decision of ${new Date(cached.evidence.decidedAt).toISOString()}: ${cached.reason}`;
    if (cached.device !== 'webgpu') return onWasm(reason);
    try {
      return this.settle('webgpu', cached.dtype, reason, await this.load('webgpu', cached.dtype, device));
    } catch (err) {
      return onWasm(`${reason}; but WebGPU failed to load now: ${message(err)}`);
    }
  }

  /** Load both, check parity, race them, keep the winner, cache the decision. */
  private async probe(
    key: string, dtype: Dtype, wasmDtype: Dtype, device: GpuDevice, adapter: AdapterSummary, note?: string,
  ): Promise<LoadedModel> {
    const { spec } = this;
    const options = this.ctx.options();
    const faults = this.faults();
    const wasm = await this.load('wasm', wasmDtype);
    let webgpu: LoadedModel;
    try {
      webgpu = await this.load('webgpu', dtype, device);
    } catch (err) {
      // Not cached: a failed download is worth another try on the next page load.
      return this.settle('wasm', wasmDtype, `'auto': WebGPU failed to load ${dtype}: ${message(err)}`, wasm);
    }
    const onGpu: EmbedTexts = async (texts) => {
      const v = await this.ctx.embedOn(webgpu, spec, texts);
      if (faults.nan) v[0] = NaN;
      if (faults.parity) v.reverse();
      return v;
    };
    const onCpu: EmbedTexts = (texts) => this.ctx.embedOn(wasm, spec, texts);
    const evidence: DeviceEvidence = {
      source: 'probe', decidedAt: Date.now(), packageVersion: options.packageVersion ?? PACKAGE_VERSION, webgpuDtype: dtype,
    };
    let chosen: Device = 'wasm';
    let reason: string;
    try {
      const parity = (evidence.parity = await checkParity(onGpu, onCpu, spec.dims));
      const cos = parity.nan ? 'NaN' : parity.minCosine.toFixed(5);
      if (!parity.passed) {
        reason = `'auto': WebGPU ${dtype} failed the parity check (${parity.nan ? 'NaN in its output' : `min cosine ${cos} < ${parity.threshold}`})`;
      } else {
        const texts = benchmarkTexts();
        const longest = Math.max(...texts.map((t) => (wasm.tokenizer.encode(t) as number[]).length));
        const bench = (evidence.benchmark = await benchmark(onGpu, onCpu, texts, texts.length * Math.min(longest, spec.maxTokens)));
        if (faults.webgpuWins) bench.webgpuFaster = true;
        chosen = bench.webgpuFaster ? 'webgpu' : 'wasm';
        const timing = bench.webgpuMs.length
          ? `WebGPU ${ms(bench.webgpuMs)} vs WASM ${ms(bench.wasmMs)} per batch of ${bench.texts}`
          : 'WebGPU too slow to time past its warm-up';
        reason = `'auto': parity cosine ${cos}; ${timing}${bench.stoppedEarly ? ' (stopped early)' : ''}: ` +
          (chosen === 'webgpu' ? `WebGPU ${dtype} on ${adapterName(adapter)}` : 'WASM is faster here');
      }
    } catch (err) {
      reason = `'auto': the WebGPU canary run failed: ${message(err)}`;
    }
    if (note) reason += ` (${note})`;
    this.evidence = evidence;
    const [keep, drop] = chosen === 'webgpu' ? [webgpu, wasm] : [wasm, webgpu];
    // Releasing a session must leave the shared device usable for the next (transformers.js#1576): the
    // device is ours, not the session's, so it survives.
    void drop.model.dispose().catch(() => undefined);
    await this.ctx.store.write({ key, device: chosen, dtype: chosen === 'webgpu' ? dtype : wasmDtype, reason, adapter, evidence });
    return this.settle(chosen, chosen === 'webgpu' ? dtype : wasmDtype, reason, keep);
  }

  /** Move the model to WASM for good; batches of one model run one at a time, so no other is in flight. */
  private async switchToWasm(problem: string): Promise<void> {
    const loaded = await this.loading;
    const wasmDtype = this.spec.dtypes?.wasm ?? this.spec.dtype;
    const wasm = await this.load('wasm', wasmDtype);
    const gpuModel = loaded.model;
    Object.assign(loaded, wasm);
    this.switched = { at: Date.now(), reason: problem };
    this.reason = `switched from WebGPU ${this.dtype} to WASM while serving: ${problem} (was: ${this.reason})`;
    this.device = 'wasm';
    this.dtype = wasmDtype;
    void gpuModel.dispose().catch(() => undefined);
  }
}
