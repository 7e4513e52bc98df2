import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIError, BadRequestError, cosine, InternalServerError, NotFoundError, type InPageEmbeddings,
} from '../../src/index.js';
import { asNumbers, FAMILIES, fixtureJson, modelHost, sharedClient, tinyClient, type Golden } from './tiny-models.js';

let client: InPageEmbeddings;
beforeAll(async () => { client = await sharedClient(); });

// A flaky model: its first load fails (500), the next call loads again. A fresh revision keeps
// transformers.js' Cache API copy out of the way, so the request reaches the host.
const TRANSIENT = { id: 'my/transient', repo: FAMILIES.jina.repo, revision: `r-${crypto.randomUUID()}`, dims: 32, pooling: 'mean' as const };
let adjustedClient: Promise<InPageEmbeddings> | undefined;
/**
 * One client for the tests that need rows of their own: the other padding side for qwen3 and xlmr, an
 * 8-token limit on bert, a missing and a flaky model. Each test uses only its own row, so one worker
 * serves them all.
 */
const adjusted = () => (adjustedClient ??= tinyClient({
  models: [
    { id: FAMILIES.qwen3.id, paddingSide: 'right' }, { id: FAMILIES.xlmr.id, paddingSide: 'left' },
    { id: FAMILIES.bert.id, maxTokens: 8 }, { id: 'my/missing', repo: 'nobody/missing', dims: 32 }, TRANSIENT,
  ],
}));
afterAll(async () => { await (await adjustedClient)?.dispose(); });

async function rejection(p: Promise<unknown>): Promise<APIError> {
  try { await p; } catch (err) { if (err instanceof APIError) return err; throw err; }
  throw new Error('expected a rejection');
}

/** Quantized (q8) graphs must stay this close to the fp32 golden vectors; measured ≥ 0.9996 on the fixtures. */
const Q8_MIN_COSINE = 0.999;

const textFamilies = (['bert', 'jina', 'xlmr', 'qwen3', 'clip'] as const).map((f) => [f, FAMILIES[f]] as const);

describe('embeddings.create on every local family', () => {
  it.each(textFamilies)('%s: batched vectors equal the golden vectors, unit length, in input order', async (_, { id, repo }) => {
    const golden = await fixtureJson<Golden>(repo, 'golden.json');
    const res = await client.embeddings.create({ model: id, input: golden.texts });
    expect(res.object).toBe('list');
    expect(res.model).toBe(id);
    expect(res.data.map((d) => d.index)).toEqual(golden.texts.map((_, i) => i));
    res.data.forEach((d, i) => {
      const v = asNumbers(d.embedding);
      expect(d.object).toBe('embedding');
      expect(v.length).toBe(golden.vectors[i].length);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
      expect(cosine(v, golden.vectors[i])).toBeGreaterThanOrEqual(0.9999);
    });
    const expectedTokens = golden.input_ids.reduce((n, ids) => n + ids.length, 0);
    expect(res.usage).toEqual({ prompt_tokens: expectedTokens, total_tokens: expectedTokens });
  });

  it.each(textFamilies)('%s: one text at a time equals the golden vectors', async (_, { id, repo }) => {
    const golden = await fixtureJson<Golden>(repo, 'golden.json');
    for (let i = 0; i < golden.texts.length; i++) {
      const res = await client.embeddings.create({ model: id, input: golden.texts[i] });
      expect(cosine(asNumbers(res.data[0].embedding), golden.vectors[i])).toBeGreaterThanOrEqual(0.9999);
    }
  });

  // BERT-style models with learned absolute positions must be right-padded (their vectors change
  // otherwise, as the real models' do); models whose positions come from the mask are padding-side free.
  it.each([['qwen3', 'right'], ['xlmr', 'left']] as const)('%s gives the golden vectors with %s padding too', async (family, _side) => {
    const { id, repo } = FAMILIES[family];
    const golden = await fixtureJson<Golden>(repo, 'golden.json');
    const flipped = await adjusted();
    // The client's counters are cumulative: this request's share is the difference.
    const before = (await flipped.engineStats()).paddedTokens;
    const res = await flipped.embeddings.create({ model: id, input: golden.texts });
    res.data.forEach((d, i) => expect(cosine(asNumbers(d.embedding), golden.vectors[i])).toBeGreaterThanOrEqual(0.9999));
    expect((await flipped.engineStats()).paddedTokens - before).toBeGreaterThan(res.usage.prompt_tokens);
  });
});

