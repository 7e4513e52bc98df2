/**
 * Wire types of OpenAI's `/v1/embeddings` and `/v1/models`, named as openai-node names them.
 * Fields are snake_case because they are the wire format; every deviation is marked `@note`.
 */

/**
 * An image for a multimodal model: an `http(s)` URL (fetched in the worker: cross-origin servers must allow
 * CORS), a `data:image/...;base64,` URI, or bare base64 of PNG, JPEG, GIF, WebP, BMP or AVIF bytes.
 * @note In the page it may also be a `Blob`, `File`, `ImageBitmap`, `ImageData`, `HTMLImageElement`,
 * `HTMLCanvasElement` or `OffscreenCanvas` (not JSON, so not on any wire).
 */
export type ImageInput = string | Blob | ImageBitmap | ImageData | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas;

/** One input item for a multimodal model. @note Jina's API shape, not OpenAI's. */
export type MultimodalInput = { text: string } | { image: ImageInput };

/** The request body of `POST /v1/embeddings`. */
export interface EmbeddingCreateParams {
  /** A string, 1..2048 strings, or token arrays. Strings must not be empty. */
  input: string | string[] | number[] | number[][] | MultimodalInput | Array<string | MultimodalInput>;
  /** A model id from `client.models.list()`. */
  model: string;
  /** `float` (default) or `base64`: little-endian float32 bytes. */
  encoding_format?: 'float' | 'base64';
  /** Output size; only for Matryoshka models (Qwen3-Embedding, text-embedding-3-*). */
  dimensions?: number;
  /** An end-user id; the usage ledger groups by it. */
  user?: string;
  /**
   * Applies the model's query instruction (`query`) or none (`document`); without it text is embedded raw.
   * @note An extension of OpenAI's request, named as Voyage and others name it.
   */
  input_type?: 'query' | 'document';
}

/** One vector of the response. */
export interface Embedding {
  object: 'embedding';
  /** Position of the input this vector belongs to. */
  index: number;
  /** `number[]` for `float`; a base64 string of little-endian float32 bytes for `base64`. */
  embedding: number[] | string;
}

/**
 * One vector of a response asked for with `{ vectors: 'float32' }`.
 * @note An extension: `embedding` is a `Float32Array` (a view of one buffer shared by the response's vectors).
 */
export interface Float32Embedding {
  object: 'embedding';
  index: number;
  embedding: Float32Array;
}

/** Token accounting of one request. */
export interface EmbeddingUsage {
  /** Tokens actually run (sum of attention masks, specials and instructions included). */
  prompt_tokens: number;
  total_tokens: number;
  /** @note Extension: tokens of inputs answered from the vector cache, not run. */
  cached_tokens?: number;
  /**
   * @note Extension: images among the inputs (multimodal models), cached or not; present only when there are
   * any. Images add nothing to `prompt_tokens`.
   */
  image_count?: number;
}

/** The response body of `POST /v1/embeddings`. */
export interface CreateEmbeddingResponse {
  object: 'list';
  data: Embedding[];
  /** The model id the caller asked for. */
  model: string;
  usage: EmbeddingUsage;
}

/** The response of `create(body, { vectors: 'float32' })`: OpenAI's shape with `Float32Array` vectors. */
export interface CreateFloat32EmbeddingResponse extends Omit<CreateEmbeddingResponse, 'data'> {
  data: Float32Embedding[];
}

/** One row of `GET /v1/models`. */
export interface Model {
  id: string;
  object: 'model';
  /** Unix seconds. */
  created: number;
  owned_by: string;
}

/** The response body of `GET /v1/models`. */
export interface ModelsPage {
  object: 'list';
  data: Model[];
}

/** The `error` member of an OpenAI error body. All four keys are always present. */
export interface ErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** An OpenAI error body. */
export interface ErrorResponse {
  error: ErrorObject;
}
