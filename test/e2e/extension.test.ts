/**
 * The browser-extension example, built with demo/extension/vite.config.ts and loaded unpacked into
 * Chromium: it reads a page's text, saves its passages (embedded in the offscreen document's Worker,
 * on the tiny fixture models), and finds them again from another page.
 */

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright';
import { build } from 'vite';
import { startHubServer, type HubServer } from '../fixtures/hub-server.js';
import { makeTinyModels } from '../fixtures/make-tiny-models.js';
import { args, executablePath, logPage, OUTPUT, screenshot } from './chromium.js';

const EXTENSION_CONFIG = resolve(import.meta.dirname, '../../demo/extension/vite.config.ts');
const DIST = join(OUTPUT, 'extension-dist');
const MODELS = resolve(import.meta.dirname, '../fixtures/models');

const PAGES: Record<string, string> = {
  '/stars.html': `<title>How stars form</title><h1>How stars form</h1>
    <p>Stars form inside cold clouds of gas and dust that collapse under their own gravity until the core is hot enough to fuse hydrogen.</p>
    <p>A protostar gathers mass from a spinning disk around it; what is left of the disk may later form planets.</p>
    <p>The most massive stars burn their fuel quickly and end as supernovae, scattering heavy elements into space.</p>`,
  '/nebula.html': `<title>Nebulae</title><h1>Nebulae</h1>
    <p>A nebula is a cloud of gas and dust in space, and many of them are nurseries where new stars are born.</p>`,
};

let hub: HubServer;
let site: Server;
let siteUrl: string;
let context: BrowserContext;
let background: Worker;
let extensionId: string;
let userDataDir: string;

/** The id of the tab showing `url`, asked of the extension itself. */
async function tabId(url: string): Promise<number> {
  return background.evaluate(async (u) => (await chrome.tabs.query({})).find((t) => t.url === u)!.id!, url);
}

/** Open the popup for a tab (as the toolbar button would for the active tab), ready to click. */
async function popupFor(url: string): Promise<Page> {
  const popup = await context.newPage();
  logPage(popup, 'popup');
  await popup.goto(`chrome-extension://${extensionId}/popup.html?tab=${await tabId(url)}`);
  await popup.waitForFunction(() => document.body.dataset.state === 'ready');
  return popup;
}

async function click(popup: Page, id: string): Promise<string> {
  await popup.evaluate(() => { delete document.body.dataset.state; });
  await popup.click(`#${id}`);
  await popup.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 90_000 });
  return (await popup.locator('#status').textContent()) ?? '';
}

beforeAll(async () => {
  // 1. Build the extension as `npm run build:extension` does, into test output.
  await build({ configFile: EXTENSION_CONFIG, logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true } });
  // 2. The tiny models in the Hub layout, and two pages to read.
  await makeTinyModels({ out: MODELS, only: ['bge-small-en-v1.5'] });
  hub = await startHubServer(MODELS);
  site = createServer((req, res) => {
    const page = PAGES[req.url ?? ''];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page ?? 'not found');
  });
  await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
  siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  // 3. Chromium with only this extension, in a fresh profile.
  userDataDir = mkdtempSync(join(tmpdir(), 'inpage-ext-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    args: [...args.filter((a) => a !== '--headless'), `--disable-extensions-except=${DIST}`, `--load-extension=${DIST}`],
    ignoreDefaultArgs: ['--disable-extensions'],
  });
  background = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  extensionId = new URL(background.url()).host;
  const config = await (await fetch(`${hub.url}Xenova/bge-small-en-v1.5/resolve/main/config.json`)).json() as { hidden_size: number };
  await background.evaluate((settings) => chrome.storage.local.set({ settings }), {
    modelHost: hub.url, models: [{ id: 'BAAI/bge-small-en-v1.5', dims: config.hidden_size }],
  });
});

afterAll(async () => {
  await context?.close();
  await hub?.close();
  await new Promise((done) => site?.close(done));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

describe('the browser extension example', () => {
  it('packages onnxruntime with the extension and runs no model in its service worker', () => {
    const assets = readdirSync(join(DIST, 'assets'));
    expect(assets.some((f) => /^ort-wasm-simd-threaded\.asyncify-.*\.wasm$/.test(f))).toBe(true);
    expect(assets.some((f) => /^ort-wasm-simd-threaded\.asyncify-.*\.mjs$/.test(f))).toBe(true);
    expect(existsSync(join(DIST, 'manifest.json'))).toBe(true);
    expect(background.url()).toBe(`chrome-extension://${extensionId}/background.js`);
  });

  it('saves a page\'s passages and finds them from another page', async () => {
    const stars = await context.newPage();
    await stars.goto(`${siteUrl}/stars.html`);
    const nebula = await context.newPage();
    await nebula.goto(`${siteUrl}/nebula.html`);

    const saving = await popupFor(`${siteUrl}/stars.html`);
    expect(await saving.locator('#source').textContent()).toBe('Whole page: How stars form');
    // The heading joins the first paragraph; each paragraph is a passage.
    expect(await click(saving, 'save')).toBe('Saved 3 passages (3 in all).');
    await expect.poll(() => saving.locator('#stats').textContent()).toMatch(/^3 saved · BAAI\/bge-small-en-v1.5 · wasm · q8 · 1 thread/);
    await saving.close();

    const finding = await popupFor(`${siteUrl}/nebula.html`);
    expect(await click(finding, 'find')).toBe('Top 3 of 3 saved passages from other pages');
    const matches = await finding.locator('#matches li').evaluateAll((items) => items.map((li) => ({
      score: Number((li as HTMLElement).dataset.score), href: li.querySelector('a')!.getAttribute('href'),
    })));
    expect(matches).toHaveLength(3);
    expect(matches.map((m) => m.score)).toEqual(matches.map((m) => m.score).sort((a, b) => b - a));
    expect(new Set(matches.map((m) => m.href))).toEqual(new Set([`${siteUrl}/stars.html`]));
    await finding.setViewportSize({ width: 420, height: 560 });
    await screenshot(finding, '6-extension-popup');
  });
});
