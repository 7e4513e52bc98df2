/**
 * Vector-cache keys: SHA-256 (`crypto.subtle`) over everything that changes a vector. Pure: no DOM, no
 * IndexedDB, so a server can compute the same keys (Node 20 has `crypto.subtle`) and ship vectors in the
 * export format of `cache-format.ts`.
 */

import type { ModelRow } from '../models.js';

/** Bump when the key derivation changes: old entries then simply stop matching. */
const KEY_VERSION = 'inpage-embeddings/key/v1';

/** What a request contributes to its keys besides the input itself. */
export interface KeyRequest {
  /** `input_type`; `undefined` (raw text) is kept apart from `'document'` and `'query'`. */
  inputType?: 'query' | 'document';
  /** The requested `dimensions`; part of the key only where the provider computes it natively. */
  dimensions?: number;
  /** `'wasm'` or `'webgpu'`: picks the row's dtype. Default `'wasm'`. */
  device?: 'wasm' | 'webgpu';
  /** The client's `truncate` option: a cut input is a different text, so the cut point joins the key. */
  truncate?: boolean;
}

/**
 * Return the canonical JSON prefix shared by every key of one (row, request): route, provider, model
 * id, repo, revision, dtype, pooling, padding side, normalization, input_type and, for remote rows with
 * native `dimensions`, the width. Matryoshka local rows leave `dimensions` out: the full vector is stored
 * once and any width is cut from it. A remote provider is keyed by name, not by its `baseURL`.
 */
export function keyScope(row: ModelRow, req: KeyRequest = {}): string {
  const common = [KEY_VERSION, row.route, row.id];
  const tail = [req.inputType ?? null];
  if (row.route === 'local') {
    const dtype = row.dtype[req.device ?? 'wasm'];
    return JSON.stringify([
      ...common, row.repo, row.revision, dtype, row.pooling, 'l2', row.output, row.modelFileName ?? 'model',
      // Padding side cannot change a mask-aware pooled vector; it is keyed anyway so a padding bug never hides.
      row.paddingSide, row.eosTokenId ?? null, req.truncate ? row.maxTokens : null, ...tail,
    ]);
  }
  const dims = row.nativeDimensions && req.dimensions ? req.dimensions : null;
  return JSON.stringify([...common, row.provider, row.providerModel, 'as-served', dims, ...tail]);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Return lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/** Return the bytes of a lowercase or uppercase hex string (even length). */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Return the 64-hex-digit key of one model input: SHA-256 of the UTF-8 of `<scope>\n<JSON of input>`,
 * where the input is the exact text the model sees (query instruction applied) or a token-id array.
 */
export async function cacheKey(scope: string, input: string | readonly number[]): Promise<string> {
  const bytes = new TextEncoder().encode(`${scope}\n${JSON.stringify(input)}`);
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** Return the keys of many inputs of one scope, in order. */
export function cacheKeys(scope: string, inputs: ReadonlyArray<string | readonly number[]>): Promise<string[]> {
  return Promise.all(inputs.map((input) => cacheKey(scope, input)));
}
