/** The front door: validate → plan → cache → compute the misses (local worker | remote) → respond, with a usage ledger. */

import { apportionTokens, cacheKey, VectorCache } from './cache/index.js';
import { buildCatalogue, engineOptions, type ClientOptions, type RequestOptions } from './client-options.js';
import { badRequest, InternalServerError } from './errors.js';
import type { BackendInfo, EngineStats } from './engine-protocol.js';
import { computeMixed, inputKeys, resolveImages, type ImageInput } from './image/index.js';
import { CATALOGUE, CATALOGUE_CREATED_AT, type ModelRow } from './models.js';
import type { CreateEmbeddingResponse, CreateFloat32EmbeddingResponse, EmbeddingCreateParams, ModelsPage } from './openai-types.js';
import { RemoteClient } from './remote/index.js';
import { modelInputs, planRequest, type LocalPlan, type RemotePlan, type RequestPlan } from './request-plan.js';
import { buildResponse } from './response.js';
import { createOpenAIFetch } from './serve/index.js';
import { UsageLedger, type UsageReport } from './usage-ledger.js';
import { validateRequest, type NormalizedRequest } from './validate.js';
import { noDefaultWorker, WorkerHost } from './worker-host.js';
import { yieldIfLongTask } from './page-yield.js';

/** A text (instruction applied), for remote rows token ids, or for multimodal rows an image (read). */
type Input = string | number[] | ImageInput;

/** Vectors for a list of inputs, in order, and the tokens it took to make them. */
interface Computed {
  vectors: Float32Array[];
  tokens: number;
  /** Tokens per input, when the route knows them (the vector cache stores them for `cached_tokens`). */
  tokenCounts?: number[];
}

/** `client.embeddings`: `create()` typed by its `vectors` option. */
export interface Embeddings {
  /** `Float32Array` vectors (`{ vectors: 'float32' }`), no `number[]` built. */
  create(body: EmbeddingCreateParams, options: RequestOptions & { vectors: 'float32' }): Promise<CreateFloat32EmbeddingResponse>;
  /** Exactly as `openai.embeddings.create()`. */
  create(body: EmbeddingCreateParams, options?: RequestOptions & { vectors?: 'array' }): Promise<CreateEmbeddingResponse>;
  /** Either shape, when `vectors` is only known at run time. */
  create(body: EmbeddingCreateParams, options?: RequestOptions): Promise<CreateEmbeddingResponse | CreateFloat32EmbeddingResponse>;
}

/**
 * An OpenAI-compatible embeddings API computed in the page.
 *
 * @example
 * const client = new InPageEmbeddings();
 * const res = await client.embeddings.create({ model: 'BAAI/bge-small-en-v1.5', input: ['a', 'b'] });
 */
export class InPageEmbeddings {
  /** `create()` exactly as `openai.embeddings.create()`; `{ vectors: 'float32' }` gives `Float32Array` vectors. */
  readonly embeddings: Embeddings = {
    create: ((body: EmbeddingCreateParams, options?: RequestOptions) => this.create(body, options)) as Embeddings['create'],
  };
  /** `list()` exactly as `openai.models.list()`. */
  readonly models = { list: async (): Promise<ModelsPage> => this.listModels() };
  /**
   * A fetch answering `POST …/embeddings` and `GET …/models` in-process (others go to the network), for
   * `new OpenAI({ apiKey: 'unused', baseURL: 'https://inpage.local/v1', fetch: client.fetch, dangerouslyAllowBrowser: true })`.
   */
  readonly fetch: typeof fetch = createOpenAIFetch(this);

  /** The durable vector cache: `stats()`, `clear()`, `export()`, `import()`, `flush()`; `error` events. */
  readonly cache: VectorCache;

  private readonly catalogue: Map<string, ModelRow>;
  private readonly host: WorkerHost;
  /** Holds remote providers' keys, on this thread only: remote requests never go through the worker. */
  private readonly remote: RemoteClient;
  private readonly ledger = new UsageLedger();

