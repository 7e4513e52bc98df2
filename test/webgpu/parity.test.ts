/**
 * WebGPU against WASM on every tiny model family, on SwiftShader's software adapter. It proves the
 * WebGPU path computes the same vectors; it says nothing about speed (SwiftShader runs shaders on the CPU).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine, type InPageEmbeddings } from '../../src/index.js';
import { asNumbers, FAMILIES, fixtureJson, tinyClient, type Golden } from '../browser/tiny-models.js';

/** Few texts: every WebGPU kernel runs in software here. */
const TEXTS = 3;

let webgpu: InPageEmbeddings;
let wasm: InPageEmbeddings;
const measured: Record<string, number> = {};

beforeAll(async () => {
  webgpu = await tinyClient({ device: 'webgpu', cache: false });
  // 'auto' skips SwiftShader (a fallback adapter) unless allowFallbackAdapter: this client runs WASM.
  wasm = await tinyClient({ device: 'auto', cache: false });
});
afterAll(async () => {
  console.info('WebGPU vs WASM, 1 - minimum cosine per family (SwiftShader):', JSON.stringify(measured));
  await webgpu.dispose();
  await wasm.dispose();
});

describe("device: 'webgpu' on a software adapter", () => {
  it.each(Object.entries(FAMILIES))('%s: WebGPU vectors equal WASM vectors (cos >= 0.999)', async (family, { id, repo }) => {
    const golden = await fixtureJson<Golden>(repo, 'golden.json');
    const input = golden.texts.slice(0, TEXTS);
    const [onGpu, onCpu] = await Promise.all([
      webgpu.embeddings.create({ model: id, input }), wasm.embeddings.create({ model: id, input }),
    ]);
    let min = 1;
    onGpu.data.forEach((d, i) => {
      const v = asNumbers(d.embedding);
      expect(v.length).toBe(golden.vectors[i].length);
      expect(v.every(Number.isFinite)).toBe(true);
      min = Math.min(min, cosine(v, asNumbers(onCpu.data[i].embedding)));
      expect(cosine(v, golden.vectors[i])).toBeGreaterThanOrEqual(0.999);
    });
    measured[family] = Number((1 - min).toExponential(2));
    expect(min).toBeGreaterThanOrEqual(0.999);
    expect(onGpu.usage).toEqual(onCpu.usage);
    const backend = (await webgpu.backends()).find((b) => b.model === id)!;
    expect(backend).toMatchObject({ device: 'webgpu', dtype: 'fp32', requested: 'webgpu' });
    expect(backend.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true, shaderF16: false });
    expect(backend.switchedToWasm).toBeUndefined();
    const skipped = (await wasm.backends()).find((b) => b.model === id)!;
    expect(skipped).toMatchObject({ device: 'wasm', requested: 'auto', adapter: { isFallbackAdapter: true } });
    expect(skipped.reason).toMatch(/^'auto' skips google\/swiftshader: a fallback .*allowFallbackAdapter/);
    expect(skipped.evidence).toBeUndefined();
  });
});
