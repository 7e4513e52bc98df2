/** Request validation: an `EmbeddingCreateParams` becomes a normalized request, or a typed 400/404 naming `param`. */

import { badRequest, NotFoundError } from './errors.js';
import type { ModelRow } from './models.js';

/** One input after validation. */
export type NormalizedInput =
  | { kind: 'text'; text: string }
  | { kind: 'tokens'; ids: number[] }
  | { kind: 'image'; image: unknown };

/** A request that passed validation. */
export interface NormalizedRequest {
  row: ModelRow;
  /** The id the caller asked for, echoed as the response's `model`. */
  model: string;
  inputs: NormalizedInput[];
  encodingFormat: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  inputType?: 'query' | 'document';
}

const KNOWN_FIELDS = new Set(['input', 'model', 'encoding_format', 'dimensions', 'user', 'input_type']);
const MAX_ITEMS = 2048;
const INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

/** Find a model row by id, or throw OpenAI's 404 `model_not_found`. */
export function findModel(catalogue: ReadonlyMap<string, ModelRow>, id: string): ModelRow {
  const row = catalogue.get(id);
  if (!row) {
    throw new NotFoundError(404, {
      message: `The model \`${id}\` does not exist or you do not have access to it. ` +
        'Call models.list() for the ids this client serves, or add a row with the `models` option.',
      type: 'invalid_request_error', param: 'model', code: 'model_not_found',
    });
  }
  return row;
}

/** A lone surrogate: a string holding one has no UTF-8 form, so its vector and cache key would be U+FFFD's. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A value for an error message, whatever it is (BigInt, Symbol, a null-prototype object, a throwing toString). */
function describe(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 80 ? `${json.slice(0, 80)}…` : json;
  } catch { /* BigInt, cycles, depth */ }
  return typeof value === 'object' && value !== null ? 'an object' : typeof value;
}

/** A text input, or a 400 naming `param` when it is empty or not well-formed UTF-16. */
function textInput(text: string, param: string, what: string): NormalizedInput {
  if (text === '') throw badRequest(`${INVALID_INPUT} ${what} is empty; inputs cannot be empty.`, param);
  const lone = LONE_SURROGATE.exec(text);
  if (lone) {
    throw badRequest(`${INVALID_INPUT} ${what} holds a lone UTF-16 surrogate at position ${lone.index}, which has no UTF-8 form ` +
      '(it would be embedded and cached as U+FFFD). Pass well-formed text, e.g. text.toWellFormed().', param);
  }
  return { kind: 'text', text };
}

function isTokenId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

/** A lone input is `input`, also in a list of one; inputs of a longer list are `input[i]`. */
const paramOf = (i: number, n: number) => (n > 1 ? `input[${i}]` : 'input');

function allTokenIds(items: unknown[]): boolean {
  for (let i = 0; i < items.length; i++) if (!isTokenId(items[i])) return false;
  return true;
}

