/**
 * The model catalogue: one typed row per model, local or remote. Data only, no logic.
 * Facts (dims, pooling, padding side, files) come from docs/MODELS.md; two figures on the
 * original product page were wrong and are corrected here: bge-large-en-v1.5 is 1024-d, bce is 768-d.
 */

/** How a sequence of hidden states becomes one vector. `embeds`: the graph already pools. */
export type Pooling = 'cls' | 'mean' | 'last_token' | 'embeds';

/** transformers.js dtype names (file suffixes: fp32 none, fp16 `_fp16`, q8 `_quantized`). */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

/** Where a model's vectors are computed. */
export type Device = 'wasm' | 'webgpu';

/** Where to run a model: a device, or `'auto'` (WebGPU only where it proved correct and faster here). */
export type DeviceChoice = Device | 'auto';

interface CommonRow {
  /** The id callers pass as `model`. */
  id: string;
  /** Who publishes the model (`owned_by` in `models.list()`). */
  ownedBy: string;
  /** Output width before any `dimensions` reduction. */
  dims: number;
  /** Longest input in tokens, specials included. */
  maxTokens: number;
  /** Matryoshka range for `dimensions`; absent: the model rejects `dimensions`. */
  matryoshka?: { min: number; max: number };
  /** Published price in USD per 1M tokens, for the usage ledger's remote-price equivalent. */
  pricePerMillion: number;
  /** Accepts `{ image }` inputs as well as text. */
  multimodal?: boolean;
  /**
   * Query instruction; `{text}` is replaced by the input. Applied only for `input_type: 'query'`,
   * also when a local model is routed to a server that hosts it.
   */
  queryTemplate?: string;
}

/** A model computed in the page. */
export interface LocalModelRow extends CommonRow {
  route: 'local';
  /** Repository in the Hub layout: files come from `<modelHost><repo>/resolve/<revision>/<file>`. */
  repo: string;
  revision: string;
  /**
   * Default dtype per device. WebGPU: `fp16` becomes `fp32` on adapters without `shader-f16`, and a
   * quantized dtype is used there only after it passes the parity check against WASM.
   */
  dtype: Record<Device, Dtype>;
  /** Where this model runs, overriding the client's `device`. */
  device?: DeviceChoice;
  pooling: Pooling;
  /** Which side pads a batch; pooling is mask-aware either way. */
  paddingSide: 'left' | 'right';
  /** Token the model must end with (Qwen3-Embedding pools at an appended `<|endoftext|>`). */
  eosTokenId?: number;
  /** ONNX base name when it is not `model` (jina-clip's towers). */
  modelFileName?: string;
  /** Graph output holding the hidden states or pooled vectors. */
  output: 'last_hidden_state' | 'text_embeds';
  /** Said in the error when the model's files cannot be found. */
  hostingNote?: string;
  /** The image tower of a multimodal row; it loads apart from the text tower, on the first image. */
  vision?: VisionTower;
}

/** An image tower: `onnx/<modelFileName>*.onnx` takes `pixel_values` [b, 3, h, w] and gives `output` [b, dims]. */
export interface VisionTower {
  modelFileName: string;
  output: 'image_embeds';
  /** Default dtype per device. */
  dtype: Record<Device, Dtype>;
}

/** A model without open weights, forwarded to its provider's API. */
export interface RemoteModelRow extends CommonRow {
  route: 'remote';
  /** Key of `options.remote` that serves it. */
  provider: string;
  /** The model id on the provider's wire when it differs from `id`. */
  providerModel: string;
  /** The provider computes `dimensions` itself (else it is emulated by truncation). */
  nativeDimensions: boolean;
  /** The provider understands `encoding_format: 'base64'`. */
  base64: boolean;
  /** Most inputs in one request to the provider. */
  maxInputsPerRequest: number;
  /** Most tokens summed over one request to the provider. */
  maxTokensPerRequest: number;
}

export type ModelRow = LocalModelRow | RemoteModelRow;