describe('quantized variants', () => {
  // One client whose rows all ask for q8: each family's q8 graph loads beside the others in one worker.
  let q8: InPageEmbeddings;
  beforeAll(async () => {
    q8 = await tinyClient({ models: textFamilies.map(([, { id }]) => ({ id, dtype: { wasm: 'q8' as const, webgpu: 'fp32' as const } })) });
  });
  afterAll(() => q8.dispose());

  it.each(textFamilies)('%s: the q8 graph loads and stays close to fp32', async (_, { id, repo }) => {
    const golden = await fixtureJson<Golden>(repo, 'golden.json');
    const res = await q8.embeddings.create({ model: id, input: golden.texts });
    await expect(q8.backends()).resolves.toContainEqual(expect.objectContaining({ model: id, dtype: 'q8' }));
    res.data.forEach((d, i) => expect(cosine(asNumbers(d.embedding), golden.vectors[i])).toBeGreaterThanOrEqual(Q8_MIN_COSINE));
  });
});

describe('response encoding and dimensions', () => {
  it('base64 decodes, as the openai SDK does, to the float result exactly', async () => {
    const input = ['first text', 'a second, longer text for the batch'];
    // A vector cache answers the second call, so both encode the very same vectors (a second computation
    // could batch the two texts differently and round differently).
    const cached = await tinyClient({ cacheNamespace: `base64-${crypto.randomUUID()}` });
    const float = await cached.embeddings.create({ model: FAMILIES.bert.id, input });
    const b64 = await cached.embeddings.create({ model: FAMILIES.bert.id, input, encoding_format: 'base64' });
    expect(b64.usage.cached_tokens).toBe(float.usage.prompt_tokens);
    await cached.cache.clear();
    await cached.dispose();
    b64.data.forEach((d, i) => {
      expect(typeof d.embedding).toBe('string');
      const bytes = Uint8Array.from(atob(d.embedding as string), (c) => c.charCodeAt(0));
      expect(Array.from(new Float32Array(bytes.buffer))).toEqual(float.data[i].embedding);
    });
  });

  it('Qwen3 dimensions gives the renormalized prefix of the full vector', async () => {
    const full = await client.embeddings.create({ model: FAMILIES.qwen3.id, input: 'matryoshka' });
    const width = (full.data[0].embedding as number[]).length;
    const dims = width / 2;
    const cut = await client.embeddings.create({ model: FAMILIES.qwen3.id, input: 'matryoshka', dimensions: dims });
    const v = cut.data[0].embedding as number[];
    expect(v.length).toBe(dims);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    const prefix = (full.data[0].embedding as number[]).slice(0, dims);
    const norm = Math.hypot(...prefix);
    v.forEach((x, i) => expect(x).toBeCloseTo(prefix[i] / norm, 6));
  });

  it('applies the query instruction only when input_type is query', async () => {
    const raw = await client.embeddings.create({ model: FAMILIES.bert.id, input: 'what is a cat' });
    const doc = await client.embeddings.create({ model: FAMILIES.bert.id, input: 'what is a cat', input_type: 'document' });
    const query = await client.embeddings.create({ model: FAMILIES.bert.id, input: 'what is a cat', input_type: 'query' });
    const prefixed = await client.embeddings.create({
      model: FAMILIES.bert.id, input: 'Represent this sentence for searching relevant passages: what is a cat',
    });
    expect(doc.data[0].embedding).toEqual(raw.data[0].embedding);
    expect(query.data[0].embedding).toEqual(prefixed.data[0].embedding);
    expect(query.usage.prompt_tokens).toBeGreaterThan(raw.usage.prompt_tokens);
  });
});

describe('batching', () => {
  it('64 mixed-length texts run fewer padded tokens than one padded call, with the same vectors as one at a time', async () => {
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
    const texts = Array.from({ length: 64 }, (_, i) =>
      Array.from({ length: i % 8 === 0 ? 60 + i : 2 + (i % 5) }, (_, k) => words[(i + k) % words.length]).join(' '));
    // A fresh client: the planner's run-cost model learns from measured run times, so a client that has
    // run other tests on a busy machine may batch differently (isolation is the point here).
    const fresh = await tinyClient();
    const res = await fresh.embeddings.create({ model: FAMILIES.bert.id, input: texts });
    const stats = await fresh.engineStats();
    const longest = Math.max(...texts.map((t) => t.split(' ').length)) + 2;
    expect(stats.realTokens).toBe(res.usage.prompt_tokens);
    expect(stats.paddedTokens).toBeLessThan(texts.length * longest);
    expect(stats.paddedTokens).toBeLessThan(1.2 * stats.realTokens);
    for (const i of [0, 1, 8, 63]) {
      const single = await fresh.embeddings.create({ model: FAMILIES.bert.id, input: texts[i] });
      expect(cosine(asNumbers(single.data[0].embedding), asNumbers(res.data[i].embedding))).toBeGreaterThanOrEqual(0.99999);
    }
    await fresh.dispose();
  });

  it('computes identical texts in one request once', async () => {
    const before = (await client.engineStats()).texts;
    const res = await client.embeddings.create({ model: FAMILIES.bert.id, input: ['same', 'other', 'same'] });
    expect(res.data[0].embedding).toEqual(res.data[2].embedding);
    expect((await client.engineStats()).texts - before).toBe(2);
  });

  it('20 concurrent create() calls across two models all resolve correctly', async () => {
    const bert = await fixtureJson<Golden>(FAMILIES.bert.repo, 'golden.json');
    const qwen = await fixtureJson<Golden>(FAMILIES.qwen3.repo, 'golden.json');
    const calls = Array.from({ length: 20 }, (_, i) => {
      const [family, golden] = i % 2 ? ['qwen3', qwen] as const : ['bert', bert] as const;
      const k = i % golden.texts.length;
      return client.embeddings.create({ model: FAMILIES[family].id, input: golden.texts[k] })
        .then((res) => cosine(asNumbers(res.data[0].embedding), golden.vectors[k]));
    });
    const cosines = await Promise.all(calls);
    cosines.forEach((c) => expect(c).toBeGreaterThanOrEqual(0.9999));
  });
});

