/**
 * The official `openai` npm SDK, bundled into the test page, against `client.fetch` and the tiny models.
 * Every body that crosses the wire is validated against OpenAI's spec (test/fixtures/openai/).
 */

import Ajv from 'ajv';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type InPageEmbeddings } from '../../src/index.js';
import schema from '../fixtures/openai/openai-embeddings.schema.json';
import { asNumbers, expectSameVectors, FAMILIES, fixtureJson, type Golden, modelHost, tinyClient } from './tiny-models.js';

const ajv = new Ajv({ strict: true, strictTypes: true, allErrors: true });
ajv.addSchema(schema);
const validator = (name: string) => {
  const validate = ajv.getSchema(`urn:conformance:openai-embeddings#/definitions/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
};

/** One request and response as they crossed `client.fetch`. */
interface Exchange {
  url: string;
  method: string;
  headers: Headers;
  request: Record<string, unknown> | undefined;
  status: number;
  contentType: string | null;
  response: unknown;
}

let client: InPageEmbeddings;
let openai: OpenAI;
let wire: Exchange[] = [];

/** client.fetch, recording each exchange; the SDK calls it as fetch(url: string, init). */
const recordingFetch: typeof fetch = async (input, init) => {
  const res = await client.fetch(input, init);
  wire.push({
    url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers),
    request: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    status: res.status, contentType: res.headers.get('content-type'), response: await res.clone().json(),
  });
  return res;
};

const bert = FAMILIES.bert.id;

beforeAll(async () => {
  client = await tinyClient();
  openai = new OpenAI({ apiKey: 'unused', baseURL: 'https://inpage.local/v1', fetch: recordingFetch, dangerouslyAllowBrowser: true });
});
afterAll(() => client.dispose());

// Every body on the wire must match the spec: requests, responses (float or base64) and errors.
afterEach(() => {
  for (const x of wire) {
    expect(x.contentType).toBe('application/json');
    if (!x.url.endsWith('/embeddings')) continue;
    const requestCheck = validator('CreateEmbeddingRequest');
    expect(requestCheck(x.request), JSON.stringify(requestCheck.errors)).toBe(true);
    const name = x.status !== 200 ? 'ErrorResponse'
      : x.request?.encoding_format === 'base64' ? 'CreateEmbeddingResponseBase64' : 'CreateEmbeddingResponse';
    const responseCheck = validator(name);
    expect(responseCheck(x.response), `${name}: ${JSON.stringify(responseCheck.errors)}`).toBe(true);
  }
  wire = [];
});

async function floats(model: string, input: string | string[], extra: { dimensions?: number } = {}): Promise<number[][]> {
  const res = await client.embeddings.create({ model, input, ...extra });
  return res.data.map((d) => d.embedding as number[]);
}

async function rejection(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try { await p; } catch (err) { if (err instanceof OpenAI.APIError) return err; throw err; }
  throw new Error('expected a rejection');
}

describe('openai SDK embeddings.create on client.fetch', () => {
  it('default call: base64 on the wire, number[] back, equal to create()', async () => {
    const res = await openai.embeddings.create({ model: bert, input: 'The quick brown fox' });
    expect(wire).toHaveLength(1);
    expect(wire[0].request).toEqual({ model: bert, input: 'The quick brown fox', encoding_format: 'base64' });
    expect(wire[0].headers.get('authorization')).toBe('Bearer unused');
    expect(typeof (wire[0].response as { data: Array<{ embedding: unknown }> }).data[0].embedding).toBe('string');
    expect(Array.isArray(res.data[0].embedding)).toBe(true);
    expect(res.data[0].embedding).toEqual((await floats(bert, 'The quick brown fox'))[0]);
    expect(res.model).toBe(bert);
    expect(res._request_id).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it('works with client.fetch passed as is (no wrapper, unbound call)', async () => {
    const plain = new OpenAI({ apiKey: 'unused', baseURL: 'https://inpage.local/v1/', fetch: client.fetch, dangerouslyAllowBrowser: true });
    const res = await plain.embeddings.create({ model: bert, input: ['one', 'two'] });
    expectSameVectors(res.data.map((d) => d.embedding as number[]), await floats(bert, ['one', 'two']));
  });

  it('explicit float: float on the wire and back', async () => {
    const res = await openai.embeddings.create({ model: bert, input: 'float me', encoding_format: 'float' });
    expect(wire[0].request?.encoding_format).toBe('float');
    expect(Array.isArray((wire[0].response as { data: Array<{ embedding: unknown }> }).data[0].embedding)).toBe(true);
    expect(res.data[0].embedding).toEqual((await floats(bert, 'float me'))[0]);
  });

  it('explicit base64: the SDK hands back the string, which decodes to the same floats', async () => {
    const res = await openai.embeddings.create({ model: bert, input: 'encode me', encoding_format: 'base64' });
    const embedding = res.data[0].embedding as unknown;
    expect(typeof embedding).toBe('string');
    expect(asNumbers(embedding as string)).toEqual((await floats(bert, 'encode me'))[0]);
  });

  it('a 3-item batch comes back in input order, each equal to its text alone', async () => {
    const input = ['alpha', 'a somewhat longer second input', 'gamma'];
    const res = await openai.embeddings.create({ model: bert, input });
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    // Equal up to float rounding: the planner may run the three in one padded batch, whose matrix
    // products sum in another order than a run of one text (masked pooling makes the padding itself inert).
    const alone: number[][] = [];
    for (const text of input) alone.push((await floats(bert, text))[0]);
    expectSameVectors(res.data.map((d) => d.embedding as number[]), alone);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens);
  });

  it('dimensions on Qwen3: half the width, unit length, equal to create()', async () => {
    const { id, repo } = FAMILIES.qwen3;
    const width = (await fixtureJson<Golden>(repo, 'golden.json')).vectors[0].length;
    const dimensions = width / 2;
    const res = await openai.embeddings.create({ model: id, input: 'matryoshka', dimensions });
    expect(wire[0].request).toEqual({ model: id, input: 'matryoshka', dimensions, encoding_format: 'base64' });
    const v = res.data[0].embedding;
    expect(v).toHaveLength(dimensions);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    expect(v).toEqual((await floats(id, 'matryoshka', { dimensions }))[0]);
  });
});

describe('openai SDK errors from client.fetch', () => {
  it('token ids on a local model: 400 raised as the SDK BadRequestError with status and param', async () => {
    const err = await rejection(openai.embeddings.create({ model: bert, input: [101, 2023, 102] }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, param: 'input', type: 'invalid_request_error' });
    expect(err.message).toContain('Local models take text');
    expect(wire).toHaveLength(1); // 4xx is not retried
  });

  it('an empty string: 400 BadRequestError naming input', async () => {
    const err = await rejection(openai.embeddings.create({ model: bert, input: '' }));
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, param: 'input' });
  });

  it('an unknown model: 404 NotFoundError with code model_not_found', async () => {
    const err = await rejection(openai.embeddings.create({ model: 'text-embedding-nope', input: 'hi' }));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(err.requestID).toMatch(/^req_/);
  });

  it('an aborted call rejects with the SDK APIUserAbortError', async () => {
    const controller = new AbortController();
    const pending = openai.embeddings.create({ model: bert, input: 'never mind' }, { signal: controller.signal });
    controller.abort();
    expect(await pending.then(() => null, (err: unknown) => err)).toBeInstanceOf(OpenAI.APIUserAbortError);
    wire = []; // nothing completed
  });
});

describe('openai SDK models on client.fetch', () => {
  it('models.list() gives the catalogue in OpenAI list shape', async () => {
    const page = await openai.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(Object.values(FAMILIES).map((f) => f.id)));
    expect(ids).toEqual((await client.models.list()).data.map((m) => m.id));
    // The shared schema covers only embeddings: check the spec's ListModelsResponse / Model fields by hand.
    const body = wire[0].response as { object: unknown; data: Array<Record<string, unknown>> };
    expect(body.object).toBe('list');
    for (const m of body.data) {
      expect(Object.keys(m).sort()).toEqual(['created', 'id', 'object', 'owned_by']);
      expect(m).toMatchObject({ id: expect.any(String), object: 'model', created: expect.any(Number), owned_by: expect.any(String) });
      expect(Number.isInteger(m.created)).toBe(true);
    }
  });

  it('models.retrieve() finds an id with a slash', async () => {
    expect(await openai.models.retrieve(bert)).toMatchObject({ id: bert, object: 'model' });
  });
});

describe('client.fetch for plain fetch callers', () => {
  it('answers a relative URL and a Request object like the network would', async () => {
    const body = JSON.stringify({ model: bert, input: 'plain' });
    const viaUrl = await client.fetch('/v1/embeddings', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const viaRequest = await client.fetch(new Request(new URL('/v1/embeddings', location.href), { method: 'POST', body }));
    const a = await viaUrl.json();
    const b = await viaRequest.json();
    expect(a.data[0].embedding).toEqual((await floats(bert, 'plain'))[0]);
    expect(b.data[0].embedding).toEqual(a.data[0].embedding);
  });

  it('passes other URLs to the network', async () => {
    const golden = await client.fetch(`${modelHost()}${FAMILIES.bert.repo}/resolve/main/golden.json`);
    expect(golden.status).toBe(200);
    expect((await golden.json()).texts.length).toBeGreaterThan(0);
  });
});

