import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCatalogue, type ClientOptions } from '../../src/client-options.js';
import { InPageEmbeddings } from '../../src/embedder.js';
import {
  APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, AuthenticationError, BadRequestError,
  ConflictError, InternalServerError, RateLimitError, UnprocessableEntityError,
} from '../../src/errors.js';
import { CATALOGUE, type RemoteModelRow } from '../../src/models.js';
import { estimateTokens, planParts } from '../../src/remote/remote-batches.js';
import { RemoteClient, type RemoteProviderOptions } from '../../src/remote/index.js';
import { redact } from '../../src/remote/remote-providers.js';
import { retryDelayMs } from '../../src/remote/remote-retry.js';
import { expectedVector, fakeTokens, startFakeProviders, type FakeProviders, type Route } from '../fixtures/fake-providers.js';

const KEY = 'sk-test-SECRET0123456789abcdefXYZ';
let fake: FakeProviders;
let foreign: FakeProviders;
/** Measured retry timings (ms), printed at the end for the closing note. */
const timings: Record<string, number | number[]> = {};

beforeAll(async () => {
  fake = await startFakeProviders();
  foreign = await startFakeProviders();
});
afterAll(async () => {
  console.info('remote retry timings (ms):', JSON.stringify(timings));
  await Promise.all([fake.close(), foreign.close()]);
});
beforeEach(() => {
  fake.reset();
  foreign.reset();
  for (const r of ['openai', 'baichuan', 'zhipu', 'compat'] as Route[]) fake.setKey(r, undefined);
});

const baseURL = (route: Route, server = fake) => `${server.url}${route === 'zhipu' ? 'zhipu/api/paas/v4' : `${route}/v1`}`;
const row = (id: string) => CATALOGUE.find((r) => r.id === id) as RemoteModelRow;
const small = row('text-embedding-3-small');
/** A row on the generic OpenAI-compatible route. */
const compatRow = (over: Partial<RemoteModelRow> = {}): RemoteModelRow => ({
  id: 'my-model', route: 'remote', ownedBy: 'user', provider: 'compat', providerModel: 'my-model', dims: 384,
  maxTokens: 512, pricePerMillion: 0, nativeDimensions: false, base64: true, maxInputsPerRequest: 32,
  maxTokensPerRequest: 100_000, ...over,
});

function remote(options: Partial<Record<string, RemoteProviderOptions>> = {}, random?: () => number): RemoteClient {
  const all: Record<string, RemoteProviderOptions> = {
    openai: { apiKey: KEY, baseURL: baseURL('openai') },
    baichuan: { apiKey: KEY, baseURL: baseURL('baichuan') },
    zhipu: { apiKey: KEY, baseURL: baseURL('zhipu') },
    compat: { apiKey: KEY, baseURL: baseURL('compat') },
  };
  for (const [name, o] of Object.entries(options)) all[name] = { ...all[name], ...o };
  return new RemoteClient(all, { random });
}

async function rejection(p: Promise<unknown>): Promise<APIError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof APIError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

const posts = (server = fake) => server.requests.filter((r) => r.method === 'POST');
const bodies = (server = fake) => posts(server).map((r) => r.body as Record<string, unknown>);

function expectVectors(actual: Float32Array[], model: string, inputs: Array<string | number[]>, dims: number, dimensions?: number) {
  expect(actual.length).toBe(inputs.length);
  let worst = 0;
  actual.forEach((v, i) => {
    const e = expectedVector(model, inputs[i], dims, dimensions);
    if (v.length !== e.length) throw new Error(`vector ${i}: ${v.length} values, expected ${e.length}`);
    for (let k = 0; k < e.length; k++) worst = Math.max(worst, Math.abs(v[k] - e[k]));
  });
  expect(worst).toBeLessThan(1e-6);
}

