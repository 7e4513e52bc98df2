/**
 * The demo server's vite plugin: cross-origin isolation headers on every response, `/demo-config.json`,
 * and model files from a local folder under `/models/` in the Hub's URL layout.
 */

import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { Plugin } from 'vite';
import type { DemoConfig } from './demo-config.js';
import { ISOLATION_HEADERS } from './isolation.js';

const TYPES: Record<string, string> = { '.json': 'application/json', '.onnx': 'application/octet-stream', '.txt': 'text/plain' };

/** Serve `/models/<org>/<name>/resolve/<revision>/<file>` from `<folder>/<org>/<name>/<file>`, any revision. */
async function serveModelFile(folder: string, req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = /^\/models\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(url.pathname);
  if (!match) return next();
  const path = normalize(join(folder, decodeURIComponent(match[1]), decodeURIComponent(match[2])));
  if (!path.startsWith(folder + sep)) return void res.writeHead(403).end();
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new Error('not a file');
    // content-length is what transformers.js' progress events divide by.
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'content-length': String(stat.size),
      etag: `"${stat.size}-${Math.round(stat.mtimeMs)}"`,
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`Entry not found: ${match[1]}/${match[2]}`);
  }
}

/** The demo's server-side pieces, as one vite plugin. */
export function demoPlugin(config: DemoConfig, folder: string | undefined): Plugin {
  return {
    name: 'inpage-embeddings-demo',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
        if (req.url?.split('?')[0] === '/demo-config.json') {
          res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
          return void res.end(JSON.stringify(config));
        }
        if (folder && req.url?.startsWith('/models/')) return void serveModelFile(folder, req, res, next);
        next();
      });
    },
  };
}
