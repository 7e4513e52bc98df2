/**
 * transformers.js 4.3.1 chains every session creation and every run of a realm on two promise chains
 * that never recover from a rejection. `ort-chain-guard.ts` keeps a failure to itself; without it, the
 * second load and the runs after the failed one below all fail with the first failure's error.
 */

import { AutoModel, AutoTokenizer, env, Tensor } from '@huggingface/transformers';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url&no-inline';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url&no-inline';
import { describe, expect, it } from 'vitest';
import { guardSessions, throwIfFailed } from '../../src/worker/ort-chain-guard.js';
import { FAMILIES, modelHost } from './tiny-models.js';

const { repo } = FAMILIES.bert;

async function load(options: Record<string, unknown> = {}) {
  const model = await AutoModel.from_pretrained(repo, { dtype: 'fp32', device: 'wasm', ...options });
  await throwIfFailed(model);
  guardSessions(model);
  return model;
}

const ids = (n: number) => new Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i ? 1000 : 101)), [1, n]);
const mask = (n: number) => new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);

describe('one failed session does not fail the next', () => {
  it('a failed creation and a failed run leave later loads and runs working', async () => {
    Object.assign(env, { remoteHost: modelHost(), allowLocalModels: false });
    Object.assign(env.backends.onnx.wasm!, {
      numThreads: 1, wasmPaths: { mjs: new URL(ortMjsUrl, location.href).href, wasm: new URL(ortWasmUrl, location.href).href },
    });
    await AutoTokenizer.from_pretrained(repo);
    const model = await load();

    await expect(load({ session_options: { executionProviders: ['no-such-provider'] } })).rejects.toThrow(/no-such-provider/);
    const again = await load();

    // 600 positions on a model with 512: a Gather fails inside onnxruntime.
    await expect(model({ input_ids: ids(600), attention_mask: mask(600) })).rejects.toThrow();
    for (const m of [model, again]) {
      const out = await m({ input_ids: ids(8), attention_mask: mask(8) });
      expect(out.last_hidden_state.dims).toEqual([1, 8, 32]);
      expect(Array.from(out.last_hidden_state.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
  });
});