describe('RemoteClient on the wire', () => {
  it('asks OpenAI for base64 with native dimensions, the key and an explicit encoding_format', async () => {
    const inputs = ['hello', 'world'];
    const out = await remote().embed(small, inputs, { dimensions: 256, user: 'u1' });
    expectVectors(out.vectors, 'text-embedding-3-small', inputs, 1536, 256);
    expect(out.tokens).toBe(fakeTokens('hello') + fakeTokens('world'));
    const [req] = posts();
    expect(req.path).toBe('/openai/v1/embeddings');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({
      model: 'text-embedding-3-small', input: inputs, encoding_format: 'base64', dimensions: 256, user: 'u1',
    });
  });

  it('decodes base64 to exactly the floats a float answer gives', async () => {
    const inputs = ['same text', 'другой текст', '同じ'];
    const b64 = await remote().embed(small, inputs, {});
    const floats = await remote().embed({ ...small, base64: false }, inputs, {});
    expect(bodies().map((b) => b.encoding_format)).toEqual(['base64', 'float']);
    b64.vectors.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(floats.vectors[i])));
  });

  it('sends float to Baichuan and zhipu, maps zhipu-embedding-2 to embedding-2, and never forwards emulated dimensions', async () => {
    const client = remote();
    const b = await client.embed(row('Baichuan-Text-Embedding'), ['百川'], {});
    const z = await client.embed(row('zhipu-embedding-2'), ['智谱'], { dimensions: 256 });
    expectVectors(b.vectors, 'Baichuan-Text-Embedding', ['百川'], 1024);
    expectVectors(z.vectors, 'embedding-2', ['智谱'], 1024);
    expect(bodies()).toEqual([
      { model: 'Baichuan-Text-Embedding', input: ['百川'], encoding_format: 'float' },
      { model: 'embedding-2', input: ['智谱'], encoding_format: 'float' },
    ]);
  });

  it('accepts floats from a server that ignores encoding_format: base64', async () => {
    fake.script({ kind: 'floats' });
    const out = await remote().embed(small, ['x', 'y'], {});
    expect(bodies()[0].encoding_format).toBe('base64');
    expectVectors(out.vectors, 'text-embedding-3-small', ['x', 'y'], 1536);
  });

  it('forwards token arrays as they are', async () => {
    const out = await remote().embed(row('text-embedding-ada-002'), [[1, 2, 3], [4]], {});
    expect(bodies()[0].input).toEqual([[1, 2, 3], [4]]);
    expectVectors(out.vectors, 'text-embedding-ada-002', [[1, 2, 3], [4]], 1536);
    expect(out.tokens).toBe(4);
  });
});

