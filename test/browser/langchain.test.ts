/** The LangChain adapter on the tiny models: the same vectors as create(), query instruction on queries only. */

import { beforeAll, describe, expect, it } from 'vitest';
import { InPageLangChainEmbeddings, type InPageEmbeddings } from '../../src/index.js';
import { expectSameVectors, FAMILIES, sharedClient } from './tiny-models.js';

let client: InPageEmbeddings;
// No vector cache: every compared vector is computed, so the adapter's own calls are what is compared.
beforeAll(async () => { client = await sharedClient(); });

const texts = ['first document', 'the second, a little longer', 'third', 'fourth one here', 'fifth'];

async function created(model: string, input: string | string[], extra: object = {}): Promise<number[][]> {
  const res = await client.embeddings.create({ model, input, encoding_format: 'float', ...extra });
  return res.data.map((d) => d.embedding as number[]);
}

describe('InPageLangChainEmbeddings', () => {
  it.each(['bert', 'qwen3'] as const)('%s: embedDocuments equals create() on the same texts, in order', async (family) => {
    const { id } = FAMILIES[family];
    const docs = await new InPageLangChainEmbeddings({ client, model: id }).embedDocuments(texts);
    expectSameVectors(docs, await created(id, texts));
    expect(docs.every((v) => Array.isArray(v) && typeof v[0] === 'number')).toBe(true);
  });

  it('with batchSize 2, equals create() on each batch of 2', async () => {
    const { id } = FAMILIES.bert;
    const docs = await new InPageLangChainEmbeddings({ client, model: id, batchSize: 2 }).embedDocuments(texts);
    const expected: number[][] = [];
    for (let i = 0; i < texts.length; i += 2) expected.push(...(await created(id, texts.slice(i, i + 2))));
    expectSameVectors(docs, expected);
  });

  it.each(['bert', 'qwen3'] as const)('%s: embedQuery equals create() with input_type query, and differs from the raw text', async (family) => {
    const { id } = FAMILIES[family];
    const embeddings = new InPageLangChainEmbeddings({ client, model: id });
    const query = await embeddings.embedQuery('what is a fox?');
    expect(query).toEqual((await created(id, 'what is a fox?', { input_type: 'query' }))[0]);
    expect(query).not.toEqual((await created(id, 'what is a fox?'))[0]);
  });

  it('passes dimensions through (Qwen3)', async () => {
    const { id } = FAMILIES.qwen3;
    const embeddings = new InPageLangChainEmbeddings({ client, model: id, dimensions: 8 });
    const [doc] = await embeddings.embedDocuments(['short']);
    expect(doc).toHaveLength(8);
    expect(doc).toEqual((await created(id, 'short', { dimensions: 8 }))[0]);
  });
});
