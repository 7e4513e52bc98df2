/**
 * The WebGPU device lost in the middle of a multi-run request, with several calls of two models in flight:
 * between two runs, while one is in flight, and as one returns (after its readback, before its rows are
 * checked). Every call resolves with WASM's vectors, `backends()` reports each model's switch and its
 * 'lost' reason, no vector computed after the loss is returned or cached (the
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
/** A second model on the same device: the loss must move it to WASM too. */
const SECOND = FAMILIES.jina.id;
/** Returned vectors must match WASM's (and the golden ones) this closely. */
const MIN_COSINE = 0.9999;
/** Texts per session run at most: 200 texts of mixed lengths make dozens of runs, so the loss lands with many queued. */
const BATCH = 8;
/** Served WebGPU runs before the loss: the warm-up calls' 3, then 5 of the concurrent calls'. */
const RUNS_BEFORE_LOSS = 8;
/** A call that has not settled this long after the loss has hung. */
const CALL_DEADLINE_MS = 120_000;

/** Texts of mixed lengths (3–120 words), distinct by label and index. */
const mixedTexts = (label: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${label} ${i} ${'word '.repeat(3 + ((i * 37) % 118))}`.trim());
/** Texts of one length, so the warm-up calls' runs can be counted (`BATCH` texts a run). */
const evenTexts = (label: string, n: number) => Array.from({ length: n }, (_, i) => `${label} ${i} ${'word '.repeat(20)}`.trim());

const TEXTS = {
  warm: evenTexts('warm', 16),
  big: mixedTexts('big', 200),
  other: mixedTexts('other', 60),
  next: mixedTexts('next', 30),
};
/** The second model's texts: one warm-up run, then 40 texts beside the first model's calls. */
const SECOND_TEXTS = { warm: evenTexts('second warm', 8), busy: mixedTexts('second', 40) };

let golden: Golden;
let dims: number;
/** WASM's vector of every text the tests send, by model and text, computed apart by a WASM-only client. */
const reference = new Map<string, number[]>();
const ref = (model: string, text: string) => reference.get(`${model}\n${text}`)!;
const clients: InPageEmbeddings[] = [];

beforeAll(async () => {
  golden = await fixtureJson<Golden>(FAMILIES.bert.repo, 'golden.json');
  dims = golden.vectors[0].length;
  const wasm = await tinyClient({ device: 'wasm', cache: false, maxBatchSize: BATCH });
  const inputs: Array<[string, string[]]> = [[MODEL, [...Object.values(TEXTS).flat(), ...golden.texts]], [SECOND, Object.values(SECOND_TEXTS).flat()]];
  for (const [model, input] of inputs) {
    const res = await wasm.embeddings.create({ model, input });
    res.data.forEach((d, i) => reference.set(`${model}\n${input[i]}`, asNumbers(d.embedding)));
  }
  await wasm.dispose();
  golden.texts.forEach((t, i) => expect(cosine(ref(MODEL, t), golden.vectors[i])).toBeGreaterThanOrEqual(MIN_COSINE));
  // The check can fail: a reversed vector (what the fault returns after the loss) or another text's vector
  // (a stale buffer) is far from a text's own.
  let worst = -1;
  for (const [key, v] of reference) {
    const other = ref(key.startsWith(SECOND) ? SECOND : MODEL, key.startsWith(SECOND) ? SECOND_TEXTS.busy[0] : TEXTS.big[0]);
    worst = Math.max(worst, cosine([...v].reverse(), v), other === v ? -1 : cosine(v, other));
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
function minCosine(model: string, texts: string[], res: CreateEmbeddingResponse): number {
  expect(res.data.map((d) => d.index)).toEqual(texts.map((_, i) => i));
  let min = 1;
  res.data.forEach((d, i) => {
    const v = asNumbers(d.embedding);
    expect(v.length).toBe(ref(model, texts[i]).length);
    min = Math.min(min, cosine(v, ref(model, texts[i])));
    const g = model === MODEL ? golden.texts.indexOf(texts[i]) : -1;
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
    // 1. Three runs on WebGPU (two of the first model, one of the second), before any loss. The second
    //    model's calls skip the vector cache, so the store holds the first model's vectors only.
    const warm = await client.embeddings.create({ model: MODEL, input: TEXTS.warm });
    const secondWarm = await client.embeddings.create({ model: SECOND, input: SECOND_TEXTS.warm }, { cache: false });
    expect((await client.engineStats()).sessionRuns).toBe(3);
    const onGpu = { device: 'webgpu', requested: 'webgpu' };
    expect(await client.backends()).toMatchObject([{ model: MODEL, ...onGpu }, { model: SECOND, ...onGpu }]);
    expect(minCosine(MODEL, TEXTS.warm, warm)).toBeGreaterThanOrEqual(MIN_COSINE);
    expect(minCosine(SECOND, SECOND_TEXTS.warm, secondWarm)).toBeGreaterThanOrEqual(MIN_COSINE);

    // 2. Five concurrent calls: 200 texts (25 runs), 60 more, the golden texts with 10 of the big call's
    //    (answered by its computation, in flight), the warm texts again (cache), and 40 of the second model's.
    const overlap = [...golden.texts, ...TEXTS.big.slice(100, 110)];
    const calls = [
      { name: 'big', model: MODEL, input: TEXTS.big }, { name: 'other', model: MODEL, input: TEXTS.other },
      { name: 'overlap', model: MODEL, input: overlap }, { name: 'warm', model: MODEL, input: TEXTS.warm },
      { name: 'second', model: SECOND, input: SECOND_TEXTS.busy },
    ];
    const started = performance.now();
    const results = await Promise.all(calls.map(async ({ name, model, input }) => {
      const res = await within(client.embeddings.create({ model, input }, { cache: model === MODEL }), `the ${name} call`);
      return { name, model, input, res, ms: performance.now() - started };
    }));
    const figures: Record<string, string> = {};
    for (const { name, model, input, res, ms } of results) {
      const min = minCosine(model, input, res);
      figures[name] = `${input.length} texts in ${Math.round(ms)} ms, 1 - min cosine ${(1 - min).toExponential(1)}`;
      expect(min, `the ${name} call`).toBeGreaterThanOrEqual(MIN_COSINE);
    }

    // 3. Each model's switch, with the loss as its reason.
    const backends = await client.backends();
    for (const model of [MODEL, SECOND]) {
      const b = backends.find((x) => x.model === model)!;
      expect(b).toMatchObject({ device: 'wasm', requested: 'webgpu', switchedToWasm: { reason: expect.stringMatching(/GPU device was lost/) } });
      expect(b.reason).toMatch(/^switched from WebGPU fp32 to WASM while serving: the GPU device was lost/);
    }
    const runs = (await client.engineStats()).sessionRuns - 3;
    console.info(`device lost (${JSON.stringify(fault)}) after ${RUNS_BEFORE_LOSS} runs; then ${runs} session runs (the dropped one and its WASM rerun included): ${backends[0].switchedToWasm!.reason}; ${JSON.stringify(figures)}`);

    // 4. The next call works (on WASM, for the rest of the worker's life).
    const next = await within(client.embeddings.create({ model: MODEL, input: TEXTS.next }), 'the next call');
    expect(minCosine(MODEL, TEXTS.next, next)).toBeGreaterThanOrEqual(MIN_COSINE);
    expect(await client.backends()).toMatchObject(backends.map(({ device, switchedToWasm }) => ({ device, switchedToWasm })));

    // 5. IndexedDB holds exactly what the calls returned, bit for bit, and nothing else.
    await client.cache.flush();
    const cached = [{ input: TEXTS.warm, res: warm }, ...results.filter((r) => r.model === MODEL), { input: TEXTS.next, res: next }];
    const answered = cached.map(({ input, res }) => ({ texts: input, vectors: res.data.map((d) => asNumbers(d.embedding)) }));
    await expectStoredExactly(namespace, MODEL, dims, answered);
  });
});
