/**
 * Bad embeddings requests generated from a fixed seed, each with the answer it must get: a 4xx and the
 * `param` that names what to fix. One defect per request, planted in an otherwise valid random body, so
 * the expected `param` is exact. Same seed, same cases: a failure names its case number and replays.
 */

import { createRng } from '../fixtures/prng.js';

/** Change it only on purpose: every case number in a failure report refers to this seed. */
export const FUZZ_SEED = 0x5eed14;

export interface FuzzCase {
  /** Position in the generated list: `generateCases(seed, n)[id]` replays it. */
  id: number;
  /** What the defect is, for the failure message. */
  label: string;
  /** The request as `embeddings.create()` gets it (any JS value). */
  body: unknown;
  /** The request's body on the wire (`client.fetch`, the service worker route); absent: not expressible as JSON. */
  wire?: string;
  status: 400 | 404;
  /** `error.param` the answer must carry (`null`: none applies). */
  param: string | null;
}

type Rng = ReturnType<typeof createRng>;
type Body = Record<string, unknown>;
/** A defect: changes the body (or replaces it) and says what answer it deserves. */
type Mutation = (body: Body, r: Tools) => { label: string; body?: unknown; wire?: string | null; status?: 400 | 404; param: string | null };

interface Tools {
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  text(): string;
  /** The param naming input position `i`: `input[i]` in a list of several, else `input` (the library's convention). */
  at(body: Body, i: number): string;
}

const WORDS = ['cat', 'dog', 'river', 'été', 'naïve', '数据', '検索', 'Straße', 'x', 'vector', '🙂', 'a\u0000b', 'tab\there'];

/** A text the tiny bge tokenizer turns into more than its 512-token limit (one token per "a", plus CLS and SEP). */
export const overLimitText = (tokens: number) => 'a '.repeat(tokens - 2).trim();

function tools(rng: Rng): Tools {
  const int = (n: number) => Math.floor(rng.uniform() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];
  return {
    int, pick,
    text: () => Array.from({ length: 1 + int(6) }, () => pick(WORDS)).join(' '),
    at: (body, i) => (Array.isArray(body.input) && body.input.length > 1 ? `input[${i}]` : 'input'),
  };
}

/** A valid body for `model`: 1–5 texts (or one string), sometimes with valid optional fields. */
function validBody(model: string, r: Tools): Body {
  const n = 1 + r.int(5);
  const body: Body = { model, input: r.int(4) === 0 ? r.text() : Array.from({ length: n }, () => r.text()) };
  if (r.int(3) === 0) body.encoding_format = r.pick(['float', 'base64']);
  if (r.int(3) === 0) body.input_type = r.pick(['query', 'document']);
  if (r.int(4) === 0) body.user = `user-${r.int(100)}`;
  return body;
}

/** The body's input as a list of at least two texts, so one bad item cannot turn the list into token ids. */
const asArray = (body: Body, r: Tools): unknown[] => {
  if (!Array.isArray(body.input)) body.input = [body.input];
  const items = body.input as unknown[];
  if (items.length < 2) items.push(r.text());
  return items;
};

const nested = (depth: number, leaf: unknown): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

const nullProto = () => Object.create(null) as object;
const throwingToString = () => ({ toString() { throw new Error('toString was called'); } });

/** Values of the wrong type for a field, JSON-expressible first. */
const WRONG = [42, -1, 3.5, true, false, {}, [], [1, 2], { a: 1 }, 1e308, -0];
/** Values only a JS caller can pass: `wire: null` marks them not sendable as JSON. */
const JS_ONLY = [NaN, Infinity, 10n, Symbol('s'), () => 1, nullProto(), new Date(0), new Map(), new Float32Array(2), throwingToString()];

/** Strings that are not well-formed UTF-16: their UTF-8 (and so their cache key) would lose the surrogate. */
const LONE = ['\uD800', 'abc\uDFFF', '\uDC00\uD800', 'x\uD83D'];

