import { describe, expect, it } from 'vitest';
import { buildResponse } from '../../src/response.js';
import { UsageLedger } from '../../src/usage-ledger.js';
import { deserializeError, InternalServerError, makeError, NotFoundError, RateLimitError, serializeError } from '../../src/errors.js';

describe('buildResponse', () => {
  it('answers in input order with index = position, floats or base64', async () => {
    const vectors = [new Float32Array([1, 0]), new Float32Array([0, 1])];
    const float = await buildResponse({ model: 'm', vectors, encodingFormat: 'float', promptTokens: 5 });
    expect(float).toEqual({
      object: 'list', model: 'm', usage: { prompt_tokens: 5, total_tokens: 5 },
      data: [{ object: 'embedding', index: 0, embedding: [1, 0] }, { object: 'embedding', index: 1, embedding: [0, 1] }],
    });
    const b64 = await buildResponse({ model: 'm', vectors, encodingFormat: 'base64', promptTokens: 5, cachedTokens: 2 });
    expect(typeof b64.data[1].embedding).toBe('string');
    expect(b64.usage.cached_tokens).toBe(2);
  });

  it('builds a large response a slice per task, still in input order', async () => {
    const vectors = Array.from({ length: 300 }, (_, i) => new Float32Array([i, -i]));
    let otherTasks = 0;
    const ticker = setInterval(() => { otherTasks++; }, 0);
    const res = await buildResponse({ model: 'm', vectors, encodingFormat: 'float', promptTokens: 1 });
    clearInterval(ticker);
    expect(res.data.map((d) => d.index)).toEqual(vectors.map((_, i) => i));
    expect(res.data[299].embedding).toEqual([299, -299]);
    // 300 vectors are three slices: the page got to run between them.
    expect(otherTasks).toBeGreaterThan(0);
  });
});

describe('UsageLedger', () => {
  it('sums tokens and price equivalents by model and user', () => {
    const ledger = new UsageLedger();
    ledger.record({ model: 'a', user: 'u1', route: 'local', tokens: 1_000_000, cachedTokens: 0, pricePerMillion: 0.02 });
    ledger.record({ model: 'a', route: 'local', tokens: 500_000, cachedTokens: 10, pricePerMillion: 0.02 });
    ledger.record({ model: 'r', user: 'u1', route: 'remote', tokens: 100, cachedTokens: 0, pricePerMillion: 0.13 });
    const r = ledger.snapshot();
    expect(r.byModel.a.localTokens).toBe(1_500_000);
    expect(r.byModel.a.localPriceEquivalentUSD).toBeCloseTo(0.03, 10);
    expect(r.byUser.u1.requests).toBe(2);
    expect(r.byUser[''].cachedTokens).toBe(10);
    expect(r.total.remoteTokens).toBe(100);
  });
});

describe('errors', () => {
  it('maps statuses to openai-node classes', () => {
    expect(makeError(404, { message: 'x' })).toBeInstanceOf(NotFoundError);
    expect(makeError(429, { message: 'x' })).toBeInstanceOf(RateLimitError);
    expect(makeError(503, { message: 'x' })).toBeInstanceOf(InternalServerError);
  });

  it('survives serialization as the same class and fields', () => {
    const err = makeError(429, { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded', param: null });
    const back = deserializeError(structuredClone(serializeError(err)));
    expect(back).toBeInstanceOf(RateLimitError);
    expect(back).toMatchObject({ status: 429, type: 'requests', code: 'rate_limit_exceeded', param: null, message: 'slow down' });
  });
});
