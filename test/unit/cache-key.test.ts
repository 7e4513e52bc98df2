import { describe, expect, it } from 'vitest';
import { decodeEntries, encodeEntries, type ExportedEntry } from '../../src/cache/cache-format.js';
import { cacheKey, keyScope } from '../../src/cache/cache-key.js';
import { CATALOGUE, type LocalModelRow, type ModelRow, type RemoteModelRow } from '../../src/models.js';

const row = (id: string) => CATALOGUE.find((r) => r.id === id)!;
const bge = row('BAAI/bge-small-en-v1.5') as LocalModelRow;
const qwen = row('Qwen/Qwen3-Embedding-0.6B') as LocalModelRow;
const te3 = row('text-embedding-3-small') as RemoteModelRow;

describe('cache keys', () => {
  it('are 64 hex digits, stable for the same model, request and text', async () => {
    const a = await cacheKey(keyScope(bge), 'hello');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await cacheKey(keyScope({ ...bge }), 'hello')).toBe(a);
  });

  it('differ for anything that changes the vector', async () => {
    const text = 'hello';
    const variants: Array<[ModelRow, Parameters<typeof keyScope>[1]]> = [
      [bge, {}],
      [bge, { inputType: 'document' }],
      [bge, { inputType: 'query' }],
      [bge, { device: 'webgpu' }],
      [bge, { truncate: true }],
      [{ ...bge, revision: 'v2' }, {}],
      [{ ...bge, repo: 'someone/else' }, {}],
      [{ ...bge, pooling: 'mean' }, {}],
      [{ ...bge, id: 'my/alias' }, {}],
      [qwen, {}],
      [te3, {}],
      [te3, { dimensions: 256 }],
      [{ ...te3, provider: 'azure' }, {}],
    ];
    const keys = await Promise.all(variants.map(([r, req]) => cacheKey(keyScope(r, req), text)));
    expect(new Set(keys).size).toBe(variants.length);
  });

  it('store one Qwen3 vector for every dimensions, and key token ids apart from text', async () => {
    expect(keyScope(qwen, { dimensions: 64 })).toBe(keyScope(qwen, { dimensions: 256 }));
    expect(keyScope({ ...te3, nativeDimensions: false }, { dimensions: 64 })).toBe(keyScope({ ...te3, nativeDimensions: false }));
    expect(await cacheKey(keyScope(te3), [1, 2, 3])).not.toBe(await cacheKey(keyScope(te3), '[1,2,3]'));
  });
});

describe('export format', () => {
  const entry = (key: string, model: string, dims: number): ExportedEntry => ({
    key: key.repeat(64), model, tokens: dims + 1, vector: Float32Array.from({ length: dims }, (_, i) => Math.sin(i + dims)),
  });

  it('round-trips keys, models, tokens and exact float32 values', () => {
    const entries = [entry('a', 'BAAI/bge-small-en-v1.5', 384), entry('b', 'Qwen/Qwen3-Embedding-0.6B', 1024), entry('c', 'BAAI/bge-small-en-v1.5', 3)];
    const bytes = new Uint8Array(encodeEntries(entries).flatMap((p) => [...p]));
    expect(decodeEntries(bytes)).toEqual(entries);
    expect(bytes.length).toBe(16 + 52 + 3 * 44 + (384 + 1024 + 3) * 4); // header, model table, entries
  });

  it('rejects a wrong magic, a newer version and a truncated file', () => {
    const bytes = new Uint8Array(encodeEntries([entry('d', 'm', 8)]).flatMap((p) => [...p]));
    expect(() => decodeEntries(bytes.slice(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => decodeEntries(Uint8Array.from(bytes, (b, i) => (i === 0 ? 0 : b)))).toThrow(/magic/);
    expect(() => decodeEntries(Uint8Array.from(bytes, (b, i) => (i === 4 ? 2 : b)))).toThrow(/version 2/);
  });
});