/** Unix seconds of the catalogue's creation, reported as `created` in `models.list()`. */
const CATALOGUE_CREATED = 1764028800;

const bgeEnQuery = 'Represent this sentence for searching relevant passages: {text}';
const wasmQ8 = { wasm: 'q8', webgpu: 'fp32' } as const;
/** Repos with a `model_fp16.onnx` (docs/MODELS.md §2.2, §4): fp16 on WebGPU where the adapter has `shader-f16`. */
const gpuF16 = { wasm: 'q8', webgpu: 'fp16' } as const;

function jina(lang: string, repo: string, dtype: Record<Device, Dtype> = wasmQ8): LocalModelRow {
  return {
    id: `jina-embeddings-v2-base-${lang}`, route: 'local', ownedBy: 'jinaai', repo, revision: 'main',
    dims: 768, maxTokens: 8192, pooling: 'mean', paddingSide: 'right', dtype,
    output: 'last_hidden_state', pricePerMillion: 0.05,
  };
}

/** Every model the library knows, local and remote. */
export const CATALOGUE: readonly ModelRow[] = [
  {
    id: 'BAAI/bge-small-en-v1.5', route: 'local', ownedBy: 'BAAI', repo: 'Xenova/bge-small-en-v1.5', revision: 'main',
    dims: 384, maxTokens: 512, pooling: 'cls', paddingSide: 'right', dtype: wasmQ8, output: 'last_hidden_state',
    queryTemplate: bgeEnQuery, pricePerMillion: 0.01,
  },
  {
    id: 'BAAI/bge-base-en-v1.5', route: 'local', ownedBy: 'BAAI', repo: 'Xenova/bge-base-en-v1.5', revision: 'main',
    dims: 768, maxTokens: 512, pooling: 'cls', paddingSide: 'right', dtype: wasmQ8, output: 'last_hidden_state',
    queryTemplate: bgeEnQuery, pricePerMillion: 0.01,
  },
  {
    id: 'BAAI/bge-large-en-v1.5', route: 'local', ownedBy: 'BAAI', repo: 'Xenova/bge-large-en-v1.5', revision: 'main',
    dims: 1024, maxTokens: 512, pooling: 'cls', paddingSide: 'right', dtype: gpuF16, output: 'last_hidden_state',
    queryTemplate: bgeEnQuery, pricePerMillion: 0.01,
  },
  {
    id: 'BAAI/bge-large-zh-v1.5', route: 'local', ownedBy: 'BAAI', repo: 'Xenova/bge-large-zh-v1.5', revision: 'main',
    dims: 1024, maxTokens: 512, pooling: 'cls', paddingSide: 'right', dtype: gpuF16, output: 'last_hidden_state',
    queryTemplate: '为这个句子生成表示以用于检索相关文章：{text}', pricePerMillion: 0.01,
  },
  {
    id: 'BAAI/bge-m3', route: 'local', ownedBy: 'BAAI', repo: 'Xenova/bge-m3', revision: 'main',
    dims: 1024, maxTokens: 8192, pooling: 'cls', paddingSide: 'right', dtype: { wasm: 'q8', webgpu: 'fp16' },
    output: 'last_hidden_state', pricePerMillion: 0.01,
  },
  jina('en', 'Xenova/jina-embeddings-v2-base-en', gpuF16),
  // de: its fp16 graph gives NaN with onnxruntime >= 1.23; es: no fp16 file. Both stay fp32 on WebGPU.
  jina('de', 'jinaai/jina-embeddings-v2-base-de'),
  jina('zh', 'jinaai/jina-embeddings-v2-base-zh', gpuF16),
  jina('es', 'jinaai/jina-embeddings-v2-base-es'),
  jina('code', 'jinaai/jina-embeddings-v2-base-code', gpuF16),
  {
    id: 'netease-youdao/bce-embedding-base_v1', route: 'local', ownedBy: 'netease-youdao',
    repo: 'maidalun1020/bce-embedding-base_v1', revision: 'main',
    dims: 768, maxTokens: 512, pooling: 'cls', paddingSide: 'right', dtype: wasmQ8, output: 'last_hidden_state',
    pricePerMillion: 0.02,
    hostingNote:
      'No public ONNX export of bce-embedding-base_v1 exists: export it (optimum-cli export onnx --task ' +
      'feature-extraction maidalun1020/bce-embedding-base_v1), host it in the Hub layout, and point ' +
      '`modelHost` (or this row\'s `repo` via the `models` option) at it.',
  },
  {
    id: 'Qwen/Qwen3-Embedding-0.6B', route: 'local', ownedBy: 'Qwen', repo: 'onnx-community/Qwen3-Embedding-0.6B-ONNX',
    revision: 'main', dims: 1024, maxTokens: 32768, pooling: 'last_token', paddingSide: 'left', eosTokenId: 151643,
    dtype: { wasm: 'q8', webgpu: 'fp16' }, output: 'last_hidden_state', matryoshka: { min: 32, max: 1024 },
    queryTemplate:
      'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:{text}',
    pricePerMillion: 0.01,
  },
  {
    id: 'jina-clip-v1', route: 'local', ownedBy: 'jinaai', repo: 'jinaai/jina-clip-v1', revision: 'main',
    // The q8 text tower fails above 16 tokens (ALiBi shape baked in at export): text stays fp32.
    dims: 768, maxTokens: 8192, pooling: 'embeds', paddingSide: 'right', dtype: { wasm: 'fp32', webgpu: 'fp32' },
    modelFileName: 'text_model', output: 'text_embeds', multimodal: true, pricePerMillion: 0.04,
    // The q8 vision tower is sound on WASM; int8 graphs are wrong on WebGPU, so fp32 there.
    vision: { modelFileName: 'vision_model', output: 'image_embeds', dtype: { wasm: 'q8', webgpu: 'fp32' } },
  },
  {
    id: 'text-embedding-3-small', route: 'remote', ownedBy: 'openai', provider: 'openai',
    providerModel: 'text-embedding-3-small', dims: 1536, maxTokens: 8192, matryoshka: { min: 1, max: 1536 },
    nativeDimensions: true, base64: true, maxInputsPerRequest: 2048, maxTokensPerRequest: 300_000, pricePerMillion: 0.02,
  },
  {
    id: 'text-embedding-3-large', route: 'remote', ownedBy: 'openai', provider: 'openai',
    providerModel: 'text-embedding-3-large', dims: 3072, maxTokens: 8192, matryoshka: { min: 1, max: 3072 },
    nativeDimensions: true, base64: true, maxInputsPerRequest: 2048, maxTokensPerRequest: 300_000, pricePerMillion: 0.13,
  },
  {
    id: 'text-embedding-ada-002', route: 'remote', ownedBy: 'openai', provider: 'openai',
    providerModel: 'text-embedding-ada-002', dims: 1536, maxTokens: 8192,
    nativeDimensions: false, base64: true, maxInputsPerRequest: 2048, maxTokensPerRequest: 300_000, pricePerMillion: 0.1,
  },
  {
    id: 'Baichuan-Text-Embedding', route: 'remote', ownedBy: 'baichuan', provider: 'baichuan',
    providerModel: 'Baichuan-Text-Embedding', dims: 1024, maxTokens: 512,
    nativeDimensions: false, base64: false, maxInputsPerRequest: 16, maxTokensPerRequest: 300_000, pricePerMillion: 0.088,
  },
  {
    id: 'zhipu-embedding-2', route: 'remote', ownedBy: 'zhipu', provider: 'zhipu', providerModel: 'embedding-2',
    dims: 1024, maxTokens: 512, nativeDimensions: false, base64: false, maxInputsPerRequest: 64,
    maxTokensPerRequest: 8192, pricePerMillion: 0.07,
  },
];

/** `created` reported for catalogue rows. */
export const CATALOGUE_CREATED_AT = CATALOGUE_CREATED;