  constructor(private readonly options: ClientOptions = {}) {
    this.catalogue = buildCatalogue(CATALOGUE, options.models);
    this.host = new WorkerHost(options.worker ?? noDefaultWorker, engineOptions(options), options.onProgress);
    this.remote = new RemoteClient(options.remote, { fetch: options.fetch });
    const cache = options.cache ?? true;
    this.cache = new VectorCache({
      ...(typeof cache === 'object' ? cache : {}), enabled: cache !== false,
      namespace: options.cacheNamespace, onError: options.onCacheError,
    });
  }

  /** Return the running token ledger by model and by `user`. */
  usage(): UsageReport {
    return this.ledger.snapshot();
  }

  /** Return the worker's counters (session runs, padded and real tokens); zeros when no worker runs. */
  async engineStats(): Promise<EngineStats> {
    if (!this.host.running) return { sessionRuns: 0, texts: 0, realTokens: 0, paddedTokens: 0, loads: 0 };
    return this.host.call((engine) => engine.stats());
  }

  /** List each loaded local model's device, dtype, threads and why they were chosen. */
  async backends(): Promise<BackendInfo[]> {
    if (!this.host.running) return [];
    return this.host.call((engine) => engine.backends());
  }

  /** Terminate the worker and free its memory; a later call starts a new one. */
  async dispose(): Promise<void> {
    this.host.stop();
  }

  /** @internal Crash the worker from inside (tests of worker death). */
  async crashWorkerForTest(): Promise<void> {
    await this.host.call((engine) => engine.crashForTest());
  }

  private listModels(): ModelsPage {
    return {
      object: 'list',
      data: [...this.catalogue.values()].map((row) => ({
        id: row.id, object: 'model', created: CATALOGUE_CREATED_AT, owned_by: row.ownedBy,
      })),
    };
  }

  private async create(
    body: EmbeddingCreateParams, requestOptions: RequestOptions = {},
  ): Promise<CreateEmbeddingResponse | CreateFloat32EmbeddingResponse> {
    await yieldIfLongTask();
    // 1. Validate, and resolve the row against this client's options once: later steps take only the plan.
    const req = validateRequest(body, this.catalogue);
    const encodingFormat = vectorFormat(req.encodingFormat, requestOptions.vectors);
    const plan = planRequest(req, this.options);
    // 2. Images are read in the worker now when the cache needs their content digest for its keys.
    const inputs = await resolveImages(modelInputs(plan, req.inputs), (task) => this.host.call(task), this.cache.enabled && requestOptions.cache !== false);
    // 3. Answer from the cache, computing only the misses.
    const { vectors, tokens, cachedTokens } = await this.computeCached(plan, inputs, req, requestOptions);
    this.ledger.record({
      model: req.model, user: req.user, route: plan.route, tokens, cachedTokens: cachedTokens ?? 0,
      pricePerMillion: plan.pricePerMillion,
    });
    // 4. Respond: the one place vectors become number[] or base64.
    return await buildResponse({
      model: req.model, vectors, dimensions: plan.responseWidth, encodingFormat, promptTokens: tokens, cachedTokens,
      imageCount: req.inputs.filter((input) => input.kind === 'image').length,
    });
  }

  /**
   * Answer what the vector cache holds and compute only the misses, each distinct one once (also across
   * concurrent calls). `cachedTokens` is set when any input came from the cache.
   */
  private async computeCached(
    plan: RequestPlan, inputs: Input[], req: NormalizedRequest, requestOptions: RequestOptions,
  ): Promise<Computed & { cachedTokens?: number }> {
    if (!this.cache.enabled || requestOptions.cache === false) return this.compute(plan, inputs, req, requestOptions);
    const keys = await inputKeys(plan.cache, inputs, cacheKey);
    const result = await this.cache.through(keys, { model: plan.model, dims: plan.cache.dims }, async (positions) => {
      const misses = positions.map((i) => inputs[i]);
      const params = positions.map((i) => (inputs.length > 1 ? `input[${i}]` : 'input'));
      const c = await this.compute(plan, misses, req, requestOptions, params);
      return { ...c, tokenCounts: c.tokenCounts ?? apportionTokens(misses, c.tokens) };
    });
    return { vectors: result.vectors, tokens: result.tokens, cachedTokens: result.hits ? result.cachedTokens : undefined };
  }

