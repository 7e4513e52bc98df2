/**
 * `device: 'auto'` and the WebGPU guard on SwiftShader: the probe, its cached decision, and every
 * fallback (injected parity failure, injected NaN, lost device). Correctness only: a software adapter
 * is never a speed reference, and here it always loses the benchmark.
 */

import { createStore, entries } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { cosine, type BackendInfo, type ClientOptions, type InPageEmbeddings } from '../../src/index.js';
import { DECISION_DATABASE, DECISION_STORE, type StoredDecision } from '../../src/worker/device-decision-store.js';
import { asNumbers, FAMILIES, fixtureJson, tinyClient, type Golden } from '../browser/tiny-models.js';

const BERT = FAMILIES.bert.id;

/** A package version of its own per test, so cached decisions never leak between tests. */
const version = (name: string) => `0.0.0-test.${name}.${Date.now()}`;

async function client(options: ClientOptions): Promise<InPageEmbeddings> {
  return tinyClient({ device: 'auto', allowFallbackAdapter: true, cache: false, ...options });
}

/** Embed the first golden texts of a family and check them against the fp32 golden vectors. */
async function answersCorrectly(c: InPageEmbeddings, family: keyof typeof FAMILIES = 'bert', count = 2): Promise<void> {
  const { id, repo } = FAMILIES[family];
  const golden = await fixtureJson<Golden>(repo, 'golden.json');
  const res = await c.embeddings.create({ model: id, input: golden.texts.slice(0, count) });
  res.data.forEach((d, i) => expect(cosine(asNumbers(d.embedding), golden.vectors[i])).toBeGreaterThanOrEqual(0.999));
}

async function backend(c: InPageEmbeddings, model: string = BERT): Promise<BackendInfo> {
  const found = (await c.backends()).find((b) => b.model === model);
  if (!found) throw new Error(`${model} is not loaded`);
  return found;
}

async function storedDecisions(): Promise<StoredDecision[]> {
  return (await entries<string, StoredDecision>(createStore(DECISION_DATABASE, DECISION_STORE))).map(([, d]) => d);
}

