/** A LangChain.js embeddings adapter, typed structurally (LangChain's `EmbeddingsInterface`) so LangChain is no dependency. */

import type { RequestOptions } from '../client-options.js';
import type { CreateEmbeddingResponse, EmbeddingCreateParams } from '../openai-types.js';

/** What the adapter needs of a client (`InPageEmbeddings` has it). */
export interface EmbeddingsCreator {
  embeddings: { create(body: EmbeddingCreateParams, options?: RequestOptions): Promise<CreateEmbeddingResponse> };
}

/** Options of `new InPageLangChainEmbeddings(...)`. */
export interface InPageLangChainOptions {
  /** The client that computes the vectors. */
  client: EmbeddingsCreator;
  /** A model id from `client.models.list()`. */
  model: string;
  /** Matryoshka width, for models that take `dimensions`. */
  dimensions?: number;
  /** Texts per `create()` call; at most 2048, OpenAI's limit and the default. */
  batchSize?: number;
}

/** OpenAI's most inputs per request. */
const MAX_BATCH = 2048;

/**
 * Embed for LangChain.js: pass it wherever LangChain takes an `EmbeddingsInterface` (vector stores,
 * retrievers). Documents are embedded as `input_type: 'document'`, queries as `'query'`, so a model's
 * query instruction (Qwen3, bge) is applied to queries only.
 *
 * @example
 * const embeddings = new InPageLangChainEmbeddings({ client, model: 'BAAI/bge-small-en-v1.5' });
 * const store = await MemoryVectorStore.fromTexts(texts, metadatas, embeddings);
 */
export class InPageLangChainEmbeddings {
  readonly model: string;
  readonly dimensions: number | undefined;
  readonly batchSize: number;
  private readonly client: EmbeddingsCreator;

  constructor(options: InPageLangChainOptions) {
    this.client = options.client;
    this.model = options.model;
    this.dimensions = options.dimensions;
    const batchSize = options.batchSize ?? MAX_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
      throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH}; got ${batchSize}.`);
    }
    this.batchSize = batchSize;
  }

  /** Embed documents, in order, in batches of `batchSize`. */
  async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    // One batch at a time: the worker runs them one after another anyway, and memory stays bounded.
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embed(texts.slice(start, start + this.batchSize), 'document')));
    }
    return vectors;
  }

  /** Embed a search query, with the model's query instruction where it has one. */
  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embed([text], 'query');
    return vector;
  }

  private async embed(input: string[], inputType: 'query' | 'document'): Promise<number[][]> {
    const body: EmbeddingCreateParams = { model: this.model, input, encoding_format: 'float', input_type: inputType };
    if (this.dimensions !== undefined) body.dimensions = this.dimensions;
    const res = await this.client.embeddings.create(body);
    const vectors: number[][] = new Array(input.length);
    for (const item of res.data) vectors[item.index] = item.embedding as number[];
    return vectors;
  }
}
