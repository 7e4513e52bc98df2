/** Build OpenAI's `CreateEmbeddingResponse` from vectors: the one place Float32Array becomes number[] or base64. */

import type { CreateEmbeddingResponse, CreateFloat32EmbeddingResponse, Embedding, Float32Embedding } from './openai-types.js';
import { ITEMS_PER_TASK, yieldToPage } from './page-yield.js';
import { float32ToBase64, truncateAndNormalize } from './vector-math.js';

export interface ResponseParts {
  model: string;
  /** One full-width unit vector per input, in input order. */
  vectors: Float32Array[];
  /** Matryoshka width to serve, when the caller asked for one and it is applied here. */
  dimensions?: number;
  /** `float32`: the `vectors: 'float32'` request option (`Float32Array` embeddings, no `number[]`). */
  encodingFormat: 'float' | 'base64' | 'float32';
  promptTokens: number;
  cachedTokens?: number;
  /** Images among the inputs; reported as `usage.image_count` when there are any. */
  imageCount?: number;
}

/**
 * Copy a vector into a plain array. A counted loop: `Array.from` walks the typed array's iterator and is
 * ~20× slower, which made a 512-input response one long main-thread task (`npm run bench`, workload 5).
 */
function toNumbers(v: Float32Array): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i];
  return out;
}

/** Assemble the response; `index` is the input position. A large one is built a slice per task. */
export async function buildResponse(parts: ResponseParts & { encodingFormat: 'float32' }): Promise<CreateFloat32EmbeddingResponse>;
export async function buildResponse(parts: ResponseParts): Promise<CreateEmbeddingResponse>;
export async function buildResponse(parts: ResponseParts): Promise<CreateEmbeddingResponse | CreateFloat32EmbeddingResponse> {
  const data = parts.encodingFormat === 'float32' ? float32Data(parts) : await listData(parts);
  const usage = {
    prompt_tokens: parts.promptTokens, total_tokens: parts.promptTokens,
    ...(parts.imageCount ? { image_count: parts.imageCount } : {}),
  };
  return {
    object: 'list', data, model: parts.model,
    usage: parts.cachedTokens !== undefined ? { ...usage, cached_tokens: parts.cachedTokens } : usage,
  } as CreateEmbeddingResponse | CreateFloat32EmbeddingResponse;
}

/** OpenAI's `number[]` (or base64) embeddings, yielding to the page every `ITEMS_PER_TASK`. */
async function listData(parts: ResponseParts): Promise<Embedding[]> {
  const data: Embedding[] = [];
  for (const [index, full] of parts.vectors.entries()) {
    if (index && index % ITEMS_PER_TASK === 0) await yieldToPage();
    const v = parts.dimensions ? truncateAndNormalize(full, parts.dimensions) : full;
    data.push({
      object: 'embedding',
      index,
      embedding: parts.encodingFormat === 'base64' ? float32ToBase64(v) : toNumbers(v),
    });
  }
  return data;
}

/**
 * `Float32Array` embeddings: one fresh buffer for the whole response and a view per vector. Copied, not
 * handed out, because the vector cache's memory tier keeps the vectors it returned. A memcpy per vector,
 * so 2,048 of them take well under a millisecond and need no yield.
 */
function float32Data(parts: ResponseParts): Float32Embedding[] {
  const vs = parts.vectors.map((full) => (parts.dimensions ? truncateAndNormalize(full, parts.dimensions) : full));
  const all = new Float32Array(vs.reduce((n, v) => n + v.length, 0));
  let offset = 0;
  return vs.map((v, index) => {
    const view = all.subarray(offset, (offset += v.length));
    view.set(v);
    return { object: 'embedding', index, embedding: view };
  });
}
