/**
 * The demo page end to end, in real Chromium, on the tiny fixture models served by `demo/serve.ts`:
 * first visit (model download, indexing, search), a reload answered from the vector cache, and the
 * page loading and searching with the network off. Screenshots go to test/output/e2e/.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { startDemoServer, type DemoServer } from '../../demo/serve.js';
import { startFakeProviders, type FakeProviders } from '../fixtures/fake-providers.js';
import { args, executablePath, logPage, screenshot, warmDemoServer } from './chromium.js';

let demo: DemoServer;
let providers: FakeProviders;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const stat = (key: string) => page.locator(`[data-stat="${key}"]`).textContent().then((t) => Number(t?.replace(/,/g, '')));
const progress = (id: string) => page.locator(`#${id}`).getAttribute('aria-valuenow').then(Number);

/** Wait until indexing finished (or failed, which the assertion after it reports). */
async function indexed(): Promise<void> {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 90_000 });
  expect(await page.locator('#error').textContent()).toBe('');
  expect(await progress('index-progress')).toBe(100);
}

/** Search through the form and return the results' scores. */
async function search(query: string): Promise<number[]> {
  await page.fill('#query', query);
  await page.click('#search-form button');
  await page.waitForFunction((q) => new URL(location.href).searchParams.get('q') === q && document.body.dataset.state === 'ready', query);
  return page.locator('#results li').evaluateAll((items) => items.map((li) => Number((li as HTMLElement).dataset.score)));
}

beforeAll(async () => {
  demo = await startDemoServer({ tiny: true, port: 0, hmr: false, logLevel: 'warn', log: () => {} });
  providers = await startFakeProviders();
  browser = await chromium.launch({ executablePath, args });
  await warmDemoServer(browser, demo.url);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  logPage(page, 'demo');
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await providers?.close();
});

describe('the demo page', () => {
  it('downloads the model with a progress bar, indexes the corpus and ranks search results', async () => {
    expect(demo.config.source).toBe('tiny');
    await page.goto(demo.url);
    await indexed();
    expect(await progress('model-progress')).toBe(100);
    expect(await page.locator('#model-progress .label').textContent()).toMatch(/ready in/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The panel refreshes asynchronously after the page says 'ready': read it through polls.
    await expect.poll(() => page.locator('[data-stat="backend"]').textContent()).toMatch(/^WASM · q8 · \d+ threads?$/);
    // 240 passages, each computed once.
    await expect.poll(() => stat('computed')).toBe(240);
    await screenshot(page, '1-indexed');

    const scores = await search('how do stars form');
    expect(scores).toHaveLength(8);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await expect.poll(() => stat('computed')).toBe(241);
    expect(await stat('tokens')).toBeGreaterThan(1000);
    expect(await page.locator('[data-stat="cost-text-embedding-3-small"]').textContent()).toMatch(/^\$0\.0+[1-9]\d*$/);
    await page.waitForFunction(() => (document.querySelector('#plot') as HTMLCanvasElement).width > 0);
    await screenshot(page, '2-searched');
  });

  it('answers a reload from the vector cache: nothing is computed and the model is not even loaded', async () => {
    await page.reload();
    await indexed();
    await page.waitForSelector('#results li');
    await expect.poll(() => stat('cached')).toBe(241);
    expect(await stat('computed')).toBe(0);
    expect(await page.locator('#model-progress .label').textContent()).toMatch(/not loaded: every vector came from the cache/);
    await screenshot(page, '3-reloaded-from-cache');
  });

  it('switches to a remote model through a key and proxy URL kept in memory only', async () => {
    providers.setKey('openai', 'sk-demo-test');
    await page.selectOption('#model', 'text-embedding-3-small');
    await page.waitForSelector('#remote-form:not([hidden])');
    expect(await page.locator('#remote-form .provider').textContent()).toBe('openai');
    await page.fill('#remote-form [name=apiKey]', 'sk-demo-test');
    await page.fill('#remote-form [name=baseURL]', `${providers.url}openai/v1`);
    await page.click('#remote-form button');
    await indexed();
    // The corpus (8 chunks of 32) and the query from the URL went to the provider, with the key.
    await page.waitForSelector('#results[data-model="text-embedding-3-small"] li');
    const sent = providers.requests.filter((r) => r.method === 'POST' && r.path === '/openai/v1/embeddings');
    expect(sent.length).toBeGreaterThanOrEqual(8);
    expect(sent.every((r) => r.headers.authorization === 'Bearer sk-demo-test')).toBe(true);
    expect(await page.locator('#index-progress .label').textContent()).toMatch(/· 1536-d$/);
    await expect.poll(() => page.locator('[data-stat="backend"]').textContent()).toBe('remote provider');
    expect(await page.locator('#remote-form [name=apiKey]').inputValue()).toBe('');
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    await screenshot(page, '4-remote-model');
  });

  // One retry: on a fresh clone vite may re-optimize dependencies during the first visit, so the
  // service worker's first precache can hold module URLs the page no longer uses.
  let offlineAttempt = 0;
  it('loads and searches with the network off after the first visit', { retry: 1 }, async () => {
    // A retry must search something new: the first attempt's query may already sit in the vector cache.
    offlineAttempt++;
    await context.setOffline(true);
    await page.reload();
    await indexed();
    // The server is unreachable (the service worker passes `/__*` through to the network).
    expect(await page.evaluate(() => fetch('/__offline-probe').then(() => 'reached', () => 'unreachable'))).toBe('unreachable');
    // A new query needs the model: its files come from the Cache API, the worker's scripts from the service worker.
    const scores = await search(offlineAttempt === 1 ? 'jazz improvisation' : 'improvised jazz solos');
    expect(scores).toHaveLength(8);
    await expect.poll(() => stat('computed')).toBe(1);
    expect(await progress('model-progress')).toBe(100);
    await screenshot(page, '5-offline');
  });

  it('answers /v1/embeddings from the service worker with the page\'s model, offline too', async () => {
    const body = await page.evaluate(async () => {
      const res = await fetch('/v1/embeddings', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'BAAI/bge-small-en-v1.5', input: ['a service worker route'] }),
      });
      return { status: res.status, json: await res.json() };
    });
    expect(body.status).toBe(200);
    expect(body.json.data[0].embedding).toHaveLength(32);
  });
});
