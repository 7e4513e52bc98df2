import { describe, expect, it } from 'vitest';
import { InPageLangChainEmbeddings, type EmbeddingsCreator } from '../../src/serve/langchain.js';
import type { EmbeddingCreateParams } from '../../src/openai-types.js';

/** A creator whose vector for text `t` is [length of t], answered in reverse order to test reassembly by index. */
function fake() {
  const calls: EmbeddingCreateParams[] = [];
  const client: EmbeddingsCreator = {
    embeddings: {
      create: async (body) => {
        calls.push(body);
        const input = body.input as string[];
        const data = input.map((t, index) => ({ object: 'embedding' as const, index, embedding: [t.length] })).reverse();
        return { object: 'list', data, model: body.model, usage: { prompt_tokens: 0, total_tokens: 0 } };
      },
    },
  };
  return { client, calls };
}

describe('InPageLangChainEmbeddings batching', () => {
  it('splits documents into batches of 2048 and keeps their order', async () => {
    const { client, calls } = fake();
    const texts = Array.from({ length: 5000 }, (_, i) => 'x'.repeat(i % 7 + 1));
    const vectors = await new InPageLangChainEmbeddings({ client, model: 'm' }).embedDocuments(texts);
    expect(calls.map((c) => (c.input as string[]).length)).toEqual([2048, 2048, 904]);
    expect(calls.every((c) => c.input_type === 'document' && c.encoding_format === 'float' && !('dimensions' in c))).toBe(true);
    expect(vectors).toEqual(texts.map((t) => [t.length]));
  });

  it('makes no call for no documents, and one query call with input_type query', async () => {
    const { client, calls } = fake();
    const embeddings = new InPageLangChainEmbeddings({ client, model: 'm', dimensions: 64 });
    expect(await embeddings.embedDocuments([])).toEqual([]);
    expect(await embeddings.embedQuery('abc')).toEqual([3]);
    expect(calls).toEqual([{ model: 'm', input: ['abc'], encoding_format: 'float', input_type: 'query', dimensions: 64 }]);
  });

  it('refuses a batch size above OpenAI limit', () => {
    expect(() => new InPageLangChainEmbeddings({ client: fake().client, model: 'm', batchSize: 4096 })).toThrow(RangeError);
  });
});
