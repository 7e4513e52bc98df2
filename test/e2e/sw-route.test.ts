/**
 * The service worker route in real Chromium, driven from Node: a vite dev server serves the e2e page and
 * a service worker built from src/sw.ts, the Hub-layout server serves the tiny bge model.
 */

import { type BrowserContext, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asNumbers, expectSameVectors } from '../fixtures/same-vectors.js';
import type { Fetched } from './sw-page/api.js';
import { openSwPage, startSwHarness, type SwHarness } from './sw-harness.js';

const MODEL = 'BAAI/bge-small-en-v1.5';

let h: SwHarness;
let dims: number;

beforeAll(async () => {
  h = await startSwHarness();
  dims = h.dims;
});

afterAll(async () => { await h?.close(); });

const open = (context: BrowserContext, query: { serve: boolean; sw?: string }): Promise<Page> => openSwPage(h, context, query);

const jsonInit = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});

function call(page: Page, path: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Fetched> {
  return page.evaluate(([p, i]) => window.e2e.call(p, i), [path, init] as const);
}

function create(page: Page, body: unknown): Promise<string> {
  return page.evaluate((b) => window.e2e.create(b), body);
}

/**
 * Assert two response bodies equal, vectors up to float rounding: two computations of the same texts may
 * batch them differently. Everything else must match exactly.
 */
function expectSameResponse(got: string, want: string): void {
  type Body = { data: Array<{ embedding: number[] | string }> };
  const [a, b] = [JSON.parse(got) as Body, JSON.parse(want) as Body];
  const strip = (x: Body) => ({ ...x, data: x.data.map((d) => ({ ...d, embedding: typeof d.embedding })) });
  expect(strip(a)).toEqual(strip(b));
  expectSameVectors(a.data.map((d) => asNumbers(d.embedding)), b.data.map((d) => asNumbers(d.embedding)));
}

const errorOf = (f: Fetched) => (JSON.parse(f.text) as { error: Record<string, unknown> }).error;

describe('the service worker route with no page serving models', { timeout: 180_000 }, () => {
  it('answers 503 no_model_page after waiting for a page to appear, without CORS headers unless configured', async () => {
    const context = await h.browser.newContext();
    const page = await open(context, { serve: false, sw: 'wait=800' });
    const res = await call(page, '/v1/embeddings', jsonInit({ model: MODEL, input: 'anyone?' }));
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-should-retry']).toBe('false');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(errorOf(res)).toMatchObject({ type: 'server_error', param: null, code: 'no_model_page' });
    expect(res.ms).toBeGreaterThanOrEqual(750);
    await context.close();
  });
});

// One context, so the model loads once: a page without a model opens first, the model page joins it.
// Last in the file: its offline test closes both servers.
describe('the service worker route with a page serving the model (token and CORS configured)', { timeout: 180_000 }, () => {
  let context: BrowserContext;
  let modelPage: Page;
  const sw = 'token=s3cret&cors=*&wait=20000';
  const auth = { authorization: 'Bearer s3cret' };
  const floatBody = { model: MODEL, input: ['a first text', 'and a second, longer one'] };
  const base64Body = { ...floatBody, encoding_format: 'base64' };
  let onlineBytes: string;

  beforeAll(async () => { context = await h.browser.newContext(); });
  afterAll(() => context?.close());

  it('serves a request from a page without a model once a model page opens within the wait', async () => {
    const plain = await open(context, { serve: false, sw });
    const body = { model: MODEL, input: 'late page' };
    const pending = call(plain, '/v1/embeddings', jsonInit(body, auth));
    // Opened under the service worker's control, so its shell cache holds every module for the offline test.
    modelPage = await open(context, { serve: true, sw });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.text).toBe(await create(modelPage, body));
    await plain.close();
  });

  it('answers fetch("/v1/embeddings") with the same response as client.embeddings.create', async () => {
    const direct = await create(modelPage, floatBody);
    const viaSw = await call(modelPage, '/v1/embeddings', jsonInit(floatBody, auth));
    expect(viaSw.status).toBe(200);
    expect(viaSw.headers['content-type']).toBe('application/json');
    expect(viaSw.headers['x-request-id']).toMatch(/^req_/);
    expect(viaSw.headers['access-control-allow-origin']).toBe('*');
    expectSameResponse(viaSw.text, direct);
    expect(JSON.parse(viaSw.text).data[0].embedding).toHaveLength(dims);
    onlineBytes = await create(modelPage, base64Body);
    expectSameResponse((await call(modelPage, '/v1/embeddings', jsonInit(base64Body, auth))).text, onlineBytes);
  });

  it('serves another page of the site, GET /v1/models and errors', async () => {
    const other = await open(context, { serve: false, sw });
    expectSameResponse((await call(other, '/v1/embeddings', jsonInit(floatBody, auth))).text, await create(modelPage, floatBody));
    const models = await call(other, '/v1/models', { headers: auth });
    expect(models.status).toBe(200);
    expect(JSON.parse(models.text).data.map((m: { id: string }) => m.id)).toContain(MODEL);
    const one = await call(other, `/v1/models/${encodeURIComponent(MODEL)}`, { headers: auth });
    expect(JSON.parse(one.text)).toMatchObject({ id: MODEL, object: 'model' });
    const bad = await call(other, '/v1/embeddings', jsonInit({ model: MODEL, input: '' }, auth));
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toMatchObject({ param: 'input', type: 'invalid_request_error' });
    await other.close();
  });

  it('answers a missing or wrong bearer token 401 invalid_api_key', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
      const denied = await call(modelPage, '/v1/embeddings', jsonInit(floatBody, headers));
      expect(denied.status).toBe(401);
      expect(errorOf(denied)).toMatchObject({ type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
      expect(denied.headers['access-control-allow-origin']).toBe('*');
    }
  });

  it('answers OPTIONS with CORS headers', async () => {
    const preflight = await modelPage.evaluate(async () => {
      const res = await fetch('/v1/embeddings', { method: 'OPTIONS' });
      return { status: res.status, headers: Object.fromEntries(res.headers) };
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS' });
  });

  it('answers offline, with the model reloaded from the Cache API, the same response as online', async () => {
    // The network is gone for the page and both servers are closed: everything must come from caches.
    await context.setOffline(true);
    await h.closeOnce('hub', () => h.hub.close());
    await h.closeOnce('vite', () => h.vite.close());
    await modelPage.reload();
    await modelPage.evaluate(() => window.e2e.ready);
    const viaSw = await call(modelPage, '/v1/embeddings', jsonInit(base64Body, auth));
    expect(viaSw.status).toBe(200);
    expectSameResponse(viaSw.text, onlineBytes);
    expect(await modelPage.evaluate(async () => (await caches.keys()).includes('transformers-cache'))).toBe(true);
  });
});
