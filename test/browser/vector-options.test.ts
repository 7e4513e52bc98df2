import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, type InPageEmbeddings } from '../../src/index.js';
import { FAMILIES, tinyClient } from './tiny-models.js';

const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi'.split(' ');
/** `n` texts of 2..40 words, different for each `seed`. */
const texts = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: 2 + ((i * 7 + seed * 13) % 39) }, (_, k) => words[(i + k + seed) % words.length]).join(' '));

describe("vectors: 'float32'", () => {
  let client: InPageEmbeddings;
  beforeAll(async () => { client = await tinyClient({ cacheNamespace: `float32-${crypto.randomUUID()}` }); });
  afterAll(async () => { await client.cache.clear(); await client.dispose(); });

  it('gives Float32Arrays equal to the number[] of the same vectors, and no number[]', async () => {
    const input = texts(20, 1);
    // The second call is answered by the vector cache, so both shape the very same vectors.
    const list = await client.embeddings.create({ model: FAMILIES.bert.id, input });
    const f32 = await client.embeddings.create({ model: FAMILIES.bert.id, input }, { vectors: 'float32' });
    expect(f32.usage.cached_tokens).toBe(list.usage.prompt_tokens);
    expect(f32.model).toBe(list.model);
    expect(f32.data.map((d) => d.index)).toEqual(list.data.map((d) => d.index));
    f32.data.forEach((d, i) => {
      expect(d.object).toBe('embedding');
      expect(d.embedding).toBeInstanceOf(Float32Array);
      expect(Array.from(d.embedding)).toEqual(list.data[i].embedding);
    });
  });

  it('computes in float32 as well, and every view holds only its own vector', async () => {
    const fresh = await tinyClient();
    const input = texts(5, 2);
    const f32 = await fresh.embeddings.create({ model: FAMILIES.bert.id, input }, { vectors: 'float32' });
    const width = f32.data[0].embedding.length;
    f32.data.forEach((d) => {
      expect(d.embedding.length).toBe(width);
      expect(Math.hypot(...d.embedding)).toBeCloseTo(1, 5);
    });
    // Writing into one vector must not reach the next one, nor a later response.
    f32.data[0].embedding.fill(0);
    expect(Math.hypot(...f32.data[1].embedding)).toBeCloseTo(1, 5);
    await fresh.dispose();
  });

  it('applies dimensions before handing out the Float32Array', async () => {
    const full = await client.embeddings.create({ model: FAMILIES.qwen3.id, input: 'matryoshka' }, { vectors: 'float32' });
    const dims = full.data[0].embedding.length / 2;
    const cut = await client.embeddings.create({ model: FAMILIES.qwen3.id, input: 'matryoshka', dimensions: dims }, { vectors: 'float32' });
    const listed = await client.embeddings.create({ model: FAMILIES.qwen3.id, input: 'matryoshka', dimensions: dims });
    expect(cut.data[0].embedding.length).toBe(dims);
    expect(Array.from(cut.data[0].embedding)).toEqual(listed.data[0].embedding);
  });

  it("refuses base64 with vectors: 'float32', naming encoding_format", async () => {
    const err = await client.embeddings.create({ model: FAMILIES.bert.id, input: 'x', encoding_format: 'base64' }, { vectors: 'float32' })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).param).toBe('encoding_format');
  });
});

describe('cache: false for one request', () => {
  it('neither reads nor writes the vector cache, while the client\'s other calls still do', async () => {
    const client = await tinyClient({ cacheNamespace: `per-request-${crypto.randomUUID()}` });
    const model = FAMILIES.bert.id;
    await client.embeddings.create({ model, input: 'kept apart' }, { cache: false });
    await client.cache.flush();
    expect((await client.cache.stats()).entries).toBe(0);
    const stored = await client.embeddings.create({ model, input: 'stored once' });
    await client.cache.flush();
    expect((await client.cache.stats()).entries).toBe(1);
    const before = (await client.engineStats()).texts;
    const bypass = await client.embeddings.create({ model, input: 'stored once' }, { cache: false });
    expect((await client.engineStats()).texts).toBe(before + 1);
    expect(bypass.usage.cached_tokens).toBeUndefined();
    const hit = await client.embeddings.create({ model, input: 'stored once' });
    expect(hit.usage.cached_tokens).toBe(stored.usage.prompt_tokens);
    await client.cache.clear();
    await client.dispose();
  });
});

describe("planner: 'fixed'", () => {
  // q8: activation scales are computed per batch, so a different cut changes the vectors' last bits.
  const q8 = { models: [{ id: FAMILIES.bert.id, dtype: { wasm: 'q8' as const, webgpu: 'fp32' as const } }] };
  const request = texts(48, 3);

  /** The request's vectors and the session runs and padded tokens it took, on a client after `before` ran. */
  async function run(client: InPageEmbeddings, before: string[][]) {
    for (const input of before) await client.embeddings.create({ model: FAMILIES.bert.id, input });
    const s0 = await client.engineStats();
    const res = await client.embeddings.create({ model: FAMILIES.bert.id, input: request }, { vectors: 'float32' });
    const s1 = await client.engineStats();
    return { vectors: res.data.map((d) => Array.from(d.embedding)), runs: s1.sessionRuns - s0.sessionRuns, padded: s1.paddedTokens - s0.paddedTokens };
  }

  it('gives bit-identical vectors and the same plan whatever ran before, with the cache off', async () => {
    const a = await tinyClient({ ...q8, planner: 'fixed', numThreads: 1 });
    const b = await tinyClient({ ...q8, planner: 'fixed', numThreads: 1 });
    // Different prior traffic: a sees nothing first; b sees many runs of other lengths (a learnt planner refits on them).
    const first = await run(a, []);
    const other = await run(b, [texts(64, 4), texts(3, 5), ['one'], texts(64, 6), texts(30, 7)]);
    const again = await run(a, [texts(64, 8)]);
    expect(other.runs).toBe(first.runs);
    expect(other.padded).toBe(first.padded);
    expect(again.padded).toBe(first.padded);
    expect(other.vectors).toEqual(first.vectors);
    expect(again.vectors).toEqual(first.vectors);
    await a.dispose();
    await b.dispose();
  });

  it('batches mixed lengths (more than one text per run) like the learnt planner does', async () => {
    const fixed = await tinyClient({ ...q8, planner: 'fixed', numThreads: 1 });
    const { runs } = await run(fixed, []);
    expect(runs).toBeGreaterThan(1);
    expect(runs).toBeLessThan(request.length);
    await fixed.dispose();
  });
});
