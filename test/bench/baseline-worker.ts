/**
 * The baseline: what a user hand-rolls. transformers.js' own `pipeline('feature-extraction')` in a module
 * Worker, CLS pooling and normalization, with the same onnxruntime files, dtype and threads as ours.
 */

import { env, pipeline, type FeatureExtractionPipeline, type Tensor } from '@huggingface/transformers';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url&no-inline';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url&no-inline';

/** (a) one call per text, (b) one call with the whole array, (c) calls of 32 texts in input order. */
export type BaselineMode = 'a' | 'b' | 'c';

export type BaselineRequest =
  | { kind: 'init'; modelHost: string; repo: string; dtype: string; numThreads: number }
  | { kind: 'run'; texts: string[]; mode: BaselineMode };

export type BaselineReply =
  | { kind: 'ready' }
  | { kind: 'vectors'; vectors: Float32Array }
  | { kind: 'error'; message: string };

let extractor: FeatureExtractionPipeline | undefined;

async function embed(texts: string[]): Promise<Float32Array> {
  const out = (await extractor!(texts, { pooling: 'cls', normalize: true })) as Tensor;
  return out.data as Float32Array;
}

async function run(texts: string[], mode: BaselineMode): Promise<Float32Array> {
  if (mode === 'b') return embed(texts);
  const step = mode === 'a' ? 1 : 32;
  const parts: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += step) parts.push(await embed(texts.slice(i, i + step)));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

self.onmessage = async ({ data }: MessageEvent<BaselineRequest>) => {
  try {
    if (data.kind === 'init') {
      env.remoteHost = data.modelHost;
      env.allowLocalModels = false;
      const wasm = env.backends.onnx.wasm!;
      wasm.wasmPaths = { mjs: new URL(ortMjsUrl, self.location.href).href, wasm: new URL(ortWasmUrl, self.location.href).href };
      wasm.numThreads = data.numThreads;
      extractor = await pipeline('feature-extraction', data.repo, { dtype: data.dtype as 'q8', device: 'wasm' });
      self.postMessage({ kind: 'ready' } satisfies BaselineReply);
    } else {
      const vectors = await run(data.texts, data.mode);
      self.postMessage({ kind: 'vectors', vectors } satisfies BaselineReply, [vectors.buffer]);
    }
  } catch (err) {
    self.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) } satisfies BaselineReply);
  }
};
