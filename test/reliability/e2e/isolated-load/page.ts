/**
 * The isolated load page: one client on the tiny bge model (query: `hub`, `dims`), its own vector cache,
 * driven round by round from Node. Served with COOP/COEP, so `measureUserAgentSpecificMemory()` works.
 */

import { InPageEmbeddings } from '../../../../src/index.js';
import type { LoadApi, MemorySplit, RoundResult } from './api.js';

const params = new URLSearchParams(location.search);
const MODEL = 'BAAI/bge-small-en-v1.5';
const options = {
  modelHost: params.get('hub') ?? undefined,
  // One onnxruntime thread: its thread workers wait in Atomics.wait between runs and never answer a memory
  // measurement, which then waits for Chromium's 60 s worker timeout and leaves them out anyway.
  numThreads: 1,
  models: [{ id: MODEL, dims: Number(params.get('dims')), dtype: { wasm: 'fp32' as const, webgpu: 'fp32' as const } }],
};
const client = new InPageEmbeddings({ ...options, cacheNamespace: `isolated-load-${crypto.randomUUID()}` });
let texts: string[] = [];
let reference: Float32Array[] | undefined;

interface UaMemory {
  bytes: number;
  breakdown: Array<{ bytes: number; attribution: Array<{ url: string; scope: string }> }>;
}

async function round(callers: number, perCall: number): Promise<RoundResult> {
  const vectors: Float32Array[] = new Array(texts.length);
  const latencies: number[] = [];
  const problems: string[] = [];
  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
  observer.observe({ type: 'longtask' });
  let next = 0;
  const caller = async () => {
    while (next < texts.length) {
      const at = next;
      next += perCall;
      const input = texts.slice(at, at + perCall);
      const started = performance.now();
      const res = await client.embeddings.create({ model: MODEL, input });
      latencies.push(performance.now() - started);
      if (res.data.length !== input.length) problems.push(`call at ${at}: ${res.data.length} items for ${input.length}`);
      res.data.forEach((d, i) => {
        if (d.index !== i) problems.push(`call at ${at}: item ${i} has index ${d.index}`);
        vectors[at + i] = Float32Array.from(d.embedding as number[]);
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: callers }, caller));
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  if (!reference) reference = vectors;
  else {
    const differing = vectors.findIndex((v, i) => v.some((x, k) => x !== reference![i][k]));
    if (differing >= 0) problems.push(`text ${differing} differs from round 1`);
  }
  return { seconds, latencies, problems, longTasks };
}

/** Sort the measurement's bytes by context: the page, the model worker, onnxruntime's threads, the rest. */
function split(m: UaMemory): MemorySplit {
  const out: MemorySplit = { page: 0, worker: 0, threads: 0, other: 0, total: m.bytes };
  for (const entry of m.breakdown) {
    const [who] = entry.attribution;
    if (!who || entry.attribution.length > 1) out.other += entry.bytes;
    else if (who.scope === 'Window') out.page += entry.bytes;
    else if (/ort-wasm/.test(who.url)) out.threads += entry.bytes;
    else out.worker += entry.bytes;
  }
  return out;
}

const api: LoadApi = {
  crossOriginIsolated: self.crossOriginIsolated,
  async setup(count) {
    const corpus = await (await fetch('/demo/public/corpus.json')).json() as { passages: Array<{ text: string }> };
    const passages = corpus.passages.map((p) => p.text);
    texts = Array.from({ length: count }, (_, i) => `${passages[i % passages.length]} (${i})`);
  },
  round,
  async memory(raw = false) {
    await client.cache.flush();
    (globalThis as { gc?: () => void }).gc?.();
    const measure = (performance as unknown as { measureUserAgentSpecificMemory(): Promise<UaMemory> }).measureUserAgentSpecificMemory;
    const measured = await measure.call(performance);
    if (raw) console.log(JSON.stringify(measured.breakdown.map((b) => [b.bytes, b.attribution.map((a) => `${a.scope} ${a.url}`)])));
    return split(measured);
  },
  async checkApart(indices) {
    const apart = new InPageEmbeddings({ ...options, cache: false });
    try {
      const res = await apart.embeddings.create({ model: MODEL, input: indices.map((i) => texts[i]) });
      let worst = 0;
      res.data.forEach((d, j) => (d.embedding as number[]).forEach((x, k) => { worst = Math.max(worst, Math.abs(x - reference![indices[j]][k])); }));
      return worst;
    } finally {
      await apart.dispose();
    }
  },
};
window.load = api;
