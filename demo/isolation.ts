/**
 * COOP + COEP make the page (and its workers) cross-origin isolated: SharedArrayBuffer exists, so
 * onnxruntime-web runs multi-threaded. CORP lets isolated pages and workers load each response.
 * Sent by the server (demo-plugin.ts) and by the service worker on the responses it makes (sw.ts).
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;
