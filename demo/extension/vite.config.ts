/**
 * `npm run build:extension`: the Manifest V3 example, built into demo/extension/dist (load that folder
 * unpacked). Everything the extension runs is in the folder, onnxruntime's .wasm and .mjs included:
 * MV3 forbids remote code, and the CSP allows only 'self' scripts plus 'wasm-unsafe-eval'.
 */

import { resolve } from 'node:path';
import { defaultClientConditions, defineConfig } from 'vite';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  publicDir: resolve(here, 'public'),
  // onnxruntime-web's files as separate same-origin assets, never inlined (as in the library's own build).
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  logLevel: 'warn',
  build: {
    outDir: resolve(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be an inline script, which the extension's CSP refuses.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      // The bundler's own report of slow plugins: on a busy machine it fires on every build.
      checks: { bundlerTimings: false },
      input: {
        background: resolve(here, 'background.ts'),
        popup: resolve(here, 'popup.html'),
        offscreen: resolve(here, 'offscreen.html'),
      },
      // manifest.json names background.js, so entries keep plain names.
      output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' },
    },
  },
  worker: { format: 'es' },
});
