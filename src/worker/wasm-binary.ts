/**
 * onnxruntime's WASM binary, kept in Cache Storage (`transformers-cache`, where transformers.js keeps it)
 * and handed to onnxruntime as `env.wasm.wasmBinary`. transformers.js' own WASM cache (`env.useWasmCache`)
 * is turned off because of its other half: it re-imports onnxruntime's `.mjs` from a `blob:` URL, which a
 * page served with `script-src 'self'` (README, "Strict Content Security Policy") and every extension
 * refuse, and the model then fails to load. Without it the `.mjs` is imported from its own URL.
 */

import { env } from '@huggingface/transformers';

let loading: Promise<void> | undefined;

/** Set onnxruntime's WASM binary from Cache Storage or the network, once per worker; on any failure leave it to onnxruntime. */
export function preloadWasmBinary(): Promise<void> {
  return (loading ??= load());
}

async function load(): Promise<void> {
  const wasm = env.backends.onnx.wasm!;
  const paths = wasm.wasmPaths;
  if (wasm.wasmBinary || typeof paths !== 'object' || !paths?.wasm) return;
  const url = new URL(paths.wasm, self.location.href).href;
  try {
    const cache = env.useBrowserCache && typeof caches !== 'undefined' ? await caches.open(env.cacheKey).catch(() => undefined) : undefined;
    let response = await cache?.match(url);
    if (!response) {
      response = await fetch(url);
      // onnxruntime fetches it again and reports the failure in its own words.
      if (!response.ok) return;
      await cache?.put(url, response.clone()).catch(() => undefined);
    }
    wasm.wasmBinary = await response.arrayBuffer();
  } catch { /* offline with nothing cached, or Cache Storage refused: onnxruntime fetches it itself */ }
}
