/**
 * The WebGPU device lost in the middle of a multi-run request, with several calls in flight: between two
 * runs, while one is in flight, and as one returns (after its readback, before its rows are checked). Every call resolves with WASM's vectors, `backends()`
 * reports the switch and its 'lost' reason, no vector computed after the loss is returned or cached (the
 * fault makes such runs return wrong unit vectors), IndexedDB holds exactly what the calls returned, and the
 * next call works. SwiftShader's software adapter: correctness only.
 */

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceLostFault } from '../../../src/device-protocol.js';
import { cosine, type CreateEmbeddingResponse, type InPageEmbeddings } from '../../../src/index.js';
import { freshNamespace } from '../../browser/cache-helpers.js';
import { asNumbers, FAMILIES, fixtureJson, tinyClient, type Golden } from '../../browser/tiny-models.js';
import { expectStoredExactly } from '../browser/stored-entries.js';

const MODEL = FAMILIES.bert.id;
/** Returned vectors must match WASM's (and the golden ones) this closely. */
const MIN_COSINE = 0.9999;
/** Texts per session run: 200 texts make 25 runs, so the loss lands with many queued. */
const BATCH = 8;
/** Served WebGPU runs before the loss: the warm-up call's 2, then 6 of the big call's. */
const RUNS_BEFORE_LOSS = 8;
/** A call that has not settled this long after the loss has hung. */
const CALL_DEADLINE_MS = 120_000;

/** Texts of mixed lengths (3–120 words), distinct by label and index. */
const mixedTexts = (label: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${label} ${i} ${'word '.repeat(3 + ((i * 37) % 118))}`.trim());

const TEXTS = {
  warm: mixedTexts('warm', 16),
  big: mixedTexts('big', 200),
  other: mixedTexts('other', 60),
  next: mixedTexts('next', 30),
};

let golden: Golden;
let dims: number;
/** WASM's vector of every text the tests send, computed apart by a WASM-only client. */
const reference = new Map<string, number[]>();
const clients: InPageEmbeddings[] = [];

beforeAll(async () => {
  golden = await fixtureJson<Golden>(FAMILIES.bert.repo, 'golden.json');
  dims = golden.vectors[0].length;
  const wasm = await tinyClient({ device: 'wasm', cache: false, maxBatchSize: BATCH });
  const all = [...Object.values(TEXTS).flat(), ...golden.texts];
  const res = await wasm.embeddings.create({ model: MODEL, input: all });
  res.data.forEach((d, i) => reference.set(all[i], asNumbers(d.embedding)));
  await wasm.dispose();
  golden.texts.forEach((t, i) => expect(cosine(reference.get(t)!, golden.vectors[i])).toBeGreaterThanOrEqual(MIN_COSINE));
  // The check can fail: a reversed vector (what the fault returns after the loss) or another text's vector
  // (a stale buffer) is far from a text's own.
  let worst = -1;
  for (const [text, v] of reference) {
    worst = Math.max(worst, cosine([...v].reverse(), v));
    if (text !== TEXTS.big[0]) worst = Math.max(worst, cosine(v, reference.get(TEXTS.big[0])!));
  }
  expect(worst).toBeLessThan(MIN_COSINE);
});
afterEach(async () => { for (const c of clients.splice(0)) await c.dispose(); });

/** Settle `p`, or fail saying what hung. */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const hung = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} hung after the device was lost`)), CALL_DEADLINE_MS); });
  return Promise.race([p, hung]).finally(() => clearTimeout(timer));
}

/** The lowest cosine between the returned vectors and WASM's (golden texts: also the golden vectors). */
function minCosine(texts: string[], res: CreateEmbeddingResponse): number {
  expect(res.data.map((d) => d.index)).toEqual(texts.map((_, i) => i));
  let min = 1;
  res.data.forEach((d, i) => {
    const v = asNumbers(d.embedding);
    expect(v.length).toBe(dims);
    min = Math.min(min, cosine(v, reference.get(texts[i])!));
    const g = golden.texts.indexOf(texts[i]);
    if (g >= 0) min = Math.min(min, cosine(v, golden.vectors[g]));
  });
  return min;
}

