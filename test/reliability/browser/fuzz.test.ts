/**
 * Fuzzed bad requests through `embeddings.create` and `client.fetch` in real Chromium: every one answers a
 * 4xx in OpenAI's error shape with the `param` to fix, nothing escapes as an uncaught error in the page
 * or the worker, the worker stays the same one, nothing is cached from them, and the next valid request
 * gives the golden vectors. The cases come from a fixed seed (fuzz-cases.ts), so a failure replays.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIError, type InPageEmbeddings } from '../../../src/index.js';
import { realStore } from '../../browser/cache-helpers.js';
import { expectSameVectors, FAMILIES, fixtureJson, tinyClient, type Golden } from '../../browser/tiny-models.js';
import { FUZZ_SEED, generateCases, overLimitText } from '../fuzz-cases.js';
import { errorShapeProblem } from '../error-shape.js';

export const FUZZ_COUNT = 1200;
const MODEL = FAMILIES.bert.id;
const cases = generateCases(FUZZ_SEED, FUZZ_COUNT, MODEL);

const uncaught: string[] = [];
const onError = (e: ErrorEvent) => uncaught.push(`error: ${e.message}`);
const onRejection = (e: PromiseRejectionEvent) => uncaught.push(`unhandledrejection: ${String(e.reason)}`);
const workers: Worker[] = [];
const workerErrors: string[] = [];

/** The real worker, counted, with its error events recorded. */
function countedWorker(): Worker {
  const worker = new Worker(new URL('../../../src/worker/worker-entry.ts', import.meta.url), { type: 'module', name: 'inpage-embeddings' });
  worker.addEventListener('error', (e) => workerErrors.push(e.message));
  worker.addEventListener('message', (e) => { if (e.data && typeof e.data === 'object' && 'inpage-embeddings:fatal' in e.data) workerErrors.push(String(e.data['inpage-embeddings:fatal'])); });
  workers.push(worker);
  return worker;
}

const namespace = `fuzz-${crypto.randomUUID()}`;
let client: InPageEmbeddings;
let golden: Golden;

beforeAll(async () => {
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  golden = await fixtureJson<Golden>(FAMILIES.bert.repo, 'golden.json');
  client = await tinyClient({ cacheNamespace: namespace, worker: countedWorker });
  // Load the model first, so the cases that reach the worker meet a loaded model.
  await client.embeddings.create({ model: MODEL, input: 'warm up' });
});
afterAll(async () => {
  removeEventListener('error', onError);
  removeEventListener('unhandledrejection', onRejection);
  await client.dispose();
});

describe(`${FUZZ_COUNT} generated bad requests (seed ${FUZZ_SEED.toString(16)})`, () => {
  it('each gets its 4xx from embeddings.create, as an APIError in OpenAI\'s shape naming the param', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      try {
        await client.embeddings.create(c.body as never);
        failures.push(`#${c.id} ${c.label}: resolved`);
      } catch (err) {
        if (!(err instanceof APIError)) { failures.push(`#${c.id} ${c.label}: threw ${String(err)}`); continue; }
        const problem = errorShapeProblem(err.status ?? 0, { error: err.error }, c);
        if (problem) failures.push(`#${c.id} ${c.label}: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('each gets its 4xx from client.fetch, with OpenAI\'s error body', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const c of cases) {
      if (c.wire === undefined) continue;
      sent++;
      const res = await client.fetch('https://inpage.local/v1/embeddings', { method: 'POST', body: c.wire });
      const text = await res.text();
      let body: unknown;
      try { body = JSON.parse(text); } catch { failures.push(`#${c.id} ${c.label}: not JSON: ${text.slice(0, 80)}`); continue; }
      const problem = errorShapeProblem(res.status, body, c);
      if (problem) failures.push(`#${c.id} ${c.label}: ${problem}`);
      if (res.headers.get('content-type') !== 'application/json') failures.push(`#${c.id}: content-type ${res.headers.get('content-type')}`);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(FUZZ_COUNT * 0.8);
  });

  it('left no uncaught error, the same worker alive, nothing cached, and the next valid request right', async () => {
    expect(uncaught).toEqual([]);
    expect(workerErrors).toEqual([]);
    expect(workers).toHaveLength(1);
    const res = await client.embeddings.create({ model: MODEL, input: golden.texts });
    expectSameVectors(res.data.map((d) => d.embedding as number[]), golden.vectors, 1e-5);
    expect(workers).toHaveLength(1);
    // Only the warm-up text and the golden texts were ever valid: nothing else reached IndexedDB.
    await client.cache.flush();
    const stored = await new Promise<number>((resolve) => realStore(namespace)('readonly', async (os) => {
      const r = os.getAllKeys(IDBKeyRange.bound('v:', 'v;'));
      r.onsuccess = () => resolve(r.result.length);
    }));
    expect(stored).toBe(1 + new Set(golden.texts).size);
  });

  it('answers the limits themselves: 2,048 inputs and a text of exactly 512 tokens', async () => {
    const many = await client.embeddings.create({ model: MODEL, input: Array.from({ length: 2048 }, (_, i) => `item ${i % 7}`) });
    expect(many.data).toHaveLength(2048);
    const atLimit = await client.embeddings.create({ model: MODEL, input: overLimitText(512) });
    expect(atLimit.usage.prompt_tokens).toBe(512);
    const nul = await client.embeddings.create({ model: MODEL, input: 'a\u0000b' });
    expect((nul.data[0].embedding as number[]).every(Number.isFinite)).toBe(true);
    expect(workers).toHaveLength(1);
  });
});
