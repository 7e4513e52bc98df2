/** The inference engine: tokenize, pack length-sorted batches, run, pool, normalize. Lives in the worker. */

import { Tensor } from '@huggingface/transformers';
import { badRequest } from '../errors.js';
import { normalizeInPlace, poolHidden } from '../vector-math.js';
import type {
  BackendInfo, EmbedItem, EmbedResult, EngineApi, EngineOptions, EngineStats, ImageEmbedResult, ImageItem, LocalModelSpec,
  ProgressEvent, ReadImage,
} from '../engine-protocol.js';
import { planBatches } from './batch-planner.js';
import { readImage } from './image-decode.js';
import { routerContext, Route } from './device-router.js';
import { configureRuntime, type LoadedModel } from './model-loader.js';
import { floatData } from './result-guard.js';
import { priorCost, RunCostModel } from './run-cost.js';
import { RunQueue } from './run-queue.js';
import { VisionTowers } from './vision-tower.js';

interface ModelSlot {
  loading: Promise<LoadedModel>;
  queue: RunQueue;
  spec: LocalModelSpec;
  /** Which device runs it and why; guards its WebGPU batches. */
  route: Route;
  /** What a run costs here, learnt from its runs: the batch planner's input. */
  cost: RunCostModel;
}

/** Run local models for one client. */
export class Engine implements EngineApi {
  private options: EngineOptions | undefined;
  private onProgress: ((e: ProgressEvent) => void) | undefined;
  private readonly slots = new Map<string, ModelSlot>();
  private readonly counters: EngineStats = { sessionRuns: 0, texts: 0, realTokens: 0, paddedTokens: 0, loads: 0 };
  private readonly devices = routerContext({
    options: () => this.options!, onProgress: () => this.onProgress,
    embedOn: (loaded, spec, texts) => this.embedOn(loaded, spec, texts),
  });
  private readonly vision = new VisionTowers({ onProgress: () => this.onProgress, onLoad: () => this.counters.loads++ });

  async init(options: EngineOptions, onProgress?: (e: ProgressEvent) => void): Promise<void> {
    this.options = options;
    this.onProgress = onProgress;
    configureRuntime(options);
  }

  stats(): EngineStats {
    return { ...this.counters };
  }

  backends(): BackendInfo[] {
    return [...this.slots.values()].map(({ spec, route }) => ({
      model: spec.id, numThreads: this.options?.numThreads ?? 1, ...route.info(),
    }));
  }

  async readImages(items: ImageItem[]): Promise<ReadImage[]> {
    const read: ReadImage[] = [];
    // One at a time: reading a large bitmap back holds its whole RGBA.
    for (const item of items) read.push(await readImage(item));
    return read;
  }

  embedImages(spec: LocalModelSpec, items: ImageItem[]): Promise<ImageEmbedResult> {
    if (!this.options) throw new Error('Engine.init() must be called before embedImages()');
    return this.vision.embed(spec, items);
  }

  crashForTest(): void {
    setTimeout(() => { throw new Error('worker crashed (test)'); });
  }

  /** Load a model once per (repo, revision, dtype); a failed load is forgotten so the next call retries. */
  private slot(spec: LocalModelSpec): ModelSlot {
    const key = `${spec.repo}@${spec.revision}:${spec.dtype}:${spec.requested ?? spec.device}:${spec.modelFileName ?? 'model'}`;
    let slot = this.slots.get(key);
    if (!slot) {
      this.counters.loads++;
      const route = new Route(spec, this.devices);
      const loading = route.loading;
      slot = { loading, queue: new RunQueue(), spec, route, cost: new RunCostModel(priorCost(this.options?.numThreads ?? 1)) };
      this.slots.set(key, slot);
      loading.catch(() => this.slots.delete(key));
    }
    return slot;
  }

  /** Tokenize one text with the model's specials, append a required EOS, and enforce the length limit. */
  private tokenize(loaded: LoadedModel, spec: LocalModelSpec, item: EmbedItem, truncate: boolean): number[] {
    let ids = loaded.tokenizer.encode(item.text) as number[];
    if (spec.eosTokenId !== undefined && ids[ids.length - 1] !== spec.eosTokenId) ids = [...ids, spec.eosTokenId];
    if (ids.length > spec.maxTokens) {
      if (!truncate) {
        throw badRequest(
          `Invalid '${item.param}': maximum input length is ${spec.maxTokens} tokens for ${spec.id}; this input has ` +
            `${ids.length}. Shorten it, split it, or create the client with truncate: true.`, item.param);
      }
      // Keep the closing special token: CLS/EOS pooling depends on the sequence's real end.
      ids = [...ids.slice(0, spec.maxTokens - 1), ids[ids.length - 1]];
    }
    return ids;
  }

