/** Check and decode a provider's embeddings response: one finite vector of the expected width per input, by `index`. */

import { InternalServerError } from '../errors.js';
import { base64ToFloat32, normalizeInPlace } from '../vector-math.js';

/** Vectors of one request, in input order, and the tokens the provider billed. */
export interface DecodedPart {
  vectors: Float32Array[];
  tokens: number;
}

/** A provider answered 2xx with something that is not a usable embeddings response (never retried, never cached). */
export function badResponse(where: string, detail: string): InternalServerError {
  return new InternalServerError(502, {
    message: `${where} answered with an unusable embeddings response: ${detail}`,
    type: 'server_error', param: null, code: 'bad_provider_response',
  });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Turn one `embedding` (floats or base64, whatever was asked) into a Float32Array, or say what is wrong. */
function decodeVector(embedding: unknown, at: string, fail: (detail: string) => Error): Float32Array {
  let v: Float32Array;
  if (typeof embedding === 'string') {
    try {
      v = base64ToFloat32(embedding);
    } catch {
      throw fail(`${at} is a string but not base64 of float32 values`);
    }
  } else if (Array.isArray(embedding)) {
    v = new Float32Array(embedding.length);
    for (let k = 0; k < embedding.length; k++) {
      const x = embedding[k];
      // JSON has no NaN: JavaScript servers write it as null, and Number(null) would be 0.
      if (typeof x !== 'number') throw fail(`${at}[${k}] is ${x === null ? 'null (NaN on the server?)' : typeof x}, not a number`);
      v[k] = x;
    }
  } else {
    throw fail(`${at} is ${embedding === null ? 'null' : typeof embedding}, not an array or a base64 string`);
  }
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k])) throw fail(`${at}[${k}] is ${v[k]}`);
  }
  return v;
}

/**
 * Decode `body` for `count` inputs. `dims` is the width every vector must have (0: take the first
 * vector's width and hold the rest to it). Vectors come back renormalized to unit length, so a server
 * that skips normalization answers the same as one that does not.
 */
export function decodeEmbeddings(body: unknown, count: number, dims: number, where: string): DecodedPart {
  const fail = (detail: string) => badResponse(where, detail);
  if (!isRecord(body) || !Array.isArray(body.data)) throw fail('no `data` array');
  const data = body.data as unknown[];
  if (data.length !== count) throw fail(`${data.length} embeddings for ${count} inputs`);
  const vectors = new Array<Float32Array>(count);
  let width = dims;
  data.forEach((item, position) => {
    if (!isRecord(item)) throw fail(`data[${position}] is not an object`);
    const index = item.index ?? position;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count || vectors[index]) {
      throw fail(`data[${position}].index is ${JSON.stringify(item.index)}: indexes must be 0..${count - 1}, each once`);
    }
    const v = decodeVector(item.embedding, `data[${position}].embedding`, fail);
    if (width === 0) width = v.length;
    if (v.length !== width) {
      throw fail(`data[${position}].embedding has ${v.length} values, expected ${width}`);
    }
    vectors[index] = normalizeInPlace(v);
  });
  const usage = isRecord(body.usage) ? body.usage : {};
  const tokens = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens
    : typeof usage.total_tokens === 'number' ? usage.total_tokens : 0;
  return { vectors, tokens };
}
