/**
 * A remote provider misbehaving over real HTTP (the fake providers on 127.0.0.1): a 429 storm, a body
 * that trickles past the timeout, reset connections, a 50 MB body, vectors of the wrong length or with
 * NaN. Each ends in an OpenAI-shaped error within a bounded time, and nothing from it is cached.
 * The 60 s trickle is scaled to 8 s against a 1.5 s timeout (the same path, not the same wait).
 */

import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { APIError, InPageEmbeddings } from '../../../src/index.js';
import { freshNamespace } from '../../browser/cache-helpers.js';
import type { ScriptedFault } from '../../fixtures/fake-providers.js';
import { auditStore } from './stored-entries.js';

const host = inject('providerHost');
const MODEL = 'text-embedding-3-small';
const control = (path: string, body: unknown) => fetch(`${host}${path}`, { method: 'POST', body: JSON.stringify(body) });
const namespace = freshNamespace('remote-faults');
let client: InPageEmbeddings;

beforeAll(() => {
  client = new InPageEmbeddings({ cacheNamespace: namespace, remote: { openai: { baseURL: `${host}openai/v1`, maxRetries: 2, timeout: 1500 } } });
});
afterAll(() => client.dispose());
beforeEach(async () => {
  await control('__reset', {});
  await control('__key', { route: 'openai' });
});

/** POSTs that reached the provider (CORS preflights are not attempts). */
const attempts = async () => ((await (await fetch(`${host}__log`)).json()) as Array<{ route: string | null; method: string }>)
  .filter((r) => r.route === 'openai' && r.method === 'POST').length;

async function failure(faults: ScriptedFault[], text: string, options?: { timeout: number }): Promise<{ err: APIError; ms: number; attempts: number }> {
  await control('__script', { faults });
  const started = performance.now();
  try {
    await client.embeddings.create({ model: MODEL, input: [text, `${text} (2)`] }, options);
  } catch (err) {
    if (!(err instanceof APIError)) throw err;
    // OpenAI's wire shape, exactly these four fields.
    expect(Object.keys(err.toJSON().error).sort()).toEqual(['code', 'message', 'param', 'type']);
    return { err, ms: performance.now() - started, attempts: await attempts() };
  }
  throw new Error('expected a rejection');
}

describe('a misbehaving provider', () => {
  it('a 429 storm: RateLimitError after maxRetries, honouring retry-after-ms', async () => {
    const storm = Array.from({ length: 20 }, (): ScriptedFault => ({ kind: 'status', status: 429, headers: { 'retry-after-ms': '100' } }));
    const { err, ms, attempts: n } = await failure(storm, 'storm');
    expect(err.status).toBe(429);
    expect(n).toBe(3);
    expect(ms).toBeLessThan(3000);
  });

  it('a body that trickles for 8 s: a timeout error per attempt, not a hang', async () => {
    const slow = Array.from({ length: 3 }, (): ScriptedFault => ({ kind: 'trickle', ms: 8000 }));
    const { err, ms, attempts: n } = await failure(slow, 'trickle');
    expect(err.error.code).toBe('timeout');
    expect(n).toBe(3);
    expect(ms).toBeLessThan(3 * 1500 + 2000 + 1500); // three timeouts plus at most 0.5 s + 1 s of backoff, and slack
  });

  it('client.fetch answers the trickle with 504 in OpenAI\'s shape', async () => {
    await control('__script', { faults: [{ kind: 'trickle', ms: 8000 }] });
    const res = await client.fetch('https://inpage.local/v1/embeddings', {
      method: 'POST', body: JSON.stringify({ model: MODEL, input: 'trickle via fetch' }), headers: { 'content-type': 'application/json' },
    });
    // maxRetries 2 also applies here, but one trickle only: the retry answers.
    expect(res.status).toBe(200);
    await control('__script', { faults: Array.from({ length: 3 }, () => ({ kind: 'trickle', ms: 8000 })) });
    const failed = await client.fetch('https://inpage.local/v1/embeddings', { method: 'POST', body: JSON.stringify({ model: MODEL, input: 'trickle via fetch 2' }) });
    expect(failed.status).toBe(504);
    expect(Object.keys((await failed.json()).error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  it('reset connections: APIConnectionError after maxRetries', async () => {
    // Chromium itself resends a POST once when a reused connection is reset, so one attempt may take two.
    const { err, ms, attempts: n } = await failure(Array.from({ length: 6 }, (): ScriptedFault => ({ kind: 'reset' })), 'reset');
    expect(err.error.code).toBe('connection_error');
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(6);
    expect(ms).toBeLessThan(5000);
  });

  it('a 50 MB body: 502 bad_provider_response, not retried', async () => {
    // A timeout long enough to read it all (at 1.5 s the read times out, which the trickle case covers).
    const { err, ms, attempts: n } = await failure([{ kind: 'huge', mb: 50 }], 'huge', { timeout: 30_000 });
    expect({ status: err.status, code: err.error.code }).toEqual({ status: 502, code: 'bad_provider_response' });
    expect(n).toBe(1);
    expect(ms).toBeLessThan(20_000);
  });

  it.each(['wrong-length', 'nan'] as const)('%s: 502 bad_provider_response', async (kind) => {
    const { err, attempts: n } = await failure([{ kind }], kind);
    expect({ status: err.status, code: err.error.code }).toEqual({ status: 502, code: 'bad_provider_response' });
    expect(n).toBe(1);
  });

  it('cached nothing from any of them, and the next request is answered and cached', async () => {
    await client.cache.flush();
    const before = await auditStore(namespace, 1536);
    expect(before.problems).toEqual([]);
    // Only the two trickle-via-fetch texts that were answered.
    expect(before.entries.size).toBe(1);
    const ok = await client.embeddings.create({ model: MODEL, input: ['healthy again', 'and again'] });
    expect(ok.data).toHaveLength(2);
    await client.cache.flush();
    expect((await auditStore(namespace, 1536)).entries.size).toBe(3);
  });
});
