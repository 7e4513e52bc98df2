/**
 * Embed the corpus in chunks: each chunk is one `create()` call, and the page yields a frame between
 * chunks so the progress bar moves and input stays responsive (the model itself runs in the worker).
 */

import type { InPageEmbeddings } from '../src/index.js';

/** Progress after each chunk. */
export interface IndexProgress {
  done: number;
  total: number;
  /** Milliseconds since indexing started when the first vectors arrived. */
  firstVectorMs?: number;
}

/** Options of `indexCorpus`. */
export interface IndexOptions {
  /** Passages per `create()` call. Default 32. */
  chunk?: number;
  onProgress?: (p: IndexProgress) => void;
  /** Stop between chunks (a new model was picked). */
  signal?: AbortSignal;
}

/** Give the event loop a turn (not requestAnimationFrame: it stops in background tabs). */
const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Embed `texts` as documents with `model`; return the vectors as one `n × dims` matrix. */
export async function indexCorpus(
  client: InPageEmbeddings, model: string, texts: string[], options: IndexOptions = {},
): Promise<{ matrix: Float32Array; dims: number }> {
  const chunk = options.chunk ?? 32;
  const started = performance.now();
  let matrix: Float32Array | undefined;
  let dims = 0;
  let firstVectorMs: number | undefined;
  for (let start = 0; start < texts.length; start += chunk) {
    options.signal?.throwIfAborted();
    const input = texts.slice(start, start + chunk);
    const res = await client.embeddings.create({ model, input, input_type: 'document' }, { signal: options.signal });
    for (const item of res.data) {
      const vector = item.embedding as number[];
      if (!matrix) {
        dims = vector.length;
        matrix = new Float32Array(texts.length * dims);
      }
      matrix.set(vector, (start + item.index) * dims);
    }
    firstVectorMs ??= performance.now() - started;
    options.onProgress?.({ done: Math.min(texts.length, start + chunk), total: texts.length, firstVectorMs });
    await yieldToPage();
  }
  return { matrix: matrix ?? new Float32Array(0), dims };
}
