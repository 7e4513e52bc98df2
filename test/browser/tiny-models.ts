/** Helpers for browser tests: the tiny fixture models, their golden vectors, and a client wired to them. */

import { inject } from 'vitest';
import { InPageEmbeddings, type ClientOptions, type LocalModelRow, type ModelRow } from '../../src/index.js';

export { asNumbers, expectSameVectors } from '../fixtures/same-vectors.js';

export const modelHost = (): string => inject('modelHost');

/** Catalogue id → fixture repo, for each architecture family. */
export const FAMILIES = {
  bert: { id: 'BAAI/bge-small-en-v1.5', repo: 'Xenova/bge-small-en-v1.5' },
  jina: { id: 'jina-embeddings-v2-base-en', repo: 'Xenova/jina-embeddings-v2-base-en' },
  xlmr: { id: 'BAAI/bge-m3', repo: 'Xenova/bge-m3' },
  qwen3: { id: 'Qwen/Qwen3-Embedding-0.6B', repo: 'onnx-community/Qwen3-Embedding-0.6B-ONNX' },
  clip: { id: 'jina-clip-v1', repo: 'jinaai/jina-clip-v1' },
} as const;

export interface Golden {
  pooling: string;
  texts: string[];
  input_ids: number[][];
  vectors: number[][];
}

/** Fetch a fixture file over the Hub-layout server. */
export async function fixtureJson<T>(repo: string, file: string): Promise<T> {
  const res = await fetch(`${modelHost()}${repo}/resolve/main/${file}`);
  if (!res.ok) throw new Error(`${repo}/${file}: ${res.status}`);
  return res.json() as Promise<T>;
}

/** Catalogue overrides giving each tiny model its real output width (the catalogue has the real models'). */
export async function tinyRows(): Promise<Array<Partial<ModelRow> & { id: string }>> {
  return Promise.all(Object.values(FAMILIES).map(async ({ id, repo }) => {
    const golden = await fixtureJson<Golden>(repo, 'golden.json');
    const dims = golden.vectors[0].length;
    // Golden vectors come from the fp32 weights; the q8 variants are tested against them separately.
    const row: Partial<ModelRow> & { id: string } = { id, dims, dtype: { wasm: 'fp32', webgpu: 'fp32' } };
    if (id.startsWith('Qwen/')) row.matryoshka = { min: 4, max: dims };
    return row;
  }));
}

/** jina-clip-v1 with its image tower in fp32, as its golden vectors were made (the catalogue's default is q8). */
export const CLIP_FP32_VISION: Partial<LocalModelRow> & { id: string } = {
  id: FAMILIES.clip.id, vision: { modelFileName: 'vision_model', output: 'image_embeds', dtype: { wasm: 'fp32', webgpu: 'fp32' } },
};

let shared: Promise<InPageEmbeddings> | undefined;

/**
 * One client (vector cache off, jina-clip's image tower in fp32) for every test that only needs vectors
 * computed: the browser project runs its files in one page (`isolate: false`), so they all share its
 * worker and its loaded models. Never dispose it; a test that needs a worker, counters or options of its
 * own makes its own client with `tinyClient`.
 */
export function sharedClient(): Promise<InPageEmbeddings> {
  return (shared ??= tinyClient({ cache: false, models: [CLIP_FP32_VISION] }));
}

/** A client on the tiny models served locally. */
export async function tinyClient(options: ClientOptions = {}): Promise<InPageEmbeddings> {
  const models = [...(await tinyRows()), ...(options.models ?? [])];
  // No vector cache unless a test asks for one: engine tests must see their texts computed, and
  // clients sharing the default database would answer each other's texts.
  const cache = options.cacheNamespace === undefined ? { cache: false as const } : {};
  return new InPageEmbeddings({ modelHost: modelHost(), ...cache, ...options, models });
}
