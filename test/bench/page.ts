/**
 * The bench page: holds our client and the two comparison workers, and times what `run.ts` asks for.
 * Every time is taken here, on the main thread, from the call to the vectors in hand, so all sides pay
 * their worker hop.
 */

import { InPageEmbeddings, type BackendInfo, type ClientOptions, type ModelRow } from '../../src/index.js';
import type { BaselineMode, BaselineReply, BaselineRequest } from './baseline-worker.js';
import type { RawMode, RawReply, RawRequest } from './raw-worker.js';
import { variantClients } from './variant-clients.js';

/** What the page is told once per thread count. */
export interface PageConfig {
  modelHost: string;
  repo: string;
  dims: number;
  dtype: 'q8' | 'fp32';
  numThreads: number;
  padId: number;
}

export interface PageSet {
  name: string;
  texts: string[];
  ids: number[][];
}

/**
 * Bulk strategies: ours (learnt planner), ours with `planner: 'fixed'`, the raw limit (one text per run,
 * sorted batches), the pipeline's (a), (b), (c).
 */
export type BulkSide = 'ours' | 'ours-fixed' | 'raw-single' | 'raw-sorted' | `pipeline-${BaselineMode}`;

export type QuerySide = 'ours' | 'ours-uncached' | 'pipeline';

export interface Timed {
  ms: number;
  /** Why the run failed (a crash of the side's worker included); `ms` is then the time to the failure. */
  error?: string;
  /** The longest main-thread long task that started during the run, 0 when none. */
  longTaskMs: number;
  /** The run passed its cap and its worker was restarted: `ms` is then a lower bound. */
  stopped?: boolean;
}

/** WebGPU against WASM: timed runs (ms) per side, what each side's client reports, least row cosines. */
export interface DeviceRace {
  sides: Record<string, { runs: number[]; error?: string }>;
  backends: Record<string, BackendInfo | undefined>;
  cosine: Record<string, number>;
}

/** The raw limit's batching: the reference (batch ≤ 64 texts and ≤ 2,048 tokens). */
const RAW_SORTED: RawMode = { kind: 'sorted', maxBatchSize: 64, maxBatchTokens: 2048 };

/** A module worker answering one request at a time; an error reply or the worker's death rejects. */
class WorkerSide<Req, Reply extends { kind: string }> {
  private worker!: Worker;
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;

  constructor(private readonly make: () => Worker) { this.start(); }

  start(): void {
    this.worker = this.make();
    this.worker.onmessage = ({ data }: MessageEvent<Reply>) => {
      const p = this.pending;
      this.pending = undefined;
      if (data.kind === 'error') p?.reject(new Error((data as unknown as { message: string }).message));
      else p?.resolve(data);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new Error(`worker died: ${event.message || 'unknown error'}`));
    };
  }

  /** Terminate and start a fresh worker (its WASM heap may be broken after a failure). */
  restart(): void {
    this.worker.terminate();
    this.pending?.reject(new Error('worker restarted'));
    this.pending = undefined;
    this.start();
  }

  request(message: Req): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message);
    });
  }
}

/** The least row cosine between two flat `[n × dims]` sets of vectors. */
function leastCosine(x: Float32Array, y: Float32Array, dims: number): number {
  let least = 1;
  for (let r = 0; r < x.length / dims; r++) {
    let dot = 0, nx = 0, ny = 0;
    for (let j = r * dims; j < (r + 1) * dims; j++) { dot += x[j] * y[j]; nx += x[j] ** 2; ny += y[j] ** 2; }
    least = Math.min(least, dot / Math.sqrt(nx * ny));
  }
  return least;
}