describe('splitting and joining', () => {
  it('splits 5000 inputs over 2048-input requests and rejoins them in order with summed usage', async () => {
    const inputs = Array.from({ length: 5000 }, (_, i) => `text number ${i} ${'x'.repeat(i % 7)}`);
    const out = await remote().embed(row('text-embedding-ada-002'), inputs, {});
    expect(posts().map((r) => (r.body as { input: string[] }).input.length)).toEqual([2048, 2048, 904]);
    expectVectors(out.vectors, 'text-embedding-ada-002', inputs, 1536);
    expect(out.tokens).toBe(inputs.reduce((n, s) => n + fakeTokens(s), 0));
  });

  it('splits by the estimated token budget (UTF-8 bytes + 2, capped at the model limit)', async () => {
    expect(estimateTokens('abc', 512)).toBe(5);
    expect(estimateTokens('智谱', 512)).toBe(8);
    expect(estimateTokens('x'.repeat(5000), 512)).toBe(512);
    expect(estimateTokens([1, 2, 3], 512)).toBe(3);
    const inputs = Array.from({ length: 25 }, (_, i) => `${String(i).padStart(2, '0')}${'a'.repeat(96)}`); // 98 bytes → 100
    await remote({ compat: { maxConcurrency: 1 } }).embed(compatRow({ maxTokensPerRequest: 1000 }), inputs, {});
    expect(bodies().map((b) => (b.input as string[]).length)).toEqual([10, 10, 5]);
    expect(bodies().flatMap((b) => b.input as string[])).toEqual(inputs);
  });

  it("keeps zhipu's 8192-token requests under budget where one request would be refused", async () => {
    // ~451 tokens each on the server, 1800+ bytes: the estimate is capped at the model's 512.
    const inputs = Array.from({ length: 64 }, (_, i) => `${i} ${'长'.repeat(600)}`);
    const out = await remote({ zhipu: { maxConcurrency: 1 } }).embed(row('zhipu-embedding-2'), inputs, {});
    expect(bodies().map((b) => (b.input as string[]).length)).toEqual([16, 16, 16, 16]);
    expectVectors(out.vectors, 'embedding-2', inputs, 1024);
  });

  it('sends strings and token arrays in separate requests, in order', async () => {
    const inputs = ['a', [1, 2], [3], 'b'];
    const out = await remote().embed(small, inputs, {});
    expect(bodies().map((b) => b.input)).toEqual([['a'], [[1, 2], [3]], ['b']]);
    expectVectors(out.vectors, 'text-embedding-3-small', inputs, 1536);
    expect(planParts(['a', 'b', 'c'], 2, 1e9, 512)).toEqual([{ start: 0, end: 2 }, { start: 2, end: 3 }]);
  });

  it('keeps at most maxConcurrency requests in flight', async () => {
    fake.script(...Array.from({ length: 12 }, () => ({ kind: 'delay' as const, ms: 60 })));
    const client = remote({ compat: { maxConcurrency: 3, maxInputsPerRequest: 1 } });
    const inputs = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const out = await client.embed(compatRow(), inputs, {});
    expect(posts()).toHaveLength(12);
    expect(fake.maxInFlight).toBe(3);
    expectVectors(out.vectors, 'my-model', inputs, 384);
  });

  it('spaces request starts by requestsPerSecond, shared across calls', async () => {
    const client = remote({ compat: { requestsPerSecond: 20, maxInputsPerRequest: 1, maxConcurrency: 8 } });
    await Promise.all([
      client.embed(compatRow(), ['r0', 'r1', 'r2', 'r3'], {}),
      client.embed(compatRow(), ['r4', 'r5', 'r6', 'r7'], {}),
    ]);
    const at = posts().map((r) => r.at).sort((a, b) => a - b);
    const gaps = at.slice(1).map((t, i) => Math.round(t - at[i]));
    timings.rateLimiterGapsAt20rps = gaps;
    expect(at).toHaveLength(8);
    expect(at[7] - at[0]).toBeGreaterThanOrEqual(7 * 50 - 15);
    // Starts are 50 ms apart at the client; arrival adds a few ms of jitter either way.
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(20);
  });
});

