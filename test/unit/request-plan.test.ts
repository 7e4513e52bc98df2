import { describe, expect, it } from 'vitest';
import { keyScope } from '../../src/cache/cache-key.js';
import { BadRequestError } from '../../src/errors.js';
import { CATALOGUE, type LocalModelRow, type ModelRow, type RemoteModelRow } from '../../src/models.js';
import { modelInputs, planRequest, type LocalPlan, type RemotePlan } from '../../src/request-plan.js';
import type { NormalizedInput } from '../../src/validate.js';

const row = <T extends ModelRow>(id: string) => CATALOGUE.find((r) => r.id === id)! as T;
const bge = row<LocalModelRow>('BAAI/bge-small-en-v1.5');
const qwen = row<LocalModelRow>('Qwen/Qwen3-Embedding-0.6B');
const clip = row<LocalModelRow>('jina-clip-v1');
const te3 = row<RemoteModelRow>('text-embedding-3-small');

const local = (p: ReturnType<typeof planRequest>) => { expect(p.route).toBe('local'); return p as LocalPlan; };
const remote = (p: ReturnType<typeof planRequest>) => { expect(p.route).toBe('remote'); return p as RemotePlan; };
const text = (t: string): NormalizedInput => ({ kind: 'text', text: t });

describe('planRequest on local rows', () => {
  it('resolves repo, revision, dtype and device into the worker spec, the row\'s own device winning', () => {
    const wasm = local(planRequest({ row: bge })).spec;
    expect(wasm).toMatchObject({ id: bge.id, repo: 'Xenova/bge-small-en-v1.5', revision: 'main', dtype: 'q8', device: 'wasm', requested: 'wasm', pooling: 'cls', dims: 384 });
    expect(local(planRequest({ row: bge }, { device: 'webgpu' })).spec).toMatchObject({ device: 'webgpu', requested: 'webgpu', dtype: 'fp32' });
    expect(local(planRequest({ row: bge }, { device: 'auto' })).spec).toMatchObject({ device: 'wasm', requested: 'auto', dtype: 'q8', dtypes: bge.dtype });
    expect(local(planRequest({ row: { ...bge, device: 'wasm' } }, { device: 'webgpu' })).spec.device).toBe('wasm');
  });

  it('keys the cache as keyScope does, with \'auto\' keyed as WASM and truncation keyed apart', () => {
    const plan = local(planRequest({ row: bge, inputType: 'query' }, { device: 'auto', truncate: true }));
    expect(plan.cache).toEqual({ scope: keyScope(bge, { inputType: 'query', device: 'wasm', truncate: true }), tower: 'none', dims: 384 });
    expect(plan.truncate).toBe(true);
    expect(local(planRequest({ row: bge }, { device: 'webgpu' })).cache.scope).toBe(keyScope(bge, { device: 'webgpu' }));
    expect(local(planRequest({ row: bge })).cache.scope).not.toBe(plan.cache.scope);
  });

  it('stores Matryoshka rows full width and cuts in the response', () => {
    const plan = local(planRequest({ row: qwen, dimensions: 64 }));
    expect(plan.cache.dims).toBe(1024);
    expect(plan.responseWidth).toBe(64);
    expect(plan.cache.scope).toBe(local(planRequest({ row: qwen, dimensions: 256 })).cache.scope);
  });

  it('names the image tower and its dtype for the device', () => {
    expect(local(planRequest({ row: clip })).cache.tower).toBe('vision_model:q8');
    expect(local(planRequest({ row: clip }, { device: 'webgpu' })).cache.tower).toBe('vision_model:fp32');
  });

  it('is plain data the worker can receive (structured clone keeps it whole)', () => {
    const plan = planRequest({ row: clip, inputType: 'query' }, { device: 'auto' });
    expect(structuredClone(plan)).toEqual(plan);
  });
});

describe('planRequest on remote rows', () => {
  it('lets a provider with native dimensions compute them: stored at that width, not cut again', () => {
    const plan = remote(planRequest({ row: te3, dimensions: 256 }));
    expect(plan).toMatchObject({ providerDimensions: 256, responseWidth: undefined, cache: { dims: 256, tower: 'none' } });
    expect(plan.cache.scope).toBe(keyScope(te3, { dimensions: 256 }));
    expect(plan.row).toBe(te3);
  });

  it('emulates dimensions by cutting when the provider has no native support', () => {
    const emulated = { ...te3, nativeDimensions: false };
    const plan = remote(planRequest({ row: emulated, dimensions: 256 }));
    expect(plan).toMatchObject({ providerDimensions: undefined, responseWidth: 256, cache: { dims: 1536 } });
  });
});

describe('modelInputs', () => {
  it('applies the query instruction only for input_type query', () => {
    const inputs = [text('a'), text('b')];
    expect(modelInputs(planRequest({ row: bge, inputType: 'query' }), inputs))
      .toEqual(['Represent this sentence for searching relevant passages: a', 'Represent this sentence for searching relevant passages: b']);
    expect(modelInputs(planRequest({ row: bge, inputType: 'document' }), inputs)).toEqual(['a', 'b']);
    expect(modelInputs(planRequest({ row: bge }), inputs)).toEqual(['a', 'b']);
  });

  it('passes token ids on and keeps images raw for a model with an image tower', () => {
    expect(modelInputs(planRequest({ row: te3 }), [{ kind: 'tokens', ids: [1, 2] }])).toEqual([[1, 2]]);
    expect(modelInputs(planRequest({ row: clip }), [text('a'), { kind: 'image', image: 'data:…' }])).toEqual(['a', { rawImage: 'data:…' }]);
  });

  it('refuses an image for a model without an image tower, naming its position', () => {
    const run = () => modelInputs(planRequest({ row: bge }), [text('a'), { kind: 'image', image: 'x' }]);
    expect(run).toThrow(BadRequestError);
    expect(run).toThrow(expect.objectContaining({ param: 'input[1]' }));
  });
});
