/**
 * `npm run demo`: a vite dev server for demo/ (the library is imported from ../src, so a fresh clone needs
 * no build), cross-origin isolated, with model files from the Hub, a folder, or the tiny fixtures.
 *
 * @example npm run demo -- --models ~/models   # <dir>/<org>/<name>/... e.g. ~/models/Xenova/bge-small-en-v1.5/
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer, defaultClientConditions, type ViteDevServer } from 'vite';
import type { DemoConfig } from './demo-config.js';
import { demoPlugin } from './demo-plugin.js';
import { ISOLATION_HEADERS } from './isolation.js';
import { chooseSource, type SourceRequest } from './model-source.js';

const DEMO_DIR = import.meta.dirname;
const ROOT = resolve(DEMO_DIR, '..');

/** Options of `startDemoServer`. */
export interface DemoServerOptions extends SourceRequest {
  /** Default 5173; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Hot module reload (default true); tests turn it off so nothing reconnects or reloads behind them. */
  hmr?: boolean;
  /** vite's log level; default `info`. */
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
  log?: (line: string) => void;
}

/** A running demo server. */
export interface DemoServer {
  url: string;
  config: DemoConfig;
  server: ViteDevServer;
  close(): Promise<void>;
}

/** Start the demo's dev server. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const log = options.log ?? console.log;
  const { config: source, folder } = await chooseSource(options, log);
  const config: DemoConfig = { ...source, build: Date.now().toString(36) };
  const server = await createServer({
    configFile: false,
    root: DEMO_DIR,
    publicDir: resolve(DEMO_DIR, 'public'),
    cacheDir: resolve(ROOT, 'node_modules/.vite-demo'),
    logLevel: options.logLevel ?? 'info',
    // onnxruntime-web's files are loaded from same-origin URLs the worker sets, never embedded (see vite.config.ts).
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
    // Pre-bundle the worker's dependencies up front: discovered later, they would make vite reload the page.
    optimizeDeps: {
      entries: ['index.html', resolve(ROOT, 'src/worker/worker-entry.ts')],
      include: ['@huggingface/transformers', 'comlink', 'idb-keyval'],
    },
    worker: { format: 'es' },
    server: {
      port: options.port ?? 5173,
      host: options.host ?? '127.0.0.1',
      headers: ISOLATION_HEADERS,
      hmr: options.hmr ?? true,
      // Without hot reload nothing needs to watch files (tests: an edit elsewhere must not reload the page).
      watch: options.hmr === false ? null : undefined,
      fs: { allow: [ROOT] },
    },
    plugins: [demoPlugin(config, folder)],
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0] ?? `http://${options.host ?? '127.0.0.1'}:${options.port ?? 5173}/`;
  return { url, config, server, close: () => server.close() };
}

function parseArgs(argv: string[]): DemoServerOptions {
  const options: DemoServerOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--models') options.models = argv[++i];
    else if (arg === '--tiny') options.tiny = true;
    else if (arg === '--hub') options.hub = true;
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--host') options.host = argv[++i];
    else if (arg === '--no-hmr') options.hmr = false;
    else throw new Error(`unknown argument ${arg}; usage: npm run demo -- [--models DIR | --tiny | --hub] [--port N] [--host H] [--no-hmr]`);
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const demo = await startDemoServer(parseArgs(process.argv.slice(2)));
  const from = demo.config.source === 'hub' ? demo.config.modelHost : `${demo.config.source} models under /models/`;
  console.log(`\n  inpage-embeddings demo: ${demo.url}  (models: ${from})\n`);
}
