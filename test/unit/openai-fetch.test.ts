import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '../../src/client-options.js';
import { APIConnectionError, InternalServerError } from '../../src/errors.js';
import { CATALOGUE } from '../../src/models.js';
import { createOpenAIFetch, type EmbeddingsBackend } from '../../src/serve/openai-fetch.js';
import type { EmbeddingCreateParams } from '../../src/openai-types.js';
import { buildResponse } from '../../src/response.js';
import { validateRequest } from '../../src/validate.js';

const catalogue = buildCatalogue(CATALOGUE);
const bge = 'BAAI/bge-small-en-v1.5';
const BASE = 'https://inpage.local/v1';

/** The real validation and response building around deterministic vectors: everything but the worker. */
function fakeBackend(overrides: Partial<EmbeddingsBackend['embeddings']> = {}) {
  const calls: EmbeddingCreateParams[] = [];
  const backend: EmbeddingsBackend = {
    embeddings: {
      create: async (body) => {
        calls.push(body);
        const req = validateRequest(body, catalogue);
        const vectors = req.inputs.map((_, i) => new Float32Array([i + 1, 0, 0, 0]));
        return buildResponse({
          model: req.model, vectors, encodingFormat: req.encodingFormat, dimensions: req.dimensions, promptTokens: vectors.length,
        });
      },
      ...overrides,
    },
    models: {
      list: async () => ({
        object: 'list' as const,
        data: [...catalogue.values()].map((row) => ({ id: row.id, object: 'model' as const, created: 1, owned_by: row.ownedBy })),
      }),
    },
  };
  return { backend, calls };
}

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('createOpenAIFetch routing', () => {
  it('answers POST <anything>/embeddings with JSON, content-type and x-request-id', async () => {
    const f = createOpenAIFetch(fakeBackend().backend);
    for (const url of [`${BASE}/embeddings`, 'http://127.0.0.1:1/api/openai/v1/embeddings', new URL(`${BASE}/embeddings`)]) {
      const res = await f(url, post({ model: bge, input: 'hi' }));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
      expect((await res.json()).data[0].embedding).toEqual([1, 0, 0, 0]);
    }
  });

  it('reads method, headers and body from a Request, and from a Request with init', async () => {
    const f = createOpenAIFetch(fakeBackend().backend);
    const request = new Request(`${BASE}/embeddings`, post({ model: bge, input: ['a', 'b'] }));
    expect((await (await f(request)).json()).data).toHaveLength(2);
    const overridden = new Request(`${BASE}/embeddings`, post({ model: bge, input: 'x' }));
    expect((await (await f(overridden, post({ model: bge, input: ['a', 'b', 'c'] }))).json()).data).toHaveLength(3);
  });

  it('answers GET …/models and GET …/models/{id} for ids with a slash, encoded or not', async () => {
    const f = createOpenAIFetch(fakeBackend().backend);
    const list = await (await f(`${BASE}/models`)).json();
    expect(list.object).toBe('list');
    expect(list.data.map((m: { id: string }) => m.id)).toContain(bge);
    for (const path of [encodeURIComponent(bge), bge]) {
      const res = await f(`${BASE}/models/${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: bge, object: 'model' });
    }
    const missing = await f(`${BASE}/models/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({ code: 'model_not_found', param: 'model', type: 'invalid_request_error' });
  });

  it('answers a wrong method on a known route 405 with allow', async () => {
    const f = createOpenAIFetch(fakeBackend().backend);
    const res = await f(`${BASE}/embeddings`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await res.json()).error.code).toBe('method_not_allowed');
  });

  it('answers a body that is not JSON 400', async () => {
    const f = createOpenAIFetch(fakeBackend().backend);
    const res = await f(`${BASE}/embeddings`, { method: 'POST', body: '{"model":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { message: expect.stringContaining('could not parse the JSON body'), type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('sends other paths to the passthrough fetch untouched, or refuses them 404 without the network', async () => {
    const seen: Array<[RequestInfo | URL, RequestInit | undefined]> = [];
    const network: typeof fetch = async (input, init) => { seen.push([input, init]); return new Response('net'); };
    const init = { method: 'POST', body: 'x' };
    const res = await createOpenAIFetch(fakeBackend().backend, { passthrough: network })(`${BASE}/chat/completions`, init);
    expect(await res.text()).toBe('net');
    expect(seen).toEqual([[`${BASE}/chat/completions`, init]]);

    const refused = await createOpenAIFetch(fakeBackend().backend, { passthrough: false })(`${BASE}/chat/completions`, init);
    expect(refused.status).toBe(404);
    expect((await refused.json()).error).toMatchObject({ code: 'unknown_url', message: expect.stringContaining('POST /v1/chat/completions') });
  });

  it('uses the global fetch of its creation time, so globalThis.fetch = client.fetch cannot loop', async () => {
    const original = globalThis.fetch;
    globalThis.fetch = async () => new Response('original');
    try {
      const f = createOpenAIFetch(fakeBackend().backend);
      globalThis.fetch = f;
      expect(await (await f('https://example.invalid/other')).text()).toBe('original');
    } finally {
      globalThis.fetch = original;
    }
  });
});

describe('createOpenAIFetch errors and aborts', () => {
  it('gives an APIError its own status and body', async () => {
    const f = createOpenAIFetch(fakeBackend().backend);
    const res = await f(`${BASE}/embeddings`, post({ model: bge, input: '' }));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ type: 'invalid_request_error', param: 'input', code: null });
  });

  it('answers a status-less connection error 502, and any other throw 500 marked not to retry', async () => {
    const down = createOpenAIFetch(fakeBackend({
      create: async () => { throw new APIConnectionError(undefined, { message: 'provider unreachable', type: 'server_error' }); },
    }).backend);
    expect((await down(`${BASE}/embeddings`, post({ model: bge, input: 'a' }))).status).toBe(502);

    const bug = createOpenAIFetch(fakeBackend({ create: async () => { throw new TypeError('boom'); } }).backend);
    const res = await bug(`${BASE}/embeddings`, post({ model: bge, input: 'a' }));
    expect(res.status).toBe(500);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect((await res.json()).error).toEqual({
      message: expect.stringContaining('TypeError: boom'), type: 'server_error', param: null, code: null,
    });
  });

  it('rejects with the signal reason when aborted before or during the call, as fetch does', async () => {
    let release!: () => void;
    const slow = fakeBackend({ create: () => new Promise((resolve) => { release = () => resolve({} as never); }) });
    const f = createOpenAIFetch(slow.backend);
    await expect(f(`${BASE}/embeddings`, { ...post({ model: bge, input: 'a' }), signal: AbortSignal.abort() }))
      .rejects.toMatchObject({ name: 'AbortError' });
    const controller = new AbortController();
    const pending = f(`${BASE}/embeddings`, { ...post({ model: bge, input: 'a' }), signal: controller.signal });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    release();
  });
});

describe('the official openai SDK on createOpenAIFetch (Node)', () => {
  const sdk = (backend: EmbeddingsBackend, maxRetries?: number) =>
    new OpenAI({ apiKey: 'unused', baseURL: BASE, fetch: createOpenAIFetch(backend), maxRetries });

  it('asks for base64 by default, decodes it to number[], and keeps x-request-id as _request_id', async () => {
    const { backend, calls } = fakeBackend();
    const res = await sdk(backend).embeddings.create({ model: bge, input: ['a', 'b'] });
    expect(calls[0]).toEqual({ model: bge, input: ['a', 'b'], encoding_format: 'base64' });
    expect(res.data.map((d) => d.embedding)).toEqual([[1, 0, 0, 0], [2, 0, 0, 0]]);
    expect(res._request_id).toMatch(/^req_/);
  });

  it('raises its own error classes with status, param and code', async () => {
    const openai = sdk(fakeBackend().backend);
    await expect(openai.embeddings.create({ model: 'nope', input: 'a' })).rejects.toMatchObject({
      constructor: OpenAI.NotFoundError, status: 404, code: 'model_not_found', param: 'model',
    });
    await expect(openai.embeddings.create({ model: bge, input: [] as string[] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('retries a retryable 500 (a crashed worker) and succeeds; does not retry a 500 marked x-should-retry false', async () => {
    let n = 0;
    const flaky = fakeBackend({
      create: async (body) => {
        if (n++ === 0) throw new InternalServerError(500, { message: 'worker stopped', type: 'server_error', code: 'worker_crashed' });
        return fakeBackend().backend.embeddings.create(body);
      },
    });
    expect((await sdk(flaky.backend).embeddings.create({ model: bge, input: 'a' })).data).toHaveLength(1);
    expect(n).toBe(2);

    let bugs = 0;
    const bug = fakeBackend({ create: async () => { bugs++; throw new TypeError('boom'); } });
    await expect(sdk(bug.backend).embeddings.create({ model: bge, input: 'a' })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(bugs).toBe(1);
  });

  it('retrieves a model whose id holds a slash', async () => {
    expect(await sdk(fakeBackend().backend).models.retrieve(bge)).toMatchObject({ id: bge, object: 'model' });
  });
});