  /**
   * Compute one full-width unit vector per input, in order, locally or through the row's provider.
   * `params` names each input in errors (`input[3]`) when they are a subset of the request's.
   */
  private compute(
    plan: RequestPlan, inputs: Input[], req: NormalizedRequest, requestOptions: RequestOptions, params?: string[],
  ): Promise<Computed> {
    return plan.route === 'remote'
      ? this.computeRemote(plan, inputs as Array<string | number[]>, req, requestOptions)
      : this.computeLocal(plan, inputs as Array<string | ImageInput>, params);
  }

  /** Forward inputs for a model without open weights to its provider. */
  private async computeRemote(
    plan: RemotePlan, inputs: Array<string | number[]>, req: NormalizedRequest, requestOptions: RequestOptions,
  ): Promise<Computed> {
    return this.remote.embed(plan.row, inputs, {
      dimensions: plan.providerDimensions, user: req.user,
      signal: requestOptions.signal, timeout: requestOptions.timeout, maxRetries: requestOptions.maxRetries,
    });
  }

  /** Compute texts with the row's text tower and images with its image tower, each tower only when needed. */
  private computeLocal(plan: LocalPlan, inputs: Array<string | ImageInput>, params?: string[]): Promise<Computed> {
    if (inputs.every((x) => typeof x === 'string')) return this.computeTexts(plan, inputs as string[], params);
    return computeMixed(plan, inputs, params, (task) => this.host.call(task), (texts, p) => this.computeTexts(plan, texts, p));
  }

  /** Compute each distinct text once in the worker, then fan the vectors back out in input order. */
  private async computeTexts(plan: LocalPlan, texts: string[], params?: string[]): Promise<Computed & { tokenCounts: number[] }> {
    const firstIndex = new Map<string, number>();
    const unique: { text: string; param: string }[] = [];
    const slotOf = texts.map((text, i) => {
      let slot = firstIndex.get(text);
      if (slot === undefined) {
        slot = unique.length;
        firstIndex.set(text, slot);
        unique.push({ text, param: params?.[i] ?? (texts.length > 1 ? `input[${i}]` : 'input') });
      }
      return slot;
    });
    const { spec } = plan;
    const result = await this.host.call((engine) => engine.embed(spec, unique, plan.truncate));
    if (result.vectors.length !== unique.length * spec.dims) {
      throw new InternalServerError(500, { message: `${plan.model} returned a wrong number of values`, type: 'server_error' });
    }
    const vectors = slotOf.map((slot) => result.vectors.subarray(slot * spec.dims, (slot + 1) * spec.dims));
    let tokens = 0;
    for (const n of result.tokenCounts) tokens += n;
    return { vectors, tokens, tokenCounts: slotOf.map((slot) => result.tokenCounts[slot]) };
  }
}

/** The response's vector format: the body's `encoding_format`, or `float32` when the request options ask for it. */
function vectorFormat(encoding: 'float' | 'base64', vectors: RequestOptions['vectors']): 'float' | 'base64' | 'float32' {
  if (vectors === undefined || vectors === 'array') return encoding;
  if (vectors !== 'float32') throw badRequest(`Invalid 'vectors' request option: ${JSON.stringify(vectors)}. Use 'float32' or 'array'.`, 'vectors');
  if (encoding === 'base64') {
    throw badRequest("encoding_format 'base64' and the request option vectors: 'float32' exclude each other: drop one.", 'encoding_format');
  }
  return 'float32';
}
