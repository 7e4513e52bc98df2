/**
 * A strict Content Security Policy: the packed package, installed and bundled by vite as a consumer does
 * (test/consumer/app, no inline script), served with the policy README gives on every response, computes
 * the tiny bge model's golden vectors, with and without cross-origin isolation (with it, onnxruntime's
 * thread workers start too), and nothing it does is refused: no `securitypolicyviolation` in the page, no
 * report from the page or any worker, no CSP message on the console. A deliberate violation in the page
 * and one in a worker must be seen, or the watch itself is broken.
 */

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../consumer/bundlers.js';
import { installPackedPackage } from '../../consumer/packed-package.js';
import { args, executablePath } from '../../e2e/chromium.js';
import { startHubServer, type HubServer } from '../../fixtures/hub-server.js';
import { makeTinyModels } from '../../fixtures/make-tiny-models.js';
import { REPORT_PATH, serveWithHeaders } from './csp-server.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const WORK = join(ROOT, 'test/output/strict-csp');
const OUT = join(WORK, 'out-vite');

/** README's policy; `connect-src` names the model host. `report-uri` is the test's, so workers' violations reach it. */
const policy = (modelHost: string) => [
  "default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'",
  `connect-src 'self' ${new URL(modelHost).origin}`, `report-uri ${REPORT_PATH}`,
].join('; ');

/** A worker of the app's origin that breaks the policy on purpose (a module from a blob: URL): the watch's control. */
const PROBE_WORKER = `
const url = URL.createObjectURL(new Blob(['export default 1'], { type: 'text/javascript' }));
import(url).then(() => postMessage('imported'), () => postMessage('refused'));
`;

interface PageResult {
  ok: boolean; message?: string; count: number; expected: number; cosines: number[];
  crossOriginIsolated: boolean; backends: Array<{ device: string; numThreads: number }>;
}

let hub: HubServer;
let browser: Browser;

beforeAll(async () => {
  const app = installPackedPackage(WORK);
  await buildApp('vite', app, 'main', OUT);
  writeFileSync(join(OUT, 'csp-probe-worker.js'), PROBE_WORKER);
  const models = resolve(ROOT, 'test/fixtures/models');
  await makeTinyModels({ out: models, only: ['Xenova/bge-small-en-v1.5'] });
  hub = await startHubServer(models);
  browser = await chromium.launch({ executablePath, args });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

describe.each([true, false])('a vite app of the packed package under a strict CSP (cross-origin isolated: %s)', (isolated) => {
  it('computes the golden vectors and breaks no directive; deliberate violations in page and worker are seen', async () => {
    const isolation: Record<string, string> = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    const server = await serveWithHeaders(OUT, { 'Content-Security-Policy': policy(hub.url), ...isolation });
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      const errors: string[] = [];
      const cspConsole: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      tab.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) cspConsole.push(m.text()); });
      // Injected by the browser before the page's own scripts (not an inline script, which the policy would refuse).
      await tab.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { __violations: string[] }).__violations = seen;
        addEventListener('securitypolicyviolation', (e) => {
          const v = e as SecurityPolicyViolationEvent;
          seen.push(`${v.effectiveDirective} ${v.blockedURI}`);
        });
      });
      await tab.goto(`${server.origin}/index.html?hub=${encodeURIComponent(hub.url)}`);
      const result = await tab.evaluate(() => (window as unknown as { __consumer: Promise<unknown> }).__consumer) as PageResult;
      expect(errors).toEqual([]);
      expect(result.message).toBeUndefined();
      expect(result.count).toBe(result.expected);
      expect(Math.min(...result.cosines)).toBeGreaterThan(0.9999);
      expect(result.crossOriginIsolated).toBe(isolated);
      // Threads mean onnxruntime started its own workers under `worker-src 'self'`.
      const cores = await tab.evaluate(() => navigator.hardwareConcurrency);
      expect(result.backends[0].numThreads).toBe(isolated ? Math.min(4, cores) : 1);
      // Reports are sent after the fact: give any from the library's run time to arrive before judging.
      await new Promise((r) => setTimeout(r, 1000));
      expect(server.reports).toEqual([]);
      expect(await tab.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
      expect(cspConsole).toEqual([]);

      // The controls: a blob: worker from the page, and a blob: module import inside a same-origin worker.
      const probe = await tab.evaluate(async () => {
        let page = 'started';
        try { new Worker(URL.createObjectURL(new Blob([''], { type: 'text/javascript' }))); } catch (e) { page = String(e); }
        const worker = new Worker('/csp-probe-worker.js', { type: 'module' });
        const inWorker = await new Promise((r) => { worker.onmessage = (e) => r(e.data); });
        worker.terminate();
        return { page, inWorker };
      });
      expect(probe.inWorker).toBe('refused');
      await expect.poll(() => tab.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([expect.stringMatching(/^worker-src blob/)]);
      await expect.poll(() => server.reports.map((r) => `${r['effective-directive']} ${r['source-file'] ?? r['document-uri']}`).sort())
        .toEqual([expect.stringMatching(/^script-src-elem .*csp-probe-worker\.js$/), expect.stringMatching(/^worker-src /)]);
    } finally {
      await context.close();
      await server.close();
    }
  });
});
