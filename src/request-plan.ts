/**
 * A request resolved once: its catalogue row and the client's options become one plan (route; for local
 * rows the worker's model spec: repo, revision, dtype, device, pooling; the query instruction; the cache's
 * key scope and widths). Every later step takes the plan, never the row, so a request's data flows down
 * only. Pure: no DOM, ORT or comlink, so it is unit-tested in Node.
 */

import { keyScope } from './cache/cache-key.js';
import type { LocalModelSpec } from './engine-protocol.js';
import { badRequest } from './errors.js';
import type { DeviceChoice, LocalModelRow, ModelRow, RemoteModelRow } from './models.js';
import type { NormalizedInput } from './validate.js';

/** The client options a plan depends on. */
export interface PlanOptions {
  /** Where local models run when their row names no device. Default `'wasm'`. */
  device?: DeviceChoice;
  /** Cut over-long inputs instead of answering 400. Default false. */
  truncate?: boolean;
}

/** The parts of a validated request a plan depends on. */
export interface PlanRequest {
  row: ModelRow;
  inputType?: 'query' | 'document';
  dimensions?: number;
}

/** How this request's vectors are keyed and stored in the vector cache. */
export interface CachePlan {
  /** `keyScope(row, …)`: the prefix of every key of this request. */
  scope: string;
  /** The image tower in image keys (`vision_model:q8`); `'none'` on rows without one. */
  tower: string;
  /** Width of a stored vector: full, except where a remote provider computes `dimensions` itself. */
  dims: number;
}

interface CommonPlan {
  /** The row's id: names the model in errors, the usage ledger and cache entries. */
  model: string;
  /** Full output width. */
  dims: number;
  pricePerMillion: number;
  /** The query instruction (`{text}` stands for the input), set only for `input_type: 'query'`. */
  instruction?: string;
  cache: CachePlan;
  /** Matryoshka width the response cuts each vector to; absent when none, or when the provider served it. */
  responseWidth?: number;
}

/** A model computed in the page's worker. */
export interface LocalPlan extends CommonPlan {
  route: 'local';
  /** What the worker loads and runs: repo, revision, dtype and device, pooling, the image tower. */
  spec: LocalModelSpec;
  /** The client's `truncate`. */
  truncate: boolean;
}

/** A model forwarded to its provider. */
export interface RemotePlan extends CommonPlan {
  route: 'remote';
  /** The provider, its wire model id and its request limits. */
  row: RemoteModelRow;
  /** `dimensions` the provider computes itself (rows with `nativeDimensions`). */
  providerDimensions?: number;
}

/** One request's model, resolved. */
export type RequestPlan = LocalPlan | RemotePlan;

/** A text (instruction applied), token ids (remote rows), or an image as the caller passed it. */
export type ModelInput = string | number[] | { rawImage: unknown };

/**
 * Return what the worker needs of a local row on the device asked for: `'webgpu'` only when named,
 * `'auto'` travels as `'wasm'` with `requested: 'auto'` (the worker decides), dtypes per device for that.
 */
export function workerSpec(row: LocalModelRow, device: DeviceChoice = 'wasm'): LocalModelSpec {
  const requested = row.device ?? device;
  const on = requested === 'webgpu' ? 'webgpu' : 'wasm';
  return {
    id: row.id, repo: row.repo, revision: row.revision, dtype: row.dtype[on], device: on, requested, dtypes: row.dtype,
    pooling: row.pooling,
    paddingSide: row.paddingSide, eosTokenId: row.eosTokenId, maxTokens: row.maxTokens,
    modelFileName: row.modelFileName, output: row.output, dims: row.dims, hostingNote: row.hostingNote,
    vision: row.vision && { modelFileName: row.vision.modelFileName, output: row.vision.output, dtype: row.vision.dtype[on] },
  };
}

/** Resolve a validated request against the client's options, once. */
export function planRequest(req: PlanRequest, options: PlanOptions = {}): RequestPlan {
  const { row, inputType, dimensions } = req;
  const common = {
    model: row.id, dims: row.dims, pricePerMillion: row.pricePerMillion,
    instruction: inputType === 'query' ? row.queryTemplate : undefined,
  };
  if (row.route === 'local') {
    const spec = workerSpec(row, options.device);
    // 'auto' keys as WASM: it serves WebGPU vectors only after they matched WASM's (cosine >= 0.999).
    const scope = keyScope(row, { inputType, dimensions, device: spec.device, truncate: options.truncate });
    const tower = spec.vision ? `${spec.vision.modelFileName}:${spec.vision.dtype}` : 'none';
    return {
      ...common, route: 'local', spec, truncate: options.truncate ?? false,
      cache: { scope, tower, dims: row.dims }, responseWidth: dimensions,
    };
  }
  const native = row.nativeDimensions && dimensions !== undefined;
  return {
    ...common, route: 'remote', row, providerDimensions: native ? dimensions : undefined,
    cache: { scope: keyScope(row, { inputType, dimensions, truncate: options.truncate }), tower: 'none', dims: native ? dimensions : row.dims },
    // The provider already answered at that width.
    responseWidth: native ? undefined : dimensions,
  };
}

/**
 * Return the inputs as the model sees them: the plan's instruction applied to texts, token ids passed on
 * (validation let them through for remote rows only), images kept raw for `resolveImages`. An image for a
 * model without an image tower here is a 400 naming its position.
 */
export function modelInputs(plan: RequestPlan, inputs: readonly NormalizedInput[]): ModelInput[] {
  return inputs.map((input, i) => {
    if (input.kind === 'tokens') return input.ids;
    if (input.kind === 'image') {
      const param = inputs.length > 1 ? `input[${i}]` : 'input';
      if (plan.route !== 'local' || !plan.spec.vision) throw badRequest(`Invalid '${param}': ${plan.model} has no image tower here; pass text.`, param);
      return { rawImage: input.image };
    }
    return plan.instruction ? plan.instruction.replace('{text}', input.text) : input.text;
  });
}
