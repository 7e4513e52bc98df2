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

function isTokenId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}

function isObjectInput(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function normalizeObject(item: Record<string, unknown>, param: string, row: ModelRow): NormalizedInput {
  if (!row.multimodal) {
    throw badRequest(`${INVALID_INPUT} ${param} is an object, but ${row.id} takes only text: pass a string.`, param);
  }
  if (typeof item.text === 'string' && !('image' in item)) {
    if (item.text === '') throw badRequest(`${INVALID_INPUT} ${param}.text is empty; pass non-empty text.`, param);
    return { kind: 'text', text: item.text };
  }
  if ('image' in item && !('text' in item) && item.image != null) return { kind: 'image', image: item.image };
  throw badRequest(`${INVALID_INPUT} ${param} must be { text: string } or { image: url | data URI | base64 | Blob }.`, param);
}

function normalizeInputs(input: unknown, row: ModelRow): NormalizedInput[] {
  if (typeof input === 'string') {
    if (input === '') throw badRequest(`${INVALID_INPUT} input cannot be an empty string.`, 'input');
    return [{ kind: 'text', text: input }];
  }
  if (isObjectInput(input)) return [normalizeObject(input, 'input', row)];
  if (!Array.isArray(input)) {
    throw badRequest(`${INVALID_INPUT} input must be a string, an array of strings, or an array of token ids.`, 'input');
  }
  if (input.length === 0) throw badRequest(`${INVALID_INPUT} input must not be an empty array.`, 'input');
  if (input.length > MAX_ITEMS) {
    throw badRequest(`${INVALID_INPUT} input has ${input.length} items; an array must be ${MAX_ITEMS} items or less.`, 'input');
  }
  if (input.every(isTokenId)) return [{ kind: 'tokens', ids: input as number[] }];
  return input.map((item, i): NormalizedInput => {
    const param = `input[${i}]`;
    if (typeof item === 'string') {
      if (item === '') throw badRequest(`${INVALID_INPUT} ${param} is an empty string; inputs cannot be empty.`, param);
      return { kind: 'text', text: item };
    }
    if (Array.isArray(item)) {
      if (item.length === 0 || !item.every(isTokenId)) {
        throw badRequest(`${INVALID_INPUT} ${param} must be a non-empty array of non-negative integer token ids.`, param);
      }
      return { kind: 'tokens', ids: item };
    }
    if (isObjectInput(item)) return normalizeObject(item, param, row);
    throw badRequest(`${INVALID_INPUT} ${param} has type ${item === null ? 'null' : typeof item}; pass a string.`, param);
  });
}

function checkDimensions(dimensions: unknown, row: ModelRow): number | undefined {
  if (dimensions === undefined || dimensions === null) return undefined;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
    throw badRequest(`Invalid value for 'dimensions' = ${JSON.stringify(dimensions)}: it must be an integer of at least 1.`, 'dimensions');
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
    throw badRequest(`Invalid value for 'encoding_format' = ${String(format)}. Supported values: ['float', 'base64'].`, 'encoding_format');
  }
  if (body.user !== undefined && typeof body.user !== 'string') {
    throw badRequest("Invalid type for 'user': expected a string.", 'user');
  }
  const inputType = body.input_type;
  if (inputType !== undefined && inputType !== 'query' && inputType !== 'document') {
    throw badRequest(`Invalid value for 'input_type' = ${String(inputType)}. Supported values: ['query', 'document'].`, 'input_type');
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
