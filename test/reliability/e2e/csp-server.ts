/**
 * A static server for a built consumer app that sends the headers a test gives on every response (page,
 * worker, onnxruntime's .mjs and .wasm alike: a worker's CSP comes from its own script's response) and
 * collects the CSP violation reports Chromium POSTs to `/__csp-report` from the page and its workers.
 */

import { createServer } from 'node:http';
import { listenLocal, sendFile } from '../../consumer/static-server.js';

/** The path the test's policies name in `report-uri`. */
export const REPORT_PATH = '/__csp-report';

export interface ReportingServer {
  origin: string;
  /** The `csp-report` bodies received so far. */
  reports: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Serve `root` on a free port of 127.0.0.1 with `headers` on every response. */
export async function serveWithHeaders(root: string, headers: Record<string, string>): Promise<ReportingServer> {
  const reports: Array<Record<string, unknown>> = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (req.method === 'POST' && path === REPORT_PATH) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { 'csp-report'?: Record<string, unknown> };
      reports.push(body['csp-report'] ?? body);
      return void res.writeHead(204).end();
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    await sendFile(root, path, res);
  });
  return { ...(await listenLocal(server)), reports };
}
