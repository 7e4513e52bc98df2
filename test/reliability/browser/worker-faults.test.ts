/**
 * The model worker dying in the middle of a batch, and model files that arrive broken (404, truncated,
 * corrupt, cut off mid-download): pending calls fail with a clear error, the next call works, nothing is
 * kept from the broken file, and IndexedDB holds exactly the vectors of the calls that resolved.
 */

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APIError, type InPageEmbeddings } from '../../../src/index.js';
import { freshNamespace } from '../../browser/cache-helpers.js';
import { expectSameVectors, FAMILIES, fixtureJson, modelHost, tinyClient, type Golden } from '../../browser/tiny-models.js';
import { expectStoredExactly } from './stored-entries.js';

const MODEL = FAMILIES.bert.id;
const REPO = FAMILIES.bert.repo;
let golden: Golden;
let dims: number;
const clients: InPageEmbeddings[] = [];

async function rejection(p: Promise<unknown>): Promise<APIError> {
  try { await p; } catch (err) { if (err instanceof APIError) return err; throw err; }
  throw new Error('expected a rejection');
}

/** Texts of mixed lengths (3–120 words), distinct, so a call runs many batches. */
const mixedTexts = (label: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${label} ${i} ${'word '.repeat(3 + ((i * 37) % 118))}`.trim());

beforeAll(async () => {
  golden = await fixtureJson<Golden>(REPO, 'golden.json');
  dims = golden.vectors[0].length;
});
afterEach(async () => { for (const c of clients.splice(0)) await c.dispose(); });

describe('the worker ends in the middle of a batch', () => {
  it('pending calls reject with worker_crashed, the next call runs on a fresh worker, and only whole vectors are stored', async () => {
    const namespace = freshNamespace('worker-crash');
    const workers: Worker[] = [];
    // Resolves when the page has posted the big call's texts to the worker (comlink's APPLY of `embed`).
    let bigPosted!: () => void;
    const bigInWorker = new Promise<void>((resolve) => { bigPosted = resolve; });
    const client = await tinyClient({
      cacheNamespace: namespace,
      worker: () => {
        const w = new Worker(new URL('../../../src/worker/worker-entry.ts', import.meta.url), { type: 'module' });
        const post = w.postMessage.bind(w) as (message: unknown, transfer?: Transferable[]) => void;
        w.postMessage = ((message: unknown, transfer?: Transferable[]) => {
          const m = message as { type?: string; path?: string[] } | null;
          if (m?.type === 'APPLY' && m.path?.[0] === 'embed' && JSON.stringify(message).includes('"big 0 ')) bigPosted();
          post(message, transfer);
        }) as Worker['postMessage'];
        workers.push(w);
        return w;
      },
    });
    clients.push(client);
    const before = mixedTexts('before', 40);
    const first = await client.embeddings.create({ model: MODEL, input: before });

    const bigTexts = mixedTexts('big', 1000);
    const queuedTexts = mixedTexts('queued', 1000);
    const big = client.embeddings.create({ model: MODEL, input: bigTexts });
    const queued = client.embeddings.create({ model: MODEL, input: queuedTexts });
    const outcomes = [big, queued].map((p) => p.then(() => 'resolved', (err: unknown) => err));
    // The big call runs many batches (a second or more even on a quiet machine; the worker's message loop is
    // busy, so it cannot be asked how far it got): 50 ms after its texts reach the worker, end it from
    // outside, as other code or the browser can. No error event tells.
    let settledEarly = false;
    void Promise.race(outcomes).then(() => { settledEarly = true; });
    await bigInWorker;
    await new Promise((r) => setTimeout(r, 50));
    expect(settledEarly).toBe(false);
    workers[0].terminate();
    // The first call was surely running batches; the second may not have reached the worker yet on a loaded
    // machine, and then runs on the fresh one: either way it rejects with worker_crashed or is answered whole.
    const [bigOutcome, queuedOutcome] = await Promise.all(outcomes);
    const answered: Array<{ texts: string[]; vectors: number[][] }> = [];
    for (const [i, outcome] of [bigOutcome, queuedOutcome].entries()) {
      if (i === 0 || outcome instanceof APIError) {
        expect(outcome).toBeInstanceOf(APIError);
        const err = outcome as APIError;
        expect(err.status).toBe(500);
        expect(err.error.code).toBe('worker_crashed');
        expect(err.message).toMatch(/inference worker stopped.*next request starts a new worker/);
      } else {
        answered.push({ texts: queuedTexts, vectors: (await queued).data.map((d) => d.embedding as number[]) });
      }
    }
    const after = mixedTexts('after', 20);
    const second = await client.embeddings.create({ model: MODEL, input: after });
    expect(workers.length).toBe(2);
    const check = await client.embeddings.create({ model: MODEL, input: golden.texts });
    expectSameVectors(check.data.map((d) => d.embedding as number[]), golden.vectors, 1e-5);

    await client.cache.flush();
    await expectStoredExactly(namespace, MODEL, dims, [
      { texts: before, vectors: first.data.map((d) => d.embedding as number[]) },
      { texts: after, vectors: second.data.map((d) => d.embedding as number[]) },
      { texts: golden.texts, vectors: check.data.map((d) => d.embedding as number[]) },
      ...answered,
    ]);
  });
});

/** What the browser's model-file cache (transformers.js' Cache Storage) holds for `file` of the repo, if anything. */
async function cachedFile(file: string): Promise<Uint8Array | undefined> {
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      if (!req.url.includes(`${REPO}/resolve/main/${file}`)) continue;
      const res = await cache.match(req);
      return res ? new Uint8Array(await res.arrayBuffer()) : undefined;
    }
  }
  return undefined;
}

async function sha(bytes: Uint8Array): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource)), (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('a model file that arrives broken', () => {
  const FILES = ['onnx/model.onnx', 'tokenizer.json'];
  const cases = [
    { kind: '404', file: 'onnx/model.onnx', status: 404, code: 'model_files_not_found' },
    { kind: 'short', file: 'onnx/model.onnx', status: 500, code: 'model_load_failed' },
    { kind: 'corrupt', file: 'onnx/model.onnx', status: 500, code: 'model_load_failed' },
    { kind: 'cut', file: 'onnx/model.onnx', status: 500, code: 'model_load_failed' },
    { kind: 'corrupt', file: 'tokenizer.json', status: 500, code: 'model_load_failed' },
  ];

  it.each(cases)('$kind $file: a clear error, nothing cached from it, and the next call loads it again', async ({ kind, file, status, code }) => {
    for (const name of await caches.keys()) await caches.delete(name);
    await fetch(`${modelHost()}__fail?repo=${REPO}&count=1&kind=${kind}&file=${encodeURIComponent(file)}`);
    const namespace = freshNamespace(`file-${kind}`);
    const client = await tinyClient({ cacheNamespace: namespace });
    clients.push(client);

    const err = await rejection(client.embeddings.create({ model: MODEL, input: golden.texts }));
    expect({ status: err.status, code: err.error.code, param: err.error.param }).toEqual({ status, code, param: 'model' });
    expect(err.message).toContain(MODEL);
    expect(err.message).toContain(`${REPO}/resolve/main/`);
    // Whatever the browser kept of the model's files is byte-for-byte what the server holds.
    for (const f of FILES) {
      const kept = await cachedFile(f);
      if (!kept) continue;
      const real = new Uint8Array(await (await fetch(`${modelHost()}${REPO}/resolve/main/${f}`, { cache: 'no-store' })).arrayBuffer());
      expect(await sha(kept), `cached ${f}`).toBe(await sha(real));
    }

    // The same client: the retry (in a fresh worker, see WorkerHost.call) downloads the file again.
    const res = await client.embeddings.create({ model: MODEL, input: golden.texts });
    expectSameVectors(res.data.map((d) => d.embedding as number[]), golden.vectors, 1e-5);
    await client.cache.flush();
    await expectStoredExactly(namespace, MODEL, dims, [{ texts: golden.texts, vectors: res.data.map((d) => d.embedding as number[]) }]);
  });
});
