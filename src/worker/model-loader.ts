/**
 * Loads tokenizers and ONNX sessions through transformers.js, exactly as it fetches from the Hub
 * (only `env.remoteHost` differs), and reports aggregated download progress.
 */

import { AutoModel, AutoTokenizer, JinaCLIPTextModel, env } from '@huggingface/transformers';
import type { PreTrainedModel, PreTrainedTokenizer } from '@huggingface/transformers';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url&no-inline';
import ortMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url&no-inline';
import { InternalServerError, NotFoundError } from '../errors.js';
import type { EngineOptions, LocalModelSpec, ProgressEvent } from '../engine-protocol.js';
import { guardSessions, throwIfFailed } from './ort-chain-guard.js';
import { preloadWasmBinary } from './wasm-binary.js';

/** A model ready to run. */
export interface LoadedModel {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  padId: number;
  /** The graph takes `attention_mask`; without it a padded batch would pool its padding, so texts run alone. */
  takesMask: boolean;
}

/**
 * Point transformers.js' global `env` at our host and our own onnxruntime files. It is global, so it
 * is set here, inside the worker, which belongs to one client. transformers.js sets a CDN at import;
 * we replace it so nothing is ever fetched from a third party.
 */
export function configureRuntime(options: EngineOptions): void {
  env.remoteHost = options.modelHost;
  env.allowRemoteModels = true;
  env.allowLocalModels = false;
  const wasm = env.backends.onnx.wasm!;
  const paths = options.wasmPaths;
  wasm.wasmPaths = typeof paths === 'string'
    ? { mjs: `${paths}ort-wasm-simd-threaded.asyncify.mjs`, wasm: `${paths}ort-wasm-simd-threaded.asyncify.wasm` }
    : paths ?? { mjs: new URL(ortMjsUrl, self.location.href).href, wasm: new URL(ortWasmUrl, self.location.href).href };
  wasm.numThreads = options.numThreads;
  // transformers.js' WASM cache imports onnxruntime's .mjs from a blob: URL, which a strict CSP refuses:
  // the worker caches the binary itself (wasm-binary.ts).
  env.useWasmCache = false;
}

/** Make a progress callback that sums bytes over all files of one model. */
export function progressAggregator(modelId: string, onProgress?: (e: ProgressEvent) => void) {
  const files = new Map<string, { loaded: number; total: number }>();
  return (info: Record<string, unknown>) => {
    if (!onProgress) return;
    const file = typeof info.file === 'string' ? info.file : '';
    const status = info.status as ProgressEvent['status'];
    const entry = files.get(file) ?? { loaded: 0, total: 0 };
    if (typeof info.total === 'number') entry.total = info.total;
    if (typeof info.loaded === 'number') entry.loaded = info.loaded;
    if (status === 'done') entry.loaded = entry.total;
    if (file) files.set(file, entry);
    let loaded = 0, total = 0;
    for (const f of files.values()) { loaded += f.loaded; total += f.total; }
    const progress = status === 'ready' ? 100 : total > 0 ? Math.min(100, (loaded / total) * 100) : 0;
    onProgress({ model: modelId, file, status, loaded, total, progress });
  };
}

/**
 * Classify a failed load. transformers.js words a missing file differently depending on which file
 * failed first, so when its message is unclear we ask the host whether `config.json` exists.
 */
export async function loadError(spec: LocalModelSpec, cause: unknown): Promise<Error> {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const where = `${env.remoteHost}${spec.repo}/resolve/${spec.revision}/`;
  const missing = /could not locate|\b404\b|not found/i.test(detail) ||
    (await fetch(`${where}config.json`, { method: 'HEAD' }).then((r) => r.status === 404, () => false));
  const hint = spec.hostingNote ? ` ${spec.hostingNote}` : '';
  const message = missing
    ? `Model ${spec.id} could not be loaded: a file is missing under ${where} (${detail}).${hint}`
    : `Model ${spec.id} failed to load from ${where}: ${detail}. The next request retries the load.${hint}`;
  const Class = missing ? NotFoundError : InternalServerError;
  return new Class(missing ? 404 : 500, {
    message, type: missing ? 'invalid_request_error' : 'server_error', param: 'model',
    code: missing ? 'model_files_not_found' : 'model_load_failed',
  });
}

/**
 * Download (or read from the browser cache) and initialise one model's tokenizer and session. On WebGPU,
 * `webgpuDevice` is the worker's own device (`webgpu-device.ts`), which the session then runs on.
 */
export async function loadModel(
  spec: LocalModelSpec, onProgress?: (e: ProgressEvent) => void, webgpuDevice?: unknown, wasmSessionOptions?: Record<string, unknown>,
): Promise<LoadedModel> {
  const progress_callback = progressAggregator(spec.id, onProgress);
  const common = { revision: spec.revision, progress_callback };
  try {
    await preloadWasmBinary();
    const ModelClass = spec.output === 'text_embeds' ? JinaCLIPTextModel : AutoModel;
    const [tokenizer, model] = await Promise.all([
      AutoTokenizer.from_pretrained(spec.repo, common),
      ModelClass.from_pretrained(spec.repo, {
        ...common,
        dtype: spec.dtype,
        device: spec.device,
        ...(spec.device === 'webgpu' && webgpuDevice
          ? { session_options: { executionProviders: [{ name: 'webgpu', device: webgpuDevice }] } } : {}),
        ...(spec.device === 'wasm' && wasmSessionOptions ? { session_options: wasmSessionOptions } : {}),
        ...(spec.modelFileName ? { model_file_name: spec.modelFileName } : {}),
      }),
    ]);
    // One failed session must not fail every later one (see ort-chain-guard.ts).
    await throwIfFailed(model);
    guardSessions(model);
    progress_callback({ status: 'ready', file: '' });
    const padId = tokenizer.pad_token_id ?? 0;
    const inputs = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions.model?.inputNames;
    return { tokenizer, model, padId, takesMask: inputs?.includes('attention_mask') ?? true };
  } catch (cause) {
    await forgetCachedFiles(spec);
    throw await loadError(spec, cause);
  }
}

/**
 * Drop the model's files from transformers.js' Cache Storage after a failed load. It caches whatever a
 * 200 brought, so a truncated or corrupt download would otherwise fail every later load from the cache;
 * the retry then downloads them again.
 */
async function forgetCachedFiles(spec: LocalModelSpec): Promise<void> {
  if (typeof caches === 'undefined' || !env.useBrowserCache) return;
  const prefix = `${env.remoteHost}${spec.repo}/resolve/${spec.revision}/`;
  try {
    const cache = await caches.open(env.cacheKey);
    for (const request of await cache.keys()) if (request.url.startsWith(prefix)) await cache.delete(request);
  } catch { /* Cache Storage unavailable: nothing was kept there either */ }
}