function isObjectInput(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function normalizeObject(item: Record<string, unknown>, param: string, row: ModelRow): NormalizedInput {
  if (!row.multimodal) {
    throw badRequest(`${INVALID_INPUT} ${param} is an object, but ${row.id} takes only text: pass a string.`, param);
  }
  if (typeof item.text === 'string' && !('image' in item)) return textInput(item.text, param, `${param}.text`);
  if ('image' in item && !('text' in item) && item.image != null) return { kind: 'image', image: item.image };
  throw badRequest(`${INVALID_INPUT} ${param} must be { text: string } or { image: url | data URI | base64 | Blob }.`, param);
}

function normalizeInputs(input: unknown, row: ModelRow): NormalizedInput[] {
  if (typeof input === 'string') return [textInput(input, 'input', 'input')];
  if (isObjectInput(input)) return [normalizeObject(input, 'input', row)];
  if (!Array.isArray(input)) {
    throw badRequest(`${INVALID_INPUT} input must be a string, an array of strings, or an array of token ids.`, 'input');
  }
  if (input.length === 0) throw badRequest(`${INVALID_INPUT} input must not be an empty array.`, 'input');
  if (input.length > MAX_ITEMS) {
    throw badRequest(`${INVALID_INPUT} input has ${input.length} items; an array must be ${MAX_ITEMS} items or less.`, 'input');
  }
  // Index loops, not every/map: those skip the holes of a sparse array, which would pass as valid.
  const items = Array.from(input as unknown[]);
  if (allTokenIds(items)) return [{ kind: 'tokens', ids: items as number[] }];
  return items.map((item, i): NormalizedInput => {
    const param = paramOf(i, items.length);
    if (typeof item === 'string') return textInput(item, param, param);
    if (Array.isArray(item)) {
      if (item.length === 0 || !allTokenIds(Array.from(item as unknown[]))) {
        throw badRequest(`${INVALID_INPUT} ${param} must be a non-empty array of non-negative integer token ids.`, param);
      }
      return { kind: 'tokens', ids: Array.from(item as number[]) };
    }
    if (isObjectInput(item)) return normalizeObject(item, param, row);
    throw badRequest(`${INVALID_INPUT} ${param} has type ${item === null ? 'null' : typeof item}; pass a string.`, param);
  });
}

function checkDimensions(dimensions: unknown, row: ModelRow): number | undefined {
  if (dimensions === undefined || dimensions === null) return undefined;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
    throw badRequest(`Invalid value for 'dimensions' = ${describe(dimensions)}: it must be an integer of at least 1.`, 'dimensions');
  }
  if (!row.matryoshka) throw badRequest('This model does not support specifying dimensions.', 'dimensions');
  const { min, max } = row.matryoshka;
  if (dimensions < min || dimensions > max) {
    throw badRequest(`Invalid value for 'dimensions' = ${dimensions}: ${row.id} supports ${min} to ${max}.`, 'dimensions');
  }
  return dimensions;
}

/** Validate a request against the schema and the model's row; throw a typed error naming the field to fix. */
export function validateRequest(body: unknown, catalogue: ReadonlyMap<string, ModelRow>): NormalizedRequest {
  if (!isObjectInput(body)) throw badRequest('The request body must be an object with `model` and `input`.', null);
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) throw badRequest(`Unrecognized request argument supplied: ${key}`, key);
  }
  if (typeof body.model !== 'string' || body.model === '') {
    throw badRequest('You must provide a model parameter: a model id string such as "BAAI/bge-small-en-v1.5".', 'model');
  }
  const row = findModel(catalogue, body.model);
  if (body.input === undefined) throw badRequest("Missing required parameter: 'input'.", 'input');
  const inputs = normalizeInputs(body.input, row);

  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw badRequest(`Invalid value for 'encoding_format' = ${describe(format)}. Supported values: ['float', 'base64'].`, 'encoding_format');
  }
  if (body.user !== undefined && typeof body.user !== 'string') {
    throw badRequest("Invalid type for 'user': expected a string.", 'user');
  }
  const inputType = body.input_type;
  if (inputType !== undefined && inputType !== 'query' && inputType !== 'document') {
    throw badRequest(`Invalid value for 'input_type' = ${describe(inputType)}. Supported values: ['query', 'document'].`, 'input_type');
  }
  const dimensions = checkDimensions(body.dimensions, row);
  if (row.route === 'local' && inputs.some((i) => i.kind === 'tokens')) {
    const at = inputs.findIndex((i) => i.kind === 'tokens');
    throw badRequest(
      `${INVALID_INPUT} Local models take text, not token ids (input${inputs.length > 1 ? `[${at}]` : ''}): ` +
        'send strings (LangChain: set checkEmbeddingCtxLength: false).', 'input');
  }
  return {
    row, model: body.model, inputs, encodingFormat: format, dimensions,
    user: body.user as string | undefined, inputType: inputType as 'query' | 'document' | undefined,
  };
}
