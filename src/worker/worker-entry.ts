/**
 * worker/: everything that runs in the inference worker: the engine, the batch planner and its cost model,
 * the model loader, the device choice (WASM, WebGPU, 'auto'), image decoding and preprocessing. The only
 * place transformers.js and onnxruntime-web load. May import: the root's contracts (`engine-protocol`,
 * `device-protocol`, `worker-rpc`), `errors`, `models` (types), `vector-math`; `cache/image-key` (digests).
 *
 * This file is the module Worker's entry: it serves one Engine to the main thread.
 */

import { exposeEngine, FATAL_MESSAGE } from '../worker-rpc.js';
import { Engine } from './engine.js';

exposeEngine(new Engine());

// An uncaught error can leave onnxruntime's WASM heap in an unknown state (an abort, an OOM): tell the
// page, which fails pending calls and starts a fresh worker on the next one, and stop here.
const reportFatal = (reason: unknown) => {
  const message = reason instanceof Error ? reason.message : String(reason);
  self.postMessage({ [FATAL_MESSAGE]: message });
  self.close();
};
self.addEventListener('error', (event) => {
  event.preventDefault();
  reportFatal(event.error ?? event.message);
});
