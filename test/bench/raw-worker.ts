/**
 * The limit: onnxruntime-web's `InferenceSession.run` on pre-tokenized ids, no library around it (only
 * CLS pooling and normalization, which every side does). The same build of onnxruntime-web that
 * transformers.js imports, the same files, dtype and threads.
 */

import * as ort from 'onnxruntime-web/webgpu';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url&no-inline';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url&no-inline';

/** One text per run, in input order; length-sorted batches under a size and token budget; or given batches. */
export type RawMode =
  | { kind: 'single' }
  | { kind: 'sorted'; maxBatchSize: number; maxBatchTokens: number }
  | { kind: 'batches'; batches: number[][] };

export type RawRequest =
  | { kind: 'init'; modelUrl: string; numThreads: number; padId: number }
  /** Keep a set's token ids here, off the clock. */
  | { kind: 'stage'; name: string; ids: number[][] }
  | { kind: 'run'; name: string; mode: RawMode };

export type RawReply =
  | { kind: 'ready' }
  | { kind: 'vectors'; vectors: Float32Array }
  | { kind: 'error'; message: string };

let session: ort.InferenceSession | undefined;
let padId = 0;
const staged = new Map<string, number[][]>();

/** Right-pad one batch, run it, and write each row's normalized CLS vector into `out`. */
async function runBatch(ids: number[][], batch: number[], out: Float32Array[]): Promise<void> {
  const seq = Math.max(...batch.map((i) => ids[i].length));
  const n = batch.length;
  const inputIds = new BigInt64Array(n * seq).fill(BigInt(padId));
  const mask = new BigInt64Array(n * seq);
  batch.forEach((item, row) => {
    ids[item].forEach((id, t) => { inputIds[row * seq + t] = BigInt(id); mask[row * seq + t] = 1n; });
  });
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', inputIds, [n, seq]),
    attention_mask: new ort.Tensor('int64', mask, [n, seq]),
  };
  if (session!.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n * seq), [n, seq]);
  const result = await session!.run(feeds);
  const hidden = result.last_hidden_state;
  const width = hidden.dims[2];
  const data = hidden.data as Float32Array;
  batch.forEach((item, row) => {
    const v = data.slice(row * seq * width, row * seq * width + width);
    const norm = Math.hypot(...v) || 1;
    for (let j = 0; j < width; j++) v[j] /= norm;
    out[item] = v;
  });
  for (const t of Object.values(result)) t.dispose();
}

/** Sort by length and fill batches while `n ≤ maxBatchSize` and `n × longest ≤ maxBatchTokens`. */
function sortedBatches(lengths: number[], maxBatchSize: number, maxBatchTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const batches: number[][] = [];
  for (const i of order) {
    const last = batches[batches.length - 1];
    if (last && last.length < maxBatchSize && (last.length + 1) * lengths[i] <= maxBatchTokens) last.push(i);
    else batches.push([i]);
  }
  return batches;
}

async function run(ids: number[][], mode: RawMode): Promise<Float32Array> {
  const batches = mode.kind === 'single' ? ids.map((_, i) => [i])
    : mode.kind === 'batches' ? mode.batches
    : sortedBatches(ids.map((x) => x.length), mode.maxBatchSize, mode.maxBatchTokens);
  const out: Float32Array[] = new Array(ids.length);
  for (const batch of batches) await runBatch(ids, batch, out);
  const flat = new Float32Array(ids.length * out[0].length);
  out.forEach((v, i) => flat.set(v, i * v.length));
  return flat;
}

self.onmessage = async ({ data }: MessageEvent<RawRequest>) => {
  try {
    if (data.kind === 'init') {
      ort.env.wasm.wasmPaths = { mjs: new URL(ortMjsUrl, self.location.href).href, wasm: new URL(ortWasmUrl, self.location.href).href };
      ort.env.wasm.numThreads = data.numThreads;
      padId = data.padId;
      const bytes = new Uint8Array(await (await fetch(data.modelUrl)).arrayBuffer());
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      self.postMessage({ kind: 'ready' } satisfies RawReply);
    } else if (data.kind === 'stage') {
      staged.set(data.name, data.ids);
      self.postMessage({ kind: 'ready' } satisfies RawReply);
    } else {
      const vectors = await run(staged.get(data.name)!, data.mode);
      self.postMessage({ kind: 'vectors', vectors } satisfies RawReply, [vectors.buffer]);
    }
  } catch (err) {
    self.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err) } satisfies RawReply);
  }
};