const longTasks: PerformanceEntry[] = [];
const observer = new PerformanceObserver((list) => { longTasks.push(...list.getEntries()); });
observer.observe({ type: 'longtask', buffered: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let config: PageConfig;
let sets: Map<string, PageSet>;
let client: InPageEmbeddings;
/** Our client with `planner: 'fixed'` (its own cache namespace, emptied before each run like `client`'s). */
let fixed: InPageEmbeddings;
/** A client kept for the long-lived-worker set (cache off), made fresh by `longLivedStart`. */
let longLived: InPageEmbeddings | undefined;
let baseline: WorkerSide<BaselineRequest, BaselineReply>;
let raw: WorkerSide<RawRequest, RawReply>;
/** The last vectors of each side on each set, flat `[n × dims]`, for agreement checks. */
const kept = new Map<string, Float32Array>();

const newBaseline = () => new WorkerSide<BaselineRequest, BaselineReply>(
  () => new Worker(new URL('./baseline-worker.ts', import.meta.url), { type: 'module', name: 'baseline' }));
const newClient = (cache = true, device: 'wasm' | 'webgpu' | 'auto' = 'wasm', dtype = config.dtype, extra: ClientOptions = {}) => {
  const row: Partial<ModelRow> & { id: string } = {
    id: config.repo, repo: config.repo, dims: config.dims, pooling: 'cls', dtype: { wasm: dtype, webgpu: 'fp32' },
  };
  return new InPageEmbeddings({ modelHost: config.modelHost, numThreads: config.numThreads, models: [row], cacheNamespace: 'bench', cache, device, ...extra });
};
const initRaw = async (sets: Iterable<PageSet>) => {
  const modelFile = config.dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx';
  await raw.request({ kind: 'init', modelUrl: `${config.modelHost}${config.repo}/resolve/main/onnx/${modelFile}`, numThreads: config.numThreads, padId: config.padId });
  for (const x of sets) await raw.request({ kind: 'stage', name: x.name, ids: x.ids });
};
class Stopped extends Error {}
/** `p`, or a `Stopped` rejection once `capMs` have passed (the caller restarts the worker behind `p`). */
const capped = <T>(p: Promise<T>, capMs: number): Promise<T> =>
  Number.isFinite(capMs) ? Promise.race([p, sleep(capMs).then((): never => { throw new Stopped(`stopped at ${Math.round(capMs)} ms`); })]) : p;
const initBaseline = () => baseline.request({
  kind: 'init', modelHost: config.modelHost, repo: config.repo, dtype: config.dtype, numThreads: config.numThreads,
});
const flat = (vectors: number[][]) => {
  const out = new Float32Array(vectors.length * config.dims);
  vectors.forEach((v, i) => out.set(v, i * config.dims));
  return out;
};

/** Our client's vectors as the response holds them (flattened off the clock); `cache: false` skips the cache for this call. */
async function ours(texts: string[], via = client, cache = true): Promise<number[][]> {
  const res = await via.embeddings.create({ model: config.repo, input: texts }, cache ? {} : { cache: false });
  return res.data.map((d) => d.embedding as number[]);
}

async function pipelineRun(texts: string[], mode: BaselineMode): Promise<Float32Array> {
  const reply = await baseline.request({ kind: 'run', texts, mode });
  return (reply as Extract<BaselineReply, { kind: 'vectors' }>).vectors;
}

/** Time `task`; long tasks are those that start before `settle` resolves (our cache writes included). */
async function timed(task: () => Promise<Float32Array | number[][]>, settle: () => Promise<unknown> = async () => {}): Promise<Timed & { vectors?: Float32Array }> {
  const t0 = performance.now();
  let got: Float32Array | number[][] | undefined, error: string | undefined, stopped = false;
  try { got = await task(); } catch (err) {
    stopped = err instanceof Stopped;
    error = err instanceof Error ? err.message : String(err);
  }
  const ms = performance.now() - t0;
  await settle();
  await sleep(20);
  longTasks.push(...observer.takeRecords());
  const t1 = performance.now();
  const longTaskMs = Math.max(0, ...longTasks.filter((e) => e.startTime >= t0 && e.startTime < t1).map((e) => e.duration));
  // The bench's own copying happens after the window closes, so no long task of its own is counted.
  const vectors = Array.isArray(got) ? flat(got) : got;
  return stopped ? { ms, longTaskMs, stopped } : { ms, error, longTaskMs, vectors };
}

const api = {
  /** Start all sides on one thread count and load the model into each (this also fills the browser's cache). */
  async setup(c: PageConfig, s: PageSet[]): Promise<{ crossOriginIsolated: boolean; hasCache: boolean }> {
    config = c;
    sets = new Map(s.map((x) => [x.name, x]));
    client = newClient();
    fixed = newClient(true, 'wasm', c.dtype, { planner: 'fixed', cacheNamespace: 'bench-fixed' });
    baseline = newBaseline();
    raw = new WorkerSide<RawRequest, RawReply>(
      () => new Worker(new URL('./raw-worker.ts', import.meta.url), { type: 'module', name: 'raw' }));
    await initRaw(s);
    await initBaseline();
    await ours(['warm up']);
    await ours(['warm up'], fixed);
    return { crossOriginIsolated: self.crossOriginIsolated, hasCache: !!(client as { cache?: unknown }).cache };
  },

  /** Empty one of our clients' vector caches, so that its next `bulk()` computes every vector. */
  clearCache: async (side: 'ours' | 'ours-fixed' = 'ours'): Promise<void> => { await (side === 'ours' ? client : fixed).cache?.clear(); },

  /**
   * Time one side on one set; vectors are kept for `agreement`. A raw or pipeline run still going after
   * `capMs` is stopped (call `recover` next, off the clock). A failed pipeline worker is restarted.
   */
  async bulk(side: BulkSide, set: string, capMs = Infinity): Promise<Timed> {
    const { texts } = sets.get(set)!;
    let result: Timed & { vectors?: Float32Array };
    if (side === 'ours' || side === 'ours-fixed') {
      const via = side === 'ours' ? client : fixed;
      result = await timed(() => ours(texts, via), () => via.cache?.flush() ?? Promise.resolve());
    } else if (side === 'raw-single' || side === 'raw-sorted') {
      const mode: RawMode = side === 'raw-single' ? { kind: 'single' } : RAW_SORTED;
      result = await timed(async () => ((await capped(raw.request({ kind: 'run', name: set, mode }), capMs)) as { vectors: Float32Array }).vectors);
    } else {
      result = await timed(() => capped(pipelineRun(texts, side.slice('pipeline-'.length) as BaselineMode), capMs));
      if (result.error) { baseline.restart(); await initBaseline(); }
    }
    if (result.vectors) kept.set(`${side}|${set}`, result.vectors);
    const { vectors: _, ...timing } = result;
    return timing;
  },

  /** Restart and reload the worker of a side whose run was stopped. */
  async recover(side: BulkSide): Promise<void> {
    if (side === 'raw-single' || side === 'raw-sorted') { raw.restart(); await initRaw(sets.values()); }
    else if (side.startsWith('pipeline-')) { baseline.restart(); await initBaseline(); }
  },

  /** Time our client on a set it has just computed (its vector cache answers). */
  async cached(set: string): Promise<Timed> {
    const { vectors: _, ...timing } = await timed(() => ours(sets.get(set)!.texts));
    return timing;
  },

  /**
   * Latency of each query, awaited one at a time: ours with the cache on or off for the request (one client,
   * one worker, so the A/B has no worker-state difference), or the pipeline's worker, one text per message.
   */
  async queries(side: QuerySide, set: string): Promise<number[]> {
    const latencies: number[] = [];
    const texts = sets.get(set)!.texts;
    const vectors = new Float32Array(texts.length * config.dims);
    for (const [i, text] of texts.entries()) {
      const t0 = performance.now();
      const v = side === 'pipeline' ? await pipelineRun([text], 'a') : (await ours([text], client, side === 'ours'))[0];
      latencies.push(performance.now() - t0);
      vectors.set(v, i * config.dims);
    }
    await client.cache?.flush();
    kept.set(`${side}|${set}`, vectors);
    return latencies;
  },

  /** Time from a new client (or a new pipeline worker) to its first vector, the model files already cached. */
  async coldStart(side: 'ours' | 'pipeline', probe: string): Promise<number> {
    if (side === 'ours') {
      await client.dispose();
      const t0 = performance.now();
      client = newClient();
      await ours([probe]);
      return performance.now() - t0;
    }
    const t0 = performance.now();
    baseline.restart();
    await initBaseline();
    await pipelineRun([probe], 'a');
    return performance.now() - t0;
  },

  /** The least cosine between two sides' kept vectors of one set (bulk or query sides), row by row. */
  agreement(a: BulkSide | QuerySide, b: BulkSide | QuerySide, set: string): number | null {
    const x = kept.get(`${a}|${set}`), y = kept.get(`${b}|${set}`);
    return x && y ? leastCosine(x, y, config.dims) : null;
  },

  /**
   * WebGPU against WASM (our client on each, cache off): the same texts in one request, a warm-up then up to
   * `reps` timed runs; WebGPU stops early once one run passes `capMs`. Also what `'auto'` decides here.
   */
  async devices(c: PageConfig, texts: string[], reps: number, capMs: number): Promise<DeviceRace> {
    config = c;
    const race: DeviceRace = { sides: {}, backends: {}, cosine: {} };
    const vectors: Record<string, Float32Array> = {};
    for (const [name, device, dtype] of [['wasm-q8', 'wasm', 'q8'], ['wasm-fp32', 'wasm', 'fp32'], ['webgpu', 'webgpu', 'fp32'], ['auto', 'auto', 'q8']] as const) {
      const side = newClient(false, device, dtype);
      const runs: number[] = [];
      let error: string | undefined;
      try {
        await ours([texts[0]], side);
        for (let r = 0; r < (name === 'auto' ? 0 : reps); r++) {
          const t = await timed(() => ours(texts, side));
          if (t.error) throw new Error(t.error);
          runs.push(t.ms);
          vectors[name] = t.vectors!;
          if (t.ms > capMs) break;
        }
      } catch (err) { error = err instanceof Error ? err.message : String(err); }
      race.sides[name] = { runs, ...(error ? { error } : {}) };
      race.backends[name] = (await side.backends().catch(() => []))[0];
      await side.dispose();
    }
    const cos = (a: Float32Array, b: Float32Array) => leastCosine(a, b, c.dims);
    if (vectors.webgpu && vectors['wasm-fp32']) race.cosine['webgpu~wasm-fp32'] = cos(vectors.webgpu, vectors['wasm-fp32']);
    if (vectors['wasm-q8'] && vectors['wasm-fp32']) race.cosine['wasm-q8~wasm-fp32'] = cos(vectors['wasm-q8'], vectors['wasm-fp32']);
    return race;
  },

  /** Our worker's counters: session runs, real and padded tokens. */
  engineStats: () => client.engineStats(),

  /** Start a fresh client for the long-lived-worker set (cache off) and run `set` once untimed, loading the model. */
  async longLivedStart(set: string): Promise<void> {
    await longLived?.dispose();
    longLived = newClient(false);
    await ours(sets.get(set)!.texts, longLived);
  },

  /** One timed run of `set` on the long-lived client. */
  async longLivedRun(set: string): Promise<Timed> {
    const { vectors: _, ...timing } = await timed(() => ours(sets.get(set)!.texts, longLived));
    return timing;
  },
};

const withVariants = {
  ...api,
  ...variantClients((cache, extra) => newClient(cache, 'wasm', config.dtype, extra), (set) => sets.get(set)!.texts, () => config.repo, () => client),
};

export type BenchApi = typeof withVariants;
(self as unknown as { bench: BenchApi }).bench = withVariants;