  async embed(spec: LocalModelSpec, items: EmbedItem[], truncate: boolean): Promise<EmbedResult> {
    const options = this.options;
    if (!options) throw new Error('Engine.init() must be called before embed()');
    const { loading, queue, route, cost } = this.slot(spec);
    const loaded = await loading;
    const tokenized = items.map((item) => this.tokenize(loaded, spec, item, truncate));
    const lengths = tokenized.map((ids) => ids.length);
    const vectors = new Float32Array(items.length * spec.dims);
    // 'fixed' plans with the prior alone, so the same lengths always give the same batches (and q8 bits).
    const model = options.planner === 'fixed' ? priorCost(options.numThreads) : cost.current;
    const batches = planBatches(lengths, { ...options, maxPadRatio: 1.3, ...(loaded.takesMask ? {} : { maxBatchSize: 1 }) }, model);
    await Promise.all(batches.map((batch) => queue.run(async () => {
      const started = performance.now();
      await route.guard(batch, vectors, () => this.runBatch(loaded, spec, batch, tokenized, vectors));
      cost.observe(batch.length, Math.max(...batch.map((i) => lengths[i])), performance.now() - started);
    })));
    this.counters.texts += items.length;
    return { vectors, dims: spec.dims, tokenCounts: Int32Array.from(lengths) };
  }

  /** Embed `texts` on `loaded` (the device probe's canary and benchmark runs), one batch when the graph allows. */
  private async embedOn(loaded: LoadedModel, spec: LocalModelSpec, texts: string[]): Promise<Float32Array> {
    const tokenized = texts.map((text, i) => this.tokenize(loaded, spec, { text, param: `probe[${i}]` }, true));
    const out = new Float32Array(texts.length * spec.dims);
    const all = texts.map((_, i) => i);
    const batches = loaded.takesMask === false ? all.map((i) => [i]) : [all];
    for (const batch of batches) await this.runBatch(loaded, spec, batch, tokenized, out);
    return out;
  }

  /** Pad one batch to its longest member, run the session, pool and normalize into `out`. */
  private async runBatch(
    loaded: LoadedModel, spec: LocalModelSpec, batch: number[], tokenized: number[][], out: Float32Array,
  ): Promise<void> {
    const longest = Math.max(...batch.map((i) => tokenized[i].length));
    const multiple = this.options?.__benchRuntime?.seqMultiple ?? 1;
    const seq = Math.ceil(longest / multiple) * multiple;
    const ids = new BigInt64Array(batch.length * seq).fill(BigInt(loaded.padId));
    const mask = new BigInt64Array(batch.length * seq);
    batch.forEach((item, row) => {
      const tokens = tokenized[item];
      const start = row * seq + (spec.paddingSide === 'left' ? seq - tokens.length : 0);
      for (let t = 0; t < tokens.length; t++) {
        ids[start + t] = BigInt(tokens[t]);
        mask[start + t] = 1n;
      }
      this.counters.realTokens += tokens.length;
    });
    this.counters.paddedTokens += batch.length * seq;
    this.counters.sessionRuns++;
    const result = await loaded.model({
      input_ids: new Tensor('int64', ids, [batch.length, seq]),
      attention_mask: new Tensor('int64', mask, [batch.length, seq]),
    });
    const output = result[spec.output] as Tensor | undefined;
    if (!output) throw new Error(`${spec.id} produced no '${spec.output}' output`);
    const data = floatData(output);
    const width = output.dims[output.dims.length - 1];
    if (width !== spec.dims) {
      throw new Error(`${spec.id} produced ${width}-d vectors, but its catalogue row says ${spec.dims}: fix the row.`);
    }
    const pooled = spec.pooling === 'embeds' ? data : poolHidden(data, mask, batch.length, seq, width, spec.pooling);
    batch.forEach((item, row) => {
      out.set(normalizeInPlace(pooled.slice(row * width, (row + 1) * width)), item * width);
    });
    for (const t of Object.values(result)) (t as Tensor).dispose?.();
  }
}
