/** The front door: validate → cache → compute the misses (local worker | remote) → respond, with a usage ledger. */

import { cacheKey, keyScope } from './cache-key.js';
import { buildCatalogue, engineOptions, type ClientOptions, type RequestOptions } from './client-options.js';
import { badRequest, InternalServerError } from './errors.js';
import type { BackendInfo, EngineStats, LocalModelSpec } from './engine-protocol.js';
import { CATALOGUE, CATALOGUE_CREATED_AT, type LocalModelRow, type ModelRow, type RemoteModelRow } from './models.js';
import { createOpenAIFetch } from './openai-fetch.js';
import type { CreateEmbeddingResponse, CreateFloat32EmbeddingResponse, EmbeddingCreateParams, ModelsPage } from './openai-types.js';
import { RemoteClient } from './remote-client.js';
import { buildResponse } from './response.js';
import { UsageLedger, type UsageReport } from './usage-ledger.js';
import { validateRequest, type NormalizedRequest } from './validate.js';
import { apportionTokens, VectorCache } from './vector-cache.js';
import { computeMixed, inputKeys, resolveImages, towerTag, type ImageInput, type RawImageInput } from './image-route.js';
import { noDefaultWorker, WorkerHost } from './worker-host.js';

/** A text (instruction applied), for remote rows token ids, or for multimodal rows an image. */
type ModelInput = string | number[] | ImageInput;

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
    const req = validateRequest(body, this.catalogue);
    const encodingFormat = vectorFormat(req.encodingFormat, requestOptions.vectors);
    const row = req.row;
    // Images are read in the worker now when the cache needs their content digest for its keys.
    const inputs = await resolveImages(this.modelInputs(req), (task) => this.host.call(task), this.cache.enabled && requestOptions.cache !== false);
    const { vectors, tokens, cachedTokens } = await this.computeCached(row, inputs, req, requestOptions);
    this.ledger.record({
      model: req.model, user: req.user, route: row.route, tokens, cachedTokens: cachedTokens ?? 0,
      pricePerMillion: row.pricePerMillion,
    });
    // Remote providers with native `dimensions` already answered at that width.
    const dimensions = row.route === 'remote' && row.nativeDimensions ? undefined : req.dimensions;
    return await buildResponse({
      model: req.model, vectors, dimensions, encodingFormat, promptTokens: tokens, cachedTokens,
      imageCount: req.inputs.filter((input) => input.kind === 'image').length,
    });
  }

  /**
   * Inputs as the model sees them: the row's query instruction applied only for `input_type: 'query'`
   * (also for a local model routed to a server hosting it); token arrays pass through for remote rows
   * (validation refused them for local ones).
   */
  private modelInputs(req: NormalizedRequest): Array<ModelInput | RawImageInput> {
    const row = req.row;
    return req.inputs.map((input, i) => {
      if (input.kind === 'tokens') return input.ids;
      if (input.kind === 'image') {
        const param = req.inputs.length > 1 ? `input[${i}]` : 'input';
        if (row.route !== 'local' || !row.vision) throw badRequest(`Invalid '${param}': ${row.id} has no image tower here; pass text.`, param);
        return { rawImage: input.image };
      }
      const template = req.inputType === 'query' ? row.queryTemplate : undefined;
      return template ? template.replace('{text}', input.text) : input.text;
    });
  }

  /**
   * Answer what the vector cache holds and compute only the misses, each distinct one once (also across
   * concurrent calls). `cachedTokens` is set when any input came from the cache.
   */
  private async computeCached(
    row: ModelRow, inputs: ModelInput[], req: NormalizedRequest, requestOptions: RequestOptions,
  ): Promise<Computed & { cachedTokens?: number }> {
    if (!this.cache.enabled || requestOptions.cache === false) return this.compute(row, inputs, req, requestOptions);
    const scope = keyScope(row, {
      // 'auto' keys as WASM: it serves WebGPU vectors only after they matched WASM's (cosine >= 0.999).
      inputType: req.inputType, dimensions: req.dimensions, device: row.route === 'local' ? this.spec(row).device : undefined,
      truncate: this.options.truncate,
    });
    const keys = await inputKeys(scope, inputs, row.route === 'local' ? towerTag(this.spec(row)) : 'none', cacheKey);
    // Stored vectors are full width, except where a remote provider computes `dimensions` itself.
    const dims = row.route === 'remote' && row.nativeDimensions && req.dimensions ? req.dimensions : row.dims;
    const result = await this.cache.through(keys, { model: row.id, dims }, async (positions) => {
      const misses = positions.map((i) => inputs[i]);
      const params = positions.map((i) => (inputs.length > 1 ? `input[${i}]` : 'input'));
      const c = await this.compute(row, misses, req, requestOptions, params);
      return { ...c, tokenCounts: c.tokenCounts ?? apportionTokens(misses, c.tokens) };
    });
    return { vectors: result.vectors, tokens: result.tokens, cachedTokens: result.hits ? result.cachedTokens : undefined };
  }

  /**
   * Compute one full-width unit vector per input, in order, locally or through the row's provider.
   * `params` names each input in errors (`input[3]`) when they are a subset of the request's.
   */
  private compute(
    row: ModelRow, inputs: ModelInput[], req: NormalizedRequest, requestOptions: RequestOptions, params?: string[],
  ): Promise<Computed> {
    return row.route === 'remote'
      ? this.computeRemote(row, inputs as Array<string | number[]>, req, requestOptions)
      : this.computeLocal(row, inputs as Array<string | ImageInput>, params);
  }

  /** Forward inputs for a model without open weights to its provider. */
  private async computeRemote(
    row: RemoteModelRow, inputs: Array<string | number[]>, req: NormalizedRequest, requestOptions: RequestOptions,
  ): Promise<Computed> {
    return this.remote.embed(row, inputs, {
      dimensions: req.dimensions, user: req.user,
      signal: requestOptions.signal, timeout: requestOptions.timeout, maxRetries: requestOptions.maxRetries,
    });
  }

  /** Compute texts with the row's text tower and images with its image tower, each tower only when needed. */
  private computeLocal(row: LocalModelRow, inputs: Array<string | ImageInput>, params?: string[]): Promise<Computed> {
    if (inputs.every((x) => typeof x === 'string')) return this.computeTexts(row, inputs as string[], params);
    return computeMixed(inputs, params, this.spec(row), (task) => this.host.call(task), (texts, p) => this.computeTexts(row, texts, p));
  }

  /** Compute each distinct text once in the worker, then fan the vectors back out in input order. */
  private async computeTexts(row: LocalModelRow, texts: string[], params?: string[]): Promise<Computed & { tokenCounts: number[] }> {
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
    const spec = this.spec(row);
    const result = await this.host.call((engine) => engine.embed(spec, unique, this.options.truncate ?? false));
    if (result.vectors.length !== unique.length * spec.dims) {
      throw new InternalServerError(500, { message: `${row.id} returned a wrong number of values`, type: 'server_error' });
    }
    const vectors = slotOf.map((slot) => result.vectors.subarray(slot * spec.dims, (slot + 1) * spec.dims));
    let tokens = 0;
    for (const n of result.tokenCounts) tokens += n;
    return { vectors, tokens, tokenCounts: slotOf.map((slot) => result.tokenCounts[slot]) };
  }

  private spec(row: LocalModelRow): LocalModelSpec {
    const requested = row.device ?? this.options.device ?? 'wasm';
    const device = requested === 'webgpu' ? 'webgpu' : 'wasm';
    return {
      id: row.id, repo: row.repo, revision: row.revision, dtype: row.dtype[device], device, requested, dtypes: row.dtype,
      pooling: row.pooling,
      paddingSide: row.paddingSide, eosTokenId: row.eosTokenId, maxTokens: row.maxTokens,
      modelFileName: row.modelFileName, output: row.output, dims: row.dims, hostingNote: row.hostingNote,
      vision: row.vision && { modelFileName: row.vision.modelFileName, output: row.vision.output, dtype: row.vision.dtype[device] },
    };
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