const cases: Array<{ when: string; fault: DeviceLostFault }> = [
  { when: 'between two runs', fault: { afterRuns: RUNS_BEFORE_LOSS } },
  { when: 'while a run is in flight', fault: { afterRuns: RUNS_BEFORE_LOSS, inRunMs: 10 } },
  { when: 'as a run returns, before its rows are checked', fault: { afterRuns: RUNS_BEFORE_LOSS, asRunReturns: true } },
];

describe('the WebGPU device is lost in the middle of a batch', () => {
  it.each(cases)('$when: every call is answered with WASM vectors, nothing from the lost device is kept, the next call works', async ({ fault }) => {
    const namespace = freshNamespace('gpu-lost');
    const client = await tinyClient({
      device: 'webgpu', cacheNamespace: namespace, maxBatchSize: BATCH, planner: 'fixed', __testFaults: { deviceLost: fault },
    });
    clients.push(client);
    // 1. Two runs on WebGPU, before any loss.
    const warm = await client.embeddings.create({ model: MODEL, input: TEXTS.warm });
    expect(await client.backends()).toMatchObject([{ model: MODEL, device: 'webgpu', requested: 'webgpu' }]);
    expect(minCosine(TEXTS.warm, warm)).toBeGreaterThanOrEqual(MIN_COSINE);

    // 2. Four concurrent calls: 200 texts (25 runs; the loss lands in its 7th), 60 more queued behind them,
    //    the golden texts with 10 of the big call's (answered by its computation, in flight), the warm texts again (cache).
    const overlap = [...golden.texts, ...TEXTS.big.slice(100, 110)];
    const calls = { big: TEXTS.big, other: TEXTS.other, overlap, warm: TEXTS.warm };
    const started = performance.now();
    const results = await Promise.all(Object.entries(calls).map(async ([name, input]) => {
      const res = await within(client.embeddings.create({ model: MODEL, input }), `the ${name} call`);
      return { name, input, res, ms: performance.now() - started };
    }));
    const figures: Record<string, string> = {};
    for (const { name, input, res, ms } of results) {
      const min = minCosine(input, res);
      figures[name] = `${input.length} texts in ${Math.round(ms)} ms, 1 - min cosine ${(1 - min).toExponential(1)}`;
      expect(min, `the ${name} call`).toBeGreaterThanOrEqual(MIN_COSINE);
    }

    // 3. The switch, with the loss as its reason.
    const [backend] = await client.backends();
    expect(backend).toMatchObject({ model: MODEL, device: 'wasm', requested: 'webgpu', switchedToWasm: { reason: expect.stringMatching(/GPU device was lost/) } });
    expect(backend.reason).toMatch(/^switched from WebGPU fp32 to WASM while serving: the GPU device was lost/);
    console.info(`device lost (${JSON.stringify(fault)}): ${backend.switchedToWasm!.reason}; ${JSON.stringify(figures)}`);

    // 4. The next call works (on WASM, for the rest of the worker's life).
    const next = await within(client.embeddings.create({ model: MODEL, input: TEXTS.next }), 'the next call');
    expect(minCosine(TEXTS.next, next)).toBeGreaterThanOrEqual(MIN_COSINE);
    expect((await client.backends())[0]).toMatchObject({ device: 'wasm', switchedToWasm: { at: backend.switchedToWasm!.at } });

    // 5. IndexedDB holds exactly what the calls returned, bit for bit, and nothing else.
    await client.cache.flush();
    const answered = [{ texts: TEXTS.warm, vectors: warm.data.map((d) => asNumbers(d.embedding)) }, ...results.map(({ input, res }) => (
      { texts: input, vectors: res.data.map((d) => asNumbers(d.embedding)) })), { texts: TEXTS.next, vectors: next.data.map((d) => asNumbers(d.embedding)) }];
    await expectStoredExactly(namespace, MODEL, dims, answered);
  });
});