describe('errors', () => {
  it('rejects an unknown model with 404 model_not_found', async () => {
    const err = await rejection(client.embeddings.create({ model: 'nobody/nothing', input: 'x' }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });
  });

  it('rejects too-long input from inside the worker as the same class, naming the input', async () => {
    const tiny = await adjusted();
    const err = await rejection(tiny.embeddings.create({ model: FAMILIES.bert.id, input: ['short', 'one two three four five six seven eight nine'] }));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({ status: 400, param: 'input[1]', type: 'invalid_request_error' });
    expect(err.message).toMatch(/input\[1\].*maximum input length is 8 tokens/);
    const truncating = await tinyClient({ truncate: true, models: [{ id: FAMILIES.bert.id, maxTokens: 8 }] });
    const ok = await truncating.embeddings.create({ model: FAMILIES.bert.id, input: 'one two three four five six seven eight nine' });
    expect(ok.usage.prompt_tokens).toBe(8);
    await truncating.dispose();
  });

  it('a model whose files are missing rejects clearly, leaves other models usable, and is retried', async () => {
    const broken = await adjusted();
    const err = await rejection(broken.embeddings.create({ model: 'my/missing', input: 'x' }));
    expect(err.message).toContain('nobody/missing');
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('model_files_not_found');
    const ok = await broken.embeddings.create({ model: FAMILIES.bert.id, input: 'still fine' });
    expect(ok.data).toHaveLength(1);
    await fetch(`${modelHost()}__fail?repo=${FAMILIES.jina.repo}&count=1`);
    const failed = await rejection(broken.embeddings.create({ model: TRANSIENT.id, input: 'x' }));
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const retried = await broken.embeddings.create({ model: TRANSIENT.id, input: 'x' });
    expect(retried.data).toHaveLength(1);
  });

  it('when the worker dies, pending calls reject and the next call starts a fresh worker', async () => {
    let loadingStarted!: () => void;
    const loading = new Promise<void>((resolve) => { loadingStarted = resolve; });
    const fragile = await tinyClient({ onProgress: (e) => { if (e.model === FAMILIES.qwen3.id) loadingStarted(); } });
    await fragile.embeddings.create({ model: FAMILIES.bert.id, input: 'warm' });
    // Qwen3 is not loaded in this worker yet: once its files start loading, the call is in the worker.
    const pending = fragile.embeddings.create({ model: FAMILIES.qwen3.id, input: 'pending' });
    await loading;
    await fragile.crashWorkerForTest();
    const err = await rejection(pending);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err.code).toBe('worker_crashed');
    const after = await fragile.embeddings.create({ model: FAMILIES.bert.id, input: 'alive again' });
    expect(after.data).toHaveLength(1);
    await fragile.dispose();
  });

  it('dispose terminates the worker and a later call starts a new one', async () => {
    const c = await tinyClient();
    await c.embeddings.create({ model: FAMILIES.bert.id, input: 'a' });
    await c.dispose();
    expect((await c.engineStats()).sessionRuns).toBe(0);
    const res = await c.embeddings.create({ model: FAMILIES.bert.id, input: 'b' });
    expect(res.data).toHaveLength(1);
    await c.dispose();
  });
});

describe('models.list', () => {
  it('lists every catalogue row in OpenAI shape', async () => {
    const page = await client.models.list();
    expect(page.object).toBe('list');
    const ids = page.data.map((m) => m.id);
    for (const id of ['BAAI/bge-m3', 'BAAI/bge-large-en-v1.5', 'Qwen/Qwen3-Embedding-0.6B', 'text-embedding-3-small', 'zhipu-embedding-2', 'netease-youdao/bce-embedding-base_v1']) {
      expect(ids).toContain(id);
    }
    for (const m of page.data) {
      expect(m).toEqual({ id: m.id, object: 'model', created: expect.any(Number), owned_by: expect.any(String) });
    }
  });
});
