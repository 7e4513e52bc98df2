/**
 * The service-worker route's test harness, driven from Node: a vite dev server serving the e2e page
 * (`sw-page/`) and a service worker built from src/sw.ts, the Hub-layout server with the tiny bge model,
 * and headless Chromium. Used by the e2e route tests and the reliability suite's fuzz through the route.
 */

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../../vite.config.js';
import { startHubServer, type HubServer } from '../fixtures/hub-server.js';
import { makeTinyModels } from '../fixtures/make-tiny-models.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PAGE = '/test/e2e/sw-page/index.html';

export interface SwHarness {
  vite: ViteDevServer;
  hub: HubServer;
  browser: Browser;
  /** `http://127.0.0.1:<port>` of the vite server. */
  origin: string;
  /** The tiny bge model's width. */
  dims: number;
  /** Close each part once, whichever caller gets there first (a test may close servers to go offline). */
  closeOnce(name: 'vite' | 'hub', close: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Start the servers and the browser. */
export async function startSwHarness(): Promise<SwHarness> {
  const { outDir } = await makeTinyModels({ only: ['bge-small-en-v1.5'] });
  const dims = JSON.parse(readFileSync(join(outDir, 'Xenova/bge-small-en-v1.5/golden.json'), 'utf8')).vectors[0].length;
  const hub = await startHubServer(outDir);
  const vite = await createServer({
    configFile: resolve(ROOT, 'vite.config.ts'),
    root: ROOT,
    cacheDir: resolve(ROOT, 'node_modules/.vite-e2e'),
    logLevel: 'warn',
    // No HMR socket: a page reloaded offline must not poll for it and reload itself.
    server: { host: '127.0.0.1', port: 0, hmr: false, ws: false },
    optimizeDeps: { entries: [PAGE.slice(1)] },
    plugins: [{
      name: 'e2e-service-worker-allowed',
      configureServer(server) {
        server.middlewares.use((req, res, next) => {
          if (req.url?.startsWith('/test/e2e/sw-page/sw.ts')) res.setHeader('Service-Worker-Allowed', '/');
          next();
        });
      },
    }],
  });
  await vite.listen();
  const address = vite.httpServer?.address();
  if (!address || typeof address !== 'object') throw new Error('vite did not listen');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const closers = new Map<string, Promise<void>>();
  const closeOnce = (name: string, close: () => Promise<void>) => closers.get(name) ?? closers.set(name, close()).get(name)!;
  return {
    vite, hub, browser, origin: `http://127.0.0.1:${address.port}`, dims, closeOnce,
    async close() {
      await browser.close();
      await closeOnce('vite', () => vite.close());
      await closeOnce('hub', () => hub.close());
    },
  };
}

/** Open the e2e page and wait until the service worker controls it. */
export async function openSwPage(h: SwHarness, context: BrowserContext, query: { serve: boolean; sw?: string }): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('[page]', err));
  const search = new URLSearchParams({ hub: h.hub.url, dims: String(h.dims), serve: query.serve ? '1' : '0', sw: query.sw ?? '' });
  await page.goto(`${h.origin}${PAGE}?${search}`);
  await page.waitForFunction(() => 'e2e' in window);
  await page.evaluate(() => window.e2e.ready);
  return page;
}
