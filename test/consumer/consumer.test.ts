/**
 * The package as a consumer gets it: `npm run build`, `npm pack`, the tarball installed into a fresh
 * app that imports `inpage-embeddings`, bundled by vite, webpack 5 and esbuild with only README's lines,
 * served on 127.0.0.1 with and without cross-origin isolation, and run in Chromium against the tiny
 * models. Our other tests import ../src, which hides URL and packaging bugs; this one does not.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { args, executablePath } from '../e2e/chromium.js';
import { startHubServer, type HubServer } from '../fixtures/hub-server.js';
import { makeTinyModels } from '../fixtures/make-tiny-models.js';
import { buildApp, outputFiles, type Bundler, type Entry, type OutputFile } from './bundlers.js';
import { installPackedPackage } from './packed-package.js';
import { serveStatic } from './static-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const WORK = join(ROOT, 'test/output/consumer');
const APP = join(WORK, 'app');
const BUNDLERS: Bundler[] = ['vite', 'webpack', 'esbuild'];

interface PageResult {
  ok: boolean; message?: string; code?: string;
  crossOriginIsolated: boolean; count: number; expected: number; dims: number[]; cosines: number[];
  backends: Array<{ device: string; numThreads: number }>;
}

let hub: HubServer;
let browser: Browser;
const sizes: Record<string, OutputFile[]> = {};

/** Open `page` of a build on a fresh server and context; return what the page reported and who served it. */
async function runPage(outDir: string, page: string, isolated: boolean) {
  const server = await serveStatic(outDir, { isolated });
  try {
    return { ...(await openPage(`${server.origin}/${page}`)), served: [...server.log], origin: server.origin };
  } finally {
    await server.close();
  }
}

/** Open a consumer page in a fresh context; return what it reported, its errors and every URL it requested. */
async function openPage(url: string) {
  const context = await browser.newContext();
  const requested: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  const tab = await context.newPage();
  const errors: string[] = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  try {
    await tab.goto(`${url}?hub=${encodeURIComponent(hub.url)}`);
    const result = await tab.evaluate(() => (window as unknown as { __consumer: Promise<unknown> }).__consumer) as PageResult;
    const hardwareConcurrency = await tab.evaluate(() => navigator.hardwareConcurrency);
    return { result, errors, requested, hardwareConcurrency };
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  installPackedPackage(WORK);
  const models = resolve(ROOT, 'test/fixtures/models');
  await makeTinyModels({ out: models, only: ['Xenova/bge-small-en-v1.5'] });
  hub = await startHubServer(models);
  browser = await chromium.launch({ executablePath, args });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  // The consumer bundles' sizes, for README and the closing note.
  writeFileSync(join(WORK, 'sizes.json'), JSON.stringify(sizes, null, 2));
});

describe.each(BUNDLERS)('a %s app that installed the packed package', (bundler) => {
  const out = (entry: Entry) => join(WORK, `out-${bundler}-${entry}`);

  beforeAll(async () => {
    for (const entry of ['main', 'custom'] as const) {
      await buildApp(bundler, APP, entry, out(entry));
      sizes[`${bundler}/${entry}`] = outputFiles(out(entry));
    }
  }, 300_000);

  it("emits the worker and onnxruntime's files from the package, and names no CDN", () => {
    const files = sizes[`${bundler}/main`];
    expect(files.filter((f) => f.kind === 'worker')).toHaveLength(1);
    expect(files.filter((f) => f.kind === 'wasm')).toHaveLength(1);
    expect(files.filter((f) => f.kind === 'ort-mjs')).toHaveLength(1);
    for (const file of files.filter((f) => /\.(m?js|html)$/.test(f.path))) {
      expect(readFileSync(join(out('main'), file.path), 'utf8'), file.path).not.toMatch(/cdn\.jsdelivr\.net|unpkg\.com|esm\.sh/);
    }
  });

  it.each([true, false])('embeds the golden texts in a page (cross-origin isolated: %s)', async (isolated) => {
    const run = await runPage(out('main'), 'index.html', isolated);
    expect(run.errors).toEqual([]);
    expect(run.result.message).toBeUndefined();
    expect(run.result.ok).toBe(true);
    expect(run.result.count).toBe(run.result.expected);
    expect(Math.min(...run.result.cosines)).toBeGreaterThan(0.9999);
    expect(run.result.crossOriginIsolated).toBe(isolated);
    // Threads need cross-origin isolation; without it the page still works, on one thread, and says so.
    const [backend] = run.result.backends;
    expect(backend.device).toBe('wasm');
    if (isolated) expect(backend.numThreads).toBe(Math.min(4, run.hardwareConcurrency));
    else expect(backend.numThreads).toBe(1);
    // onnxruntime's wasm came from the app's own origin; nothing went anywhere but the app and the model host.
    expect(run.served.some((path) => path.endsWith('.wasm'))).toBe(true);
    const foreign = run.requested.filter((url) => !/^(blob|data):/.test(url) && !url.startsWith(run.origin) && !url.startsWith(hub.url));
    expect(foreign).toEqual([]);
  });

  it("runs an app's own worker from the core entry, with no default worker in its bundle", async () => {
    const files = sizes[`${bundler}/custom`];
    // One worker bundle: the app's own (the engine inside it survived tree-shaking), not the package's.
    expect(files.filter((f) => f.kind === 'worker')).toHaveLength(1);
    const run = await runPage(out('custom'), 'custom.html', true);
    expect(run.errors).toEqual([]);
    expect(run.result.message).toBeUndefined();
    expect(Math.min(...run.result.cosines)).toBeGreaterThan(0.9999);
    expect(run.served.some((path) => path.endsWith('worker.js') && !path.includes('custom'))).toBe(false);
  });
});

describe('a vite app in development (vite dev server)', () => {
  it('serves the worker and onnxruntime from the installed package and embeds, with no extra config', async () => {
    const { createServer } = await import('vite');
    const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    const server = await createServer({
      root: APP, configFile: false, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, headers: isolation, hmr: false },
    });
    await server.listen();
    try {
      const origin = server.resolvedUrls!.local[0].replace(/\/$/, '');
      const run = await openPage(`${origin}/index.html`);
      expect(run.errors).toEqual([]);
      expect(run.result.message).toBeUndefined();
      expect(Math.min(...run.result.cosines)).toBeGreaterThan(0.9999);
      expect(run.result.backends[0].numThreads).toBe(Math.min(4, run.hardwareConcurrency));
      expect(run.requested.some((url) => url.startsWith(`${origin}/node_modules/inpage-embeddings/dist/`) && url.includes('.wasm'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
