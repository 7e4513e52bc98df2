import { describe, expect, it } from 'vitest';
import type { AdapterSummary } from '../../src/device-protocol.js';
import { decisionKey } from '../../src/worker/device-decision-store.js';
import { benchmark, CANARY_TEXTS, checkParity, PARITY_MIN_COSINE, type EmbedTexts } from '../../src/worker/device-probe.js';
import { badRows, floatData } from '../../src/worker/result-guard.js';
import { webgpuDtype } from '../../src/worker/webgpu-dtype.js';

const DIMS = 4;
const adapter = (over: Partial<AdapterSummary> = {}): AdapterSummary => ({
  vendor: 'nvidia', architecture: 'ampere', device: '', description: '', isFallbackAdapter: false, shaderF16: true, ...over,
});

/** A fake model: text i → a fixed unit vector. */
const unit = (texts: string[]): Float32Array => {
  const out = new Float32Array(texts.length * DIMS);
  texts.forEach((t, i) => {
    const v = [1 + t.length % 3, 2, 3 + i, 4];
    const n = Math.hypot(...v);
    v.forEach((x, k) => { out[i * DIMS + k] = x / n; });
  });
  return out;
};
const sleepy = (ms: number, embed: EmbedTexts = async (t) => unit(t)): EmbedTexts => async (texts) => {
  await new Promise((r) => setTimeout(r, ms));
  return embed(texts);
};

describe('WebGPU dtype', () => {
  it('keeps fp16 where the adapter has shader-f16 and falls to fp32 where it has not', () => {
    expect(webgpuDtype('fp16', adapter(), false)).toEqual({ dtype: 'fp16' });
    expect(webgpuDtype('fp16', adapter({ shaderF16: false }), true).dtype).toBe('fp32');
  });

  it('uses a quantized graph on WebGPU only where the parity check judges it', () => {
    expect(webgpuDtype('q8', adapter(), true)).toEqual({ dtype: 'q8' });
    const forced = webgpuDtype('q8', adapter(), false);
    expect(forced.dtype).toBe('fp32');
    expect(forced.note).toMatch(/not a GPU path/);
  });
});

describe('parity check', () => {
  it('passes identical outputs at cosine 1', async () => {
    const p = await checkParity(async (t) => unit(t), async (t) => unit(t), DIMS);
    expect(p).toMatchObject({ passed: true, nan: false, texts: CANARY_TEXTS.length, threshold: PARITY_MIN_COSINE });
    expect(p.minCosine).toBeCloseTo(1, 9);
  });

  it('fails a NaN and a disagreement, and measures the cosine', async () => {
    const nan = await checkParity(async (t) => { const v = unit(t); v[5] = NaN; return v; }, async (t) => unit(t), DIMS);
    expect(nan).toMatchObject({ passed: false, nan: true });
    const off = await checkParity(async (t) => unit(t).reverse(), async (t) => unit(t), DIMS);
    expect(off.passed).toBe(false);
    expect(off.minCosine).toBeLessThan(PARITY_MIN_COSINE);
  });
});

describe('benchmark', () => {
  it('stops at the first timed round where WebGPU is clearly slower', async () => {
    const b = await benchmark(sleepy(60), sleepy(1), ['a', 'b'], 4);
    expect(b.webgpuMs).toHaveLength(1);
    expect(b).toMatchObject({ stoppedEarly: true, webgpuFaster: false });
  });

  it('runs every round and calls WebGPU faster only past the noise margin', async () => {
    const b = await benchmark(sleepy(1), sleepy(100), ['a'], 2, { rounds: 2, clearlySlower: 1.5, fasterBelow: 0.9, budgetMs: 10_000 });
    expect(b.webgpuMs).toHaveLength(2);
    expect(b).toMatchObject({ stoppedEarly: false, webgpuFaster: true });
  });

  it('gives up after the warm-up when the budget is spent and WebGPU was far slower', async () => {
    const b = await benchmark(sleepy(80), sleepy(1), ['a'], 1, { rounds: 3, clearlySlower: 1.5, fasterBelow: 0.9, budgetMs: 20 });
    expect(b).toMatchObject({ wasmMs: [], webgpuMs: [], stoppedEarly: true, webgpuFaster: false });
  });
});

describe('result guard', () => {
  it('accepts unit vectors and names NaN, infinities, wrong norms and missing rows', () => {
    const ok = unit(['x', 'yy']);
    expect(badRows(ok, [0, 1], DIMS)).toBeUndefined();
    const nan = ok.slice(); nan[6] = NaN;
    expect(badRows(nan, [1], DIMS)).toBe('a NaN in the output');
    expect(badRows(nan, [0], DIMS)).toBeUndefined();
    const inf = ok.slice(); inf[0] = Infinity;
    expect(badRows(inf, [0], DIMS)).toBe('a non-finite value in the output');
    expect(badRows(new Float32Array(DIMS * 2), [0], DIMS)).toMatch(/norm 0\.00/);
    expect(badRows(ok, [2], DIMS)).toMatch(/missing/);
    expect(badRows(ok.subarray(0, 7), [0], DIMS)).toMatch(/not a multiple of 4/);
  });

  it('reads float16 outputs as float32', () => {
    // 1.0, -2.0, 0.5, 65504 (largest half), NaN, +Inf, smallest subnormal.
    const bits = Uint16Array.from([0x3c00, 0xc000, 0x3800, 0x7bff, 0x7e00, 0x7c00, 0x0001]);
    const v = floatData({ type: 'float16', data: bits });
    expect(Array.from(v.slice(0, 4))).toEqual([1, -2, 0.5, 65504]);
    expect(v[4]).toBeNaN();
    expect(v[5]).toBe(Infinity);
    expect(v[6]).toBeCloseTo(2 ** -24, 30);
    const f32 = new Float32Array([1, 2]);
    expect(floatData({ type: 'float32', data: f32 })).toBe(f32);
  });
});

describe('decision key', () => {
  const parts = { model: 'Xenova/bge-small-en-v1.5@main/model', wasmDtype: 'q8', webgpuDtype: 'fp16', adapter: adapter(), numThreads: 4, packageVersion: '1.0.0' } as const;
  it('changes with the package version, the adapter, the dtypes and the threads', () => {
    const base = decisionKey(parts);
    expect(decisionKey({ ...parts })).toBe(base);
    expect(decisionKey({ ...parts, packageVersion: '1.0.1' })).not.toBe(base);
    expect(decisionKey({ ...parts, adapter: adapter({ architecture: 'ada' }) })).not.toBe(base);
    expect(decisionKey({ ...parts, webgpuDtype: 'fp32' })).not.toBe(base);
    expect(decisionKey({ ...parts, numThreads: 1 })).not.toBe(base);
  });
});