describe("device: 'auto'", () => {
  it('probes once (parity, then a bounded benchmark), caches the decision, reuses it on reload, and probes again for a new version', async () => {
    const v1 = version('cache');
    // 1. The probe: parity passes, SwiftShader is far slower, so WASM; evidence recorded.
    const first = await client({ __testPackageVersion: v1 });
    await answersCorrectly(first);
    const probed = await backend(first);
    expect(probed).toMatchObject({ device: 'wasm', dtype: 'fp32', evidence: { source: 'probe', packageVersion: v1, webgpuDtype: 'fp32' } });
    expect(probed.evidence!.parity).toMatchObject({ passed: true, nan: false });
    expect(probed.evidence!.parity!.minCosine).toBeGreaterThanOrEqual(0.999);
    const bench = probed.evidence!.benchmark!;
    expect(bench.webgpuFaster).toBe(false);
    expect(bench.warmupMs.webgpu).toBeGreaterThan(0);
    // Bounded: it stops at WebGPU's first clear loss (or when the budget ran out during warm-up).
    expect(bench.webgpuMs.length).toBeLessThanOrEqual(1);
    if (bench.webgpuMs.length) expect(bench.webgpuMs[0]).toBeGreaterThan(bench.wasmMs[0]);
    expect(probed.reason).toMatch(/parity cosine .*WASM is faster here/);
    console.info('probe evidence on SwiftShader:', JSON.stringify(probed.evidence));
    await first.dispose();
    const stored = (await storedDecisions()).filter((d) => d.evidence.packageVersion === v1);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ device: 'wasm', adapter: { architecture: 'swiftshader' } });

    // 2. Reload (a new client, a new worker): the cached decision, no second probe.
    const second = await client({ __testPackageVersion: v1 });
    await answersCorrectly(second);
    const reused = await backend(second);
    expect(reused).toMatchObject({ device: 'wasm', evidence: { source: 'cache', decidedAt: probed.evidence!.decidedAt } });
    expect(reused.reason).toMatch(/^cached decision of /);
    // Only the request's own session runs: a probe would have added canary and benchmark runs.
    expect((await second.engineStats()).sessionRuns).toBeLessThanOrEqual(2);
    await second.dispose();

    // 3. A new package version probes again, and old records are dropped. An injected NaN makes this
    //    probe fail its parity check; the same NaN in a WebGPU-by-name model's served batch makes that
    //    batch run again on WASM. Every request is still answered correctly.
    const v2 = version('cache-next');
    const third = await client({
      __testPackageVersion: v2, __testFaults: { nan: true }, models: [{ id: FAMILIES.jina.id, device: 'webgpu' }],
    });
    await answersCorrectly(third);
    const again = await backend(third);
    expect(again).toMatchObject({ device: 'wasm', evidence: { source: 'probe', packageVersion: v2, parity: { passed: false, nan: true } } });
    expect(again.evidence!.decidedAt).toBeGreaterThan(probed.evidence!.decidedAt);
    expect(again.reason).toMatch(/failed the parity check \(NaN in its output\)/);
    const versions = new Set((await storedDecisions()).map((d) => d.evidence.packageVersion));
    expect([...versions]).toEqual([v2]);

    await answersCorrectly(third, 'jina');
    const guarded = await backend(third, FAMILIES.jina.id);
    expect(guarded).toMatchObject({ device: 'wasm', requested: 'webgpu', switchedToWasm: { reason: 'a NaN in the output' } });
    expect(guarded.reason).toMatch(/^switched from WebGPU fp32 to WASM while serving: a NaN in the output/);
    await answersCorrectly(third, 'jina');
    await third.dispose();
  }, 600_000);

  it('falls back to WASM on an injected parity failure; the request is answered and the reason shown', async () => {
    // The same client then runs jina on WebGPU after the probe released bert's WebGPU session: releasing
    // one session must leave the device usable for the next (transformers.js#1576).
    const c = await client({
      __testPackageVersion: version('parity'), __testFaults: { parity: true },
      models: [{ id: FAMILIES.jina.id, device: 'webgpu' }],
    });
    await answersCorrectly(c);
    const b = await backend(c);
    expect(b).toMatchObject({ device: 'wasm', evidence: { source: 'probe', parity: { passed: false, nan: false } } });
    expect(b.evidence!.parity!.minCosine).toBeLessThan(0.999);
    expect(b.evidence!.benchmark).toBeUndefined();
    expect(b.reason).toMatch(/failed the parity check \(min cosine/);
    await answersCorrectly(c, 'jina');
    expect(await backend(c, FAMILIES.jina.id)).toMatchObject({ device: 'webgpu', requested: 'webgpu' });
    await c.dispose();
  }, 300_000);

  it('runs WebGPU when the benchmark says so, reuses that decision, and survives a lost device mid-request', async () => {
    const v = version('wins');
    const c = await client({ __testPackageVersion: v, __testFaults: { webgpuWins: true, deviceLost: true } });
    await answersCorrectly(c);
    const b = await backend(c);
    expect(b.evidence).toMatchObject({ source: 'probe', parity: { passed: true }, benchmark: { webgpuFaster: true } });
    // The device is destroyed just before the batch: the run fails on it (or the loss is seen first).
    expect(b).toMatchObject({ device: 'wasm', switchedToWasm: { reason: expect.stringMatching(/lost/i) } });
    expect(b.reason).toMatch(/^switched from WebGPU fp32 to WASM while serving/);
    console.info('lost-device fallback:', b.switchedToWasm!.reason);
    await answersCorrectly(c);
    await c.dispose();

    const reload = await client({ __testPackageVersion: v });
    await answersCorrectly(reload, 'bert', 1);
    expect(await backend(reload)).toMatchObject({ device: 'webgpu', dtype: 'fp32', evidence: { source: 'cache' } });
    await reload.dispose();
  }, 400_000);
});
