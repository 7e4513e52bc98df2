/**
 * A static server for a consumer app's build output on 127.0.0.1, with or without the headers that make
 * a page cross-origin isolated. It logs every path it serves, so a test can see which origin served what.
 */

import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json',
};

export interface StaticServer {
  origin: string;
  /** Paths served so far. */
  log: string[];
  close(): Promise<void>;
}

/** Answer `path` with the file under `root` (index.html for a folder), 403 outside it, 404 when absent. */
export async function sendFile(root: string, path: string, res: ServerResponse): Promise<void> {
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(normalize(root))) return void res.writeHead(403).end();
  try {
    const stat = await fs.stat(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': String(stat.size) });
    createReadStream(file).pipe(res);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
  }
}

/** Listen on a free port of 127.0.0.1; the origin, and a close that drops open connections. */
export async function listenLocal(server: Server): Promise<{ origin: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export async function serveStatic(root: string, { isolated }: { isolated: boolean }): Promise<StaticServer> {
  const log: string[] = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    log.push(path);
    if (isolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    await sendFile(root, path, res);
  });
  return { ...(await listenLocal(server)), log };
}