const MUTATIONS: Array<[weight: number, Mutation]> = [
  // The body itself.
  [3, (_b, r) => { const v = r.pick([null, 42, 'text', [], true, '[]']); return { label: `body ${JSON.stringify(v)}`, body: v, param: null }; }],
  [3, (_b, r) => {
    const text = r.pick(['', '{', 'not json', '{"model":', '\u0000', "{'model':'x'}", '{"model":"x",}', 'NaN', '\uFEFF\uFEFF{}', '[1,2', '<html></html>', 'x'.repeat(70_000)]);
    return { label: `non-JSON body ${JSON.stringify(text.slice(0, 20))}`, body: text, wire: text, param: null };
  }],
  [1, (b) => ({ label: 'body an array holding a valid body', body: [b], param: null })],
  // model
  [4, (b, r) => { b.model = r.pick([...WRONG, null, '']); return { label: `model ${JSON.stringify(b.model)}`, param: 'model' }; }],
  [2, (b) => { delete b.model; return { label: 'model missing', param: 'model' }; }],
  [2, (b, r) => { b.model = r.pick(JS_ONLY); return { label: 'model a JS-only value', wire: null, param: 'model' }; }],
  [4, (b, r) => {
    b.model = r.pick(['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'BAAI/bge-small-en-v1.5\u0000',
      ' BAAI/bge-small-en-v1.5', 'baai/bge-small-en-v1.5', 'm'.repeat(10_000), '\uD800', '../../etc/passwd', '%2e%2e']);
    return { label: `model unknown ${JSON.stringify(String(b.model).slice(0, 30))}`, status: 404, param: 'model' };
  }],
  // input as a whole
  [4, (b, r) => { b.input = r.pick([42, null, true, {}, { text: 'x' }, { image: 'x.png' }, '', [], 1e308, nested(3, 'a')]); return { label: `input ${JSON.stringify(b.input)}`, param: b.input === null || typeof b.input !== 'object' || !Array.isArray(b.input) || (b.input as unknown[]).length <= 1 ? 'input' : 'input[0]' }; }],
  [2, (b) => { delete b.input; return { label: 'input missing', param: 'input' }; }],
  [2, (b, r) => { b.input = r.pick([[1, 2, 3], [0], [2 ** 53], [1e308]]); return { label: `token ids ${JSON.stringify(b.input)} for a local model`, param: 'input' }; }],
  [2, (b, r) => { b.input = r.pick([NaN, Infinity, 10n, Symbol('i'), new Uint32Array([1, 2]), nullProto(), new Set(['a'])]); return { label: 'input a JS-only value', wire: null, param: 'input' }; }],
  // sizes at and past the limits
  [2, (b, r) => { const n = r.pick([2049, 2050, 4096]); b.input = Array.from({ length: n }, (_, i) => `t${i}`); return { label: `${n} inputs`, param: 'input' }; }],
  [1, (b) => { b.input = Array.from({ length: 100_000 }, () => 'x'); return { label: '100,000 inputs', param: 'input' }; }],
  [3, (b, r) => {
    const items = asArray(b, r);
    const i = r.int(items.length);
    items[i] = overLimitText(r.pick([513, 514, 600, 2000]));
    return { label: `input[${i}] over 512 tokens`, param: r.at(b, i) };
  }],
  [1, (b, r) => { b.input = overLimitText(r.pick([513, 1000])); return { label: 'one string over 512 tokens', param: 'input' }; }],
  // one bad item
  [8, (b, r) => {
    const items = asArray(b, r);
    const i = r.int(items.length);
    items[i] = r.pick([null, 42, -1, 3.5, true, {}, [], [-1], [1.5], ['a'], nested(1 + r.int(50), 1.5), '', { text: '' }, { image: 'a.png' }, { __proto__: null }]);
    return { label: `input[${i}] ${JSON.stringify(items[i])?.slice(0, 30)}`, param: r.at(b, i) };
  }],
  [2, (b, r) => { const items = asArray(b, r); const i = r.int(items.length); items[i] = nested(2_000, 'deep'); return { label: `input[${i}] nested 2,000 deep`, param: r.at(b, i) }; }],
  [3, (b, r) => { const items = asArray(b, r); const i = r.int(items.length); items[i] = r.pick(LONE) + r.text(); return { label: `input[${i}] with a lone surrogate`, param: r.at(b, i) }; }],
  [1, (b, r) => { b.input = r.pick(LONE); return { label: 'input a lone surrogate', param: 'input' }; }],
  [2, (b, r) => {
    const items = asArray(b, r);
    const i = r.int(items.length);
    items[i] = r.pick([undefined, NaN, 10n, Symbol('x'), () => 'f', nullProto(), new String('boxed')]);
    return { label: `input[${i}] a JS-only value`, wire: null, param: r.at(b, i) };
  }],
  [2, (b, r) => {
    const items = asArray(b, r);
    const i = r.int(items.length);
    items.length = Math.max(items.length, i + 2);
    delete items[i]; // a hole: map and every skip it
    return { label: `input with a hole at ${i}`, wire: null, param: `input[${i}]` };
  }],
  // optional fields
  [3, (b, r) => { b.encoding_format = r.pick([...WRONG, 'FLOAT', 'base32', 'float ', '', 'float\u0000']); return { label: `encoding_format ${JSON.stringify(b.encoding_format)}`, param: 'encoding_format' }; }],
  [3, (b, r) => { b.dimensions = r.pick([...WRONG, '8', 0, 16, 2 ** 53 + 1, nested(2_500, 1)]); return { label: `dimensions ${JSON.stringify(b.dimensions)?.slice(0, 30)}`, param: 'dimensions' }; }],
  [2, (b, r) => { b.dimensions = r.pick(JS_ONLY); return { label: 'dimensions a JS-only value', wire: null, param: 'dimensions' }; }],
  [2, (b, r) => { b.encoding_format = r.pick(JS_ONLY); return { label: 'encoding_format a JS-only value', wire: null, param: 'encoding_format' }; }],
  [3, (b, r) => { b.user = r.pick([...WRONG, null, nested(100, 'u')]); return { label: `user ${JSON.stringify(b.user)?.slice(0, 30)}`, param: 'user' }; }],
  [3, (b, r) => { b.input_type = r.pick([...WRONG, null, 'QUERY', 'search_query', '', 'query\u0000']); return { label: `input_type ${JSON.stringify(b.input_type)}`, param: 'input_type' }; }],
  [1, (b, r) => { b.input_type = r.pick(JS_ONLY); return { label: 'input_type a JS-only value', wire: null, param: 'input_type' }; }],
  // unknown fields, the prototype's names among them
  [5, (b, r) => {
    const key = r.pick(['__proto__', 'constructor', 'prototype', 'toString', 'Model', 'inputs', '', '\u0000', '\uD800', 'dimension', 'temperature']);
    Object.defineProperty(b, key, { value: r.pick([1, { model: 'x' }, null, 'v']), enumerable: true, configurable: true, writable: true });
    return { label: `unknown field ${JSON.stringify(key)}`, param: key };
  }],
];

const TOTAL_WEIGHT = MUTATIONS.reduce((n, [w]) => n + w, 0);

/** `count` bad requests for `model` (a local model without Matryoshka dimensions), from `seed`. */
export function generateCases(seed: number, count: number, model: string): FuzzCase[] {
  const rng = createRng(seed);
  const r = tools(rng);
  const cases: FuzzCase[] = [];
  for (let id = 0; id < count; id++) {
    let roll = r.int(TOTAL_WEIGHT);
    const [, mutate] = MUTATIONS.find(([w]) => (roll -= w) < 0)!;
    const body = validBody(model, r);
    const out = mutate(body, r);
    const final = 'body' in out ? out.body : body;
    const wire = out.wire === null ? undefined : out.wire ?? JSON.stringify(final);
    cases.push({ id, label: out.label, body: final, wire, status: out.status ?? 400, param: out.param });
  }
  return cases;
}
