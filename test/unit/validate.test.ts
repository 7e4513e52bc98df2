import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '../../src/client-options.js';
import { APIError, BadRequestError, NotFoundError } from '../../src/errors.js';
import { CATALOGUE } from '../../src/models.js';
import { validateRequest } from '../../src/validate.js';

const catalogue = buildCatalogue(CATALOGUE);
const bge = 'BAAI/bge-small-en-v1.5';

function rejection(body: unknown): APIError {
  try {
    validateRequest(body, catalogue);
  } catch (err) {
    if (err instanceof APIError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('validateRequest', () => {
  it('normalizes a string, a string array and defaults', () => {
    const one = validateRequest({ model: bge, input: 'hi' }, catalogue);
    expect(one.inputs).toEqual([{ kind: 'text', text: 'hi' }]);
    expect(one.encodingFormat).toBe('float');
    const many = validateRequest({ model: bge, input: ['a', 'b'], encoding_format: 'base64', user: 'u' }, catalogue);
    expect(many.inputs.map((i) => i.kind)).toEqual(['text', 'text']);
    expect(many.encodingFormat).toBe('base64');
    expect(many.user).toBe('u');
  });

  it('answers 404 model_not_found for an unknown model', () => {
    const err = rejection({ model: 'nope/nope', input: 'x' });
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.status).toBe(404);
    expect(err.code).toBe('model_not_found');
    expect(err.type).toBe('invalid_request_error');
    expect(err.message).toContain('nope/nope');
  });

  it.each([
    [{ model: bge, input: '' }, 'input'],
    [{ model: bge, input: [] }, 'input'],
    [{ model: bge, input: ['ok', ''] }, 'input[1]'],
    [{ model: bge, input: ['ok', 3.5] }, 'input[1]'],
    [{ model: bge, input: Array(2049).fill('x') }, 'input'],
    [{ model: bge, input: 42 }, 'input'],
    [{ model: bge }, 'input'],
    [{ input: 'x' }, 'model'],
    [{ model: bge, input: 'x', encoding_format: 'md5' }, 'encoding_format'],
    [{ model: bge, input: 'x', dimensions: 128 }, 'dimensions'],
    [{ model: 'Qwen/Qwen3-Embedding-0.6B', input: 'x', dimensions: 16 }, 'dimensions'],
    [{ model: 'Qwen/Qwen3-Embedding-0.6B', input: 'x', dimensions: 2000 }, 'dimensions'],
    [{ model: 'Qwen/Qwen3-Embedding-0.6B', input: 'x', dimensions: 64.5 }, 'dimensions'],
    [{ model: bge, input: 'x', user: 7 }, 'user'],
    [{ model: bge, input: 'x', input_type: 'passage' }, 'input_type'],
    [{ model: bge, input: 'x', temperature: 1 }, 'temperature'],
    [{ model: bge, input: [1, 2, 3] }, 'input'],
    [{ model: bge, input: [[1, 2], [3]] }, 'input'],
    [{ model: bge, input: { text: 'x' } }, 'input'],
  ])('rejects %j with a 400 naming %s', (body, param) => {
    const err = rejection(body);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
    expect(err.type).toBe('invalid_request_error');
    expect(err.toJSON()).toEqual({ error: { message: err.message, type: err.type, param, code: err.code } });
  });

  it('says "This model does not support specifying dimensions." for non-Matryoshka models', () => {
    expect(rejection({ model: 'BAAI/bge-m3', input: 'x', dimensions: 256 }).message)
      .toBe('This model does not support specifying dimensions.');
  });

  it('names the Matryoshka range when dimensions is out of it', () => {
    expect(rejection({ model: 'Qwen/Qwen3-Embedding-0.6B', input: 'x', dimensions: 8 }).message).toContain('32 to 1024');
  });

  it('tells local models take text when given token ids', () => {
    expect(rejection({ model: bge, input: [101, 102] }).message).toMatch(/Local models take text/);
  });

  it('accepts token arrays for remote models and objects for multimodal ones', () => {
    expect(validateRequest({ model: 'text-embedding-3-small', input: [[1, 2], [3]] }, catalogue).inputs)
      .toEqual([{ kind: 'tokens', ids: [1, 2] }, { kind: 'tokens', ids: [3] }]);
    expect(validateRequest({ model: 'jina-clip-v1', input: [{ text: 'a' }, 'b'] }, catalogue).inputs)
      .toEqual([{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }]);
  });
});