describe('retries and failures', () => {
  it('retries a 429 after its retry-after (seconds), then succeeds', async () => {
    fake.script({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const t0 = performance.now();
    const out = await remote().embed(small, ['rate'], {});
    const elapsed = performance.now() - t0;
    timings.retryAfter1s = Math.round(elapsed);
    expect(out.vectors).toHaveLength(1);
    expect(posts()).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(1500);
  });

  it('honours retry-after-ms before retry-after', async () => {
    fake.script({ kind: 'status', status: 429, headers: { 'retry-after-ms': '150', 'retry-after': '30' } });
    const t0 = performance.now();
    await remote().embed(small, ['rate-ms'], {});
    const elapsed = performance.now() - t0;
    timings.retryAfterMs150 = Math.round(elapsed);
    expect(elapsed).toBeGreaterThanOrEqual(145);
    expect(elapsed).toBeLessThan(600);
  });

  it('retries 500 twice with jittered 0.5 s × 2^n backoff, then succeeds', async () => {
    fake.script({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const out = await remote().embed(small, ['flaky'], {});
    expectVectors(out.vectors, 'text-embedding-3-small', ['flaky'], 1536);
    const at = posts().map((r) => r.at);
    const gaps = [at[1] - at[0], at[2] - at[1]].map(Math.round);
    timings.backoff500x2 = gaps;
    expect(at).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(370);
    expect(gaps[0]).toBeLessThan(650);
    expect(gaps[1]).toBeGreaterThanOrEqual(745);
    expect(gaps[1]).toBeLessThan(1150);
    expect(retryDelayMs(undefined, 0, () => 0)).toBe(500);
    expect(retryDelayMs(undefined, 10, () => 1)).toBe(6000);
    expect(retryDelayMs(new Headers({ 'retry-after': '120' }), 0, () => 0)).toBe(500);
  });

  it('gives up after maxRetries with the last error and the provider message', async () => {
    const body = { error: { message: 'The server had an error processing your request.', type: 'server_error', param: null, code: null } };
    fake.script(...[0, 1, 2].map(() => ({ kind: 'status' as const, status: 503, body, headers: { 'retry-after-ms': '0' } })));
    const err = await rejection(remote().embed(small, ['down'], {}));
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err.status).toBe(503);
    expect(err.message).toBe(body.error.message);
    expect(err.toJSON()).toEqual(body);
    expect(posts()).toHaveLength(3);
  });

  it('retries 408 and 409, not 400; x-should-retry overrides the status both ways', async () => {
    const fast = { 'retry-after-ms': '0' };
    fake.script({ kind: 'status', status: 408, headers: fast }, { kind: 'status', status: 409, headers: fast });
    await remote().embed(small, ['a'], {});
    expect(posts()).toHaveLength(3);

    fake.reset();
    fake.script({ kind: 'status', status: 400 });
    expect(await rejection(remote().embed(small, ['b'], {}))).toBeInstanceOf(BadRequestError);
    expect(posts()).toHaveLength(1);

    fake.reset();
    fake.script({ kind: 'status', status: 400, headers: { ...fast, 'x-should-retry': 'true' } });
    await remote().embed(small, ['c'], {});
    expect(posts()).toHaveLength(2);

    fake.reset();
    fake.script({ kind: 'status', status: 503, headers: { 'x-should-retry': 'false' } });
    expect(await rejection(remote().embed(small, ['d'], {}))).toBeInstanceOf(InternalServerError);
    expect(posts()).toHaveLength(1);

    fake.reset();
    fake.script(...[0, 1].map(() => ({ kind: 'status' as const, status: 409, headers: fast })));
    expect(await rejection(remote().embed(small, ['e'], { maxRetries: 1 }))).toBeInstanceOf(ConflictError);
    expect(posts()).toHaveLength(2);
  });

  it('turns a 401 into AuthenticationError with the provider message, not retried', async () => {
    fake.setKey('openai', 'sk-the-real-key-00000000');
    const err = await rejection(remote().embed(small, ['auth'], {}));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.code).toBe('invalid_api_key');
    expect(err.message).toMatch(/^Incorrect API key provided: \[redacted\]\. You can find your API key/);
    expect(posts()).toHaveLength(1);
  });

  it("maps zhipu, Baichuan and TEI error bodies into OpenAI's shape", async () => {
    const client = remote();
    fake.script({ kind: 'status', status: 400, route: 'zhipu', body: { error: { code: '1211', message: '模型不存在，请检查模型代码。' } } });
    const z = await rejection(client.embed(row('zhipu-embedding-2'), ['x'], {}));
    expect(z).toBeInstanceOf(BadRequestError);
    expect(z.toJSON()).toEqual({ error: { message: '模型不存在，请检查模型代码。', type: 'invalid_request_error', param: null, code: '1211' } });

    fake.script({ kind: 'status', status: 401, route: 'baichuan', body: { code: 10001, msg: 'Invalid API key' } });
    const b1 = await rejection(client.embed(row('Baichuan-Text-Embedding'), ['x'], {}));
    expect(b1).toBeInstanceOf(AuthenticationError);
    expect(b1.toJSON().error).toMatchObject({ message: 'Invalid API key', code: '10001' });

    fake.script({ kind: 'status', status: 429, route: 'baichuan', headers: { 'x-should-retry': 'false' },
      body: { error: { code: 'rate_limit', message: '请求过于频繁', type: 'rate_limit_error' } } });
    const b2 = await rejection(client.embed(row('Baichuan-Text-Embedding'), ['x'], {}));
    expect(b2).toBeInstanceOf(RateLimitError);
    expect(b2.toJSON().error).toEqual({ message: '请求过于频繁', type: 'rate_limit_error', param: null, code: 'rate_limit' });

    fake.script({ kind: 'status', status: 422, route: 'compat', body: { error: 'Input validation error: `inputs` must have less than 512 tokens', error_type: 'Validation' } });
    const t = await rejection(client.embed(compatRow(), ['x'], {}));
    expect(t).toBeInstanceOf(UnprocessableEntityError);
    expect(t.toJSON().error).toMatchObject({ message: expect.stringContaining('Input validation error'), type: 'Validation' });

    fake.script({ kind: 'status', status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    const h = await rejection(client.embed(small, ['x'], { maxRetries: 0 }));
    expect(h).toBeInstanceOf(InternalServerError);
    expect(h.message).toBe('502: <html><body><h1>502 Bad Gateway</h1></body></html>');
  });

  it('answers a provider that rejects >2048 inputs in one request as a 400, never silently', async () => {
    const client = remote({ openai: { maxInputsPerRequest: 3000 } });
    const err = await rejection(client.embed(small, Array.from({ length: 2500 }, (_, i) => `t${i}`), {}));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toMatch(/2048 items or less/);
  });

  it('times out a hanging request with APIConnectionTimeoutError', async () => {
    fake.script({ kind: 'hang' });
    const t0 = performance.now();
    const err = await rejection(remote().embed(small, ['hang'], { timeout: 200, maxRetries: 0 }));
    const elapsed = performance.now() - t0;
    timings.timeout200 = Math.round(elapsed);
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
    expect(err.message).toMatch(/did not answer within 200 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(elapsed).toBeLessThan(700);
  });

  it('retries a timed-out attempt after the backoff and succeeds', async () => {
    fake.script({ kind: 'hang' });
    const t0 = performance.now();
    const out = await remote({ openai: { timeout: 200, maxRetries: 1 } }, () => 0).embed(small, ['slow'], {});
    const elapsed = performance.now() - t0;
    timings.timeout200ThenBackoff500 = Math.round(elapsed);
    expect(out.vectors).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(695);
    expect(elapsed).toBeLessThan(1300);
  });

  it('retries a reset connection, and throws APIConnectionError when resets persist', async () => {
    fake.script({ kind: 'reset' });
    const ok = await remote({}, () => 1).embed(small, ['reset'], {});
    expect(ok.vectors).toHaveLength(1);
    expect(posts()).toHaveLength(2);

    fake.reset();
    fake.script({ kind: 'reset' }, { kind: 'reset' });
    const err = await rejection(remote({}, () => 1).embed(small, ['reset'], { maxRetries: 1 }));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(err.message).toMatch(/^Connection error: The openai API at http:\/\/127\.0\.0\.1:\d+ could not be reached/);
    expect(posts()).toHaveLength(2);
  });

  it('rejects malformed JSON, wrong vector lengths and NaN (floats and base64) with a typed error, not retried', async () => {
    const cases: Array<[Parameters<FakeProviders['script']>[0], RemoteModelRow, RegExp]> = [
      [{ kind: 'malformed' }, small, /the body is not JSON/],
      [{ kind: 'wrong-length' }, small, /data\[1\]\.embedding has 1535 values, expected 1536/],
      [{ kind: 'wrong-length', route: 'zhipu' }, row('zhipu-embedding-2'), /has 1023 values, expected 1024/],
      [{ kind: 'nan', route: 'zhipu' }, row('zhipu-embedding-2'), /data\[0\]\.embedding\[0\] is null/],
      [{ kind: 'nan' }, small, /data\[0\]\.embedding\[0\] is NaN/],
    ];
    for (const [fault, r, message] of cases) {
      fake.reset();
      fake.script(fault);
      const err = await rejection(remote().embed(r, ['one', 'two'], {}));
      expect(err).toBeInstanceOf(InternalServerError);
      expect(err.status).toBe(502);
      expect(err.code).toBe('bad_provider_response');
      expect(err.message).toMatch(message);
      expect(posts()).toHaveLength(1);
    }
    // The requested width is checked where the provider computes `dimensions`.
    fake.reset();
    const err = await rejection(remote().embed({ ...small, nativeDimensions: true }, ['w'], { dimensions: 1536 + 1 }));
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err.message).toMatch(/expected 1537/);
  });

  it('aborts before sending, during a request and during a backoff with APIUserAbortError', async () => {
    const before = new AbortController();
    before.abort();
    expect(await rejection(remote().embed(small, ['a'], { signal: before.signal }))).toBeInstanceOf(APIUserAbortError);
    expect(posts()).toHaveLength(0);

    fake.script({ kind: 'hang' });
    const during = new AbortController();
    setTimeout(() => during.abort(), 100);
    let t0 = performance.now();
    expect(await rejection(remote().embed(small, ['b'], { signal: during.signal }))).toBeInstanceOf(APIUserAbortError);
    expect(performance.now() - t0).toBeLessThan(600);

    fake.script({ kind: 'status', status: 429, headers: { 'retry-after': '5' } });
    const backoff = new AbortController();
    setTimeout(() => backoff.abort(), 100);
    t0 = performance.now();
    expect(await rejection(remote().embed(small, ['c'], { signal: backoff.signal }))).toBeInstanceOf(APIUserAbortError);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('stops the other parts when one fails for good', async () => {
    fake.script({ kind: 'status', status: 400, route: 'compat' }, ...Array.from({ length: 5 }, () => ({ kind: 'hang' as const })));
    const client = remote({ compat: { maxInputsPerRequest: 1, maxConcurrency: 2 } });
    const t0 = performance.now();
    const err = await rejection(client.embed(compatRow(), ['a', 'b', 'c', 'd', 'e', 'f'], {}));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(posts().length).toBeLessThanOrEqual(2);
  });
});

describe('key safety', () => {
  it('refuses a redirect, so the key never reaches another origin', async () => {
    for (const status of [302, 307, 308]) {
      fake.script({ kind: 'redirect', status, location: `${baseURL('openai', foreign)}/embeddings` });
      const err = await rejection(remote().embed(small, ['r'], {}));
      expect(err.code).toBe('redirect_refused');
      expect(err.message).toMatch(/set remote\.openai\.baseURL to the final address/);
    }
    expect(posts().filter((r) => r.route === 'openai')).toHaveLength(3);
    expect(foreign.requests).toHaveLength(0);
  });

  it('redacts the key and header credentials from every error message', async () => {
    const zhipuKey = 'a1b2c3d4e5f6a7b8.Zq9Xw8Vu7Ts6Rp5O';
    const client = remote({ zhipu: { apiKey: zhipuKey }, compat: { headers: { 'x-api-key': 'hdr-credential-42-abcdef' } } });
    const errors: APIError[] = [];
    fake.setKey('openai', 'sk-other-key-0000000000');
    errors.push(await rejection(client.embed(small, ['a'], {})));
    fake.setKey('openai', undefined);
    fake.script({ kind: 'status', status: 500, text: `<pre>Authorization: Bearer ${KEY}</pre>` });
    errors.push(await rejection(client.embed(small, ['b'], { maxRetries: 0 })));
    fake.script({ kind: 'status', status: 400, route: 'baichuan', body: { code: 10001, msg: `key ${KEY} is not valid` } });
    errors.push(await rejection(client.embed(row('Baichuan-Text-Embedding'), ['c'], {})));
    fake.script({ kind: 'status', status: 401, route: 'zhipu', body: { error: { code: '1000', message: `令牌 ${zhipuKey} 无效; id ${zhipuKey.split('.')[0]}` } } });
    errors.push(await rejection(client.embed(row('zhipu-embedding-2'), ['d'], {})));
    fake.script({ kind: 'status', status: 403, route: 'compat', body: { detail: 'x-api-key hdr-credential-42-abcdef forbidden' } });
    errors.push(await rejection(client.embed(compatRow(), ['e'], {})));
    fake.script({ kind: 'status', status: 200, route: 'compat', text: `oops ${KEY} hdr-credential-42-abcdef` });
    errors.push(await rejection(client.embed(compatRow(), ['f'], {})));
    const fromFn = new RemoteClient({ compat: { baseURL: baseURL('compat'), headers: () => { throw new Error('token tok-fn-secret-9876 expired'); } } });
    // A credential a headers function returns is scrubbed too.
    const tokenFn = new RemoteClient({ compat: { baseURL: baseURL('compat'), headers: () => ({ authorization: 'Token tok-fn-secret-9876' }) } });
    fake.script({ kind: 'status', status: 401, route: 'compat', body: { error: 'bad token tok-fn-secret-9876' } });
    errors.push(await rejection(tokenFn.embed(compatRow(), ['g'], {})));
    errors.push(await rejection(fromFn.embed(compatRow(), ['h'], {})));

    expect(errors.map((e) => e.constructor.name)).toEqual([
      'AuthenticationError', 'InternalServerError', 'BadRequestError', 'AuthenticationError', 'PermissionDeniedError',
      'InternalServerError', 'AuthenticationError', 'APIError',
    ]);
    for (const err of errors) {
      for (const secret of [KEY, zhipuKey, ...zhipuKey.split('.'), 'hdr-credential-42-abcdef', 'tok-fn-secret-9876']) {
        expect(err.message).not.toContain(secret);
        expect(JSON.stringify(err)).not.toContain(secret);
        expect(JSON.stringify(err.toJSON())).not.toContain(secret);
        expect(String(err.stack)).not.toContain(secret);
      }
    }
    for (const err of errors.slice(0, -1)) expect(err.message).toContain('[redacted]');
    expect(errors[7].message).toBe('remote.compat.headers() threw Error; no request was sent.');
    // The token a function returned is scrubbed from the error it caused.
    expect(errors[6].message).toBe('bad token [redacted]');
    expect(JSON.stringify(client)).not.toContain(KEY);
  });

  it('scrubs Bearer tokens and sk- keys it was never told about', () => {
    expect(redact('Authorization: Bearer abcdefgh12345678', [])).toBe('Authorization: Bearer [redacted]');
    expect(redact('Incorrect API key provided: sk-proj-ab****wxyz.', [])).toBe('Incorrect API key provided: [redacted].');
    expect(redact('using Bearer auth', [])).toBe('using Bearer auth');
  });

  it('calls a headers function before every attempt and sends its short-lived token', async () => {
    let n = 0;
    const client = new RemoteClient({ compat: { baseURL: baseURL('compat'), headers: async () => ({ authorization: `Bearer short-lived-${++n}` }) } });
    fake.script({ kind: 'status', status: 500, route: 'compat', headers: { 'retry-after-ms': '0' } });
    await client.embed(compatRow(), ['p'], {});
    expect(posts().map((r) => r.headers.authorization)).toEqual(['Bearer short-lived-1', 'Bearer short-lived-2']);
  });

  it('sends no Authorization at all to a proxy configured without a key', async () => {
    await new RemoteClient({ openai: { baseURL: `${baseURL('openai')}/` } }).embed(small, ['proxy'], {});
    expect(posts()[0].path).toBe('/openai/v1/embeddings');
    expect(posts()[0].headers.authorization).toBeUndefined();
  });

  it('refuses a baseURL with credentials in it, or a custom provider without a baseURL', () => {
    expect(() => new RemoteClient({ openai: { baseURL: 'https://u:p@example.com/v1' } })).toThrow(/must not carry credentials/);
    expect(() => new RemoteClient({ mine: { apiKey: 'k' } })).toThrow(/remote\.mine: set baseURL/);
  });
});

describe('through InPageEmbeddings', () => {
  const options = (extra: Partial<ClientOptions> = {}) => ({
    cache: false,
    remote: { openai: { apiKey: KEY, baseURL: baseURL('openai') }, zhipu: { apiKey: KEY, baseURL: baseURL('zhipu') } },
    ...extra,
  }) as ClientOptions;

  it('answers remote models in the same response shape, with the id the caller asked for', async () => {
    const client = new InPageEmbeddings(options());
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 64, encoding_format: 'base64' });
    expect(res.model).toBe('text-embedding-3-small');
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    const bytes = Buffer.from(res.data[1].embedding as string, 'base64');
    const v = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expectVectors([v], 'text-embedding-3-small', ['b'], 1536, 64);
    expect(res.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });

    const z = await client.embeddings.create({ model: 'zhipu-embedding-2', input: '你好' });
    expect(z.model).toBe('zhipu-embedding-2');
    expect((z.data[0].embedding as number[]).length).toBe(1024);
    expect(bodies().map((b) => b.model)).toEqual(['text-embedding-3-small', 'embedding-2']);
    expect(client.usage().byModel['zhipu-embedding-2'].remoteTokens).toBe(fakeTokens('你好'));
  });

  it('passes per-call maxRetries and signal through', async () => {
    const client = new InPageEmbeddings(options());
    fake.script({ kind: 'status', status: 500 });
    const err = await rejection(client.embeddings.create({ model: 'text-embedding-3-large', input: 'x' }, { maxRetries: 0 }));
    expect(err).toBeInstanceOf(InternalServerError);
    expect(posts()).toHaveLength(1);
    const ac = new AbortController();
    ac.abort();
    expect(await rejection(client.embeddings.create({ model: 'text-embedding-3-large', input: 'x' }, { signal: ac.signal })))
      .toBeInstanceOf(APIUserAbortError);
  });

  it('answers 400 remote_not_configured naming the option to set', async () => {
    const err = await rejection(new InPageEmbeddings({ cache: false } as ClientOptions).embeddings.create({ model: 'Baichuan-Text-Embedding', input: 'x' }));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.code).toBe('remote_not_configured');
    expect(err.param).toBe('model');
    expect(err.message).toMatch(/remote: \{ "baichuan": \{ baseURL: '<your proxy>\/v1' \} \}/);
    expect(err.message).toMatch(/apiKey/);
  });

  it("routes a local catalogue model to the user's own server through the models option", async () => {
    const client = new InPageEmbeddings(options({
      remote: { 'my-tei': { baseURL: baseURL('compat') } },
      models: [{
        id: 'BAAI/bge-m3', route: 'remote', provider: 'my-tei', providerModel: 'BAAI/bge-m3', nativeDimensions: false,
        base64: true, maxInputsPerRequest: 32, maxTokensPerRequest: 100000,
      }],
    }));
    const inputs = Array.from({ length: 40 }, (_, i) => `doc ${i}`);
    const res = await client.embeddings.create({ model: 'BAAI/bge-m3', input: inputs });
    expect(res.model).toBe('BAAI/bge-m3');
    expectVectors(res.data.map((d) => Float32Array.from(d.embedding as number[])), 'BAAI/bge-m3', inputs, 1024);
    expect(bodies().map((b) => [b.model, b.encoding_format, (b.input as string[]).length]))
      .toEqual([['BAAI/bge-m3', 'base64', 32], ['BAAI/bge-m3', 'base64', 8]]);
  });

  it('builds a valid remote row from a partial override, dropping local-only fields', () => {
    const catalogue = buildCatalogue(CATALOGUE, [{ id: 'BAAI/bge-m3', route: 'remote', provider: 'tei' }]);
    expect(catalogue.get('BAAI/bge-m3')).toEqual({
      id: 'BAAI/bge-m3', route: 'remote', ownedBy: 'BAAI', dims: 1024, maxTokens: 8192, pricePerMillion: 0.01,
      provider: 'tei', providerModel: 'BAAI/bge-m3', nativeDimensions: false, base64: false,
      maxInputsPerRequest: 32, maxTokensPerRequest: 300_000,
    });
    expect(() => buildCatalogue(CATALOGUE, [{ id: 'BAAI/bge-m3', route: 'remote' }])).toThrow(/no provider/);
  });
});
