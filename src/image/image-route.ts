/**
 * Image inputs on the main thread, between the embedder and the worker: resolve `{ image }` values to
 * sources, read their content digests (for the vector cache's keys), and split a mixed list of texts and
 * images between the two towers so that each tower loads only when an input needs it.
 */

import type { ImageItem, ImageSource } from '../engine-protocol.js';
import { InternalServerError } from '../errors.js';
import { toImageSource } from './image-input.js';
import { imageCacheKey } from '../cache/image-key.js';
import { ITEMS_PER_TASK, yieldToPage } from '../page-yield.js';
import type { CachePlan, LocalPlan } from '../request-plan.js';
import type { RemoteEngine } from '../worker-rpc.js';

/** An image input on its way through the embedder; `digest` is set once the worker has read its content. */
export interface ImageInput {
  image: ImageSource;
  digest?: string;
}

/** An `{ image }` value as the caller passed it, before `resolveImages`. */
export interface RawImageInput {
  rawImage: unknown;
}

/** True for an image input (resolved). */
export function isImageInput(x: unknown): x is ImageInput {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'image' in x;
}

const isRaw = (x: unknown): x is RawImageInput => typeof x === 'object' && x !== null && !Array.isArray(x) && 'rawImage' in x;

/** Run a call on the worker's engine (`WorkerHost.call`). */
export type EngineCall = <T>(task: (engine: RemoteEngine) => Promise<T>) => Promise<T>;

const paramOf = (i: number, n: number, params?: string[]) => params?.[i] ?? (n > 1 ? `input[${i}]` : 'input');

/**
 * Replace each raw `{ image }` of `inputs` by an `ImageInput`. With `digests` (the vector cache is on), the
 * worker fetches or decodes each image once now and returns its digest and a source that needs no fetch again.
 */
export async function resolveImages<T>(inputs: Array<T | RawImageInput>, call: EngineCall, digests: boolean): Promise<Array<T | ImageInput>> {
  const at = inputs.flatMap((x, i) => (isRaw(x) ? [i] : []));
  if (!at.length) return inputs as T[];
  const out: Array<T | ImageInput> = inputs.slice() as Array<T | ImageInput>;
  const items: ImageItem[] = [];
  // One at a time: a pixel source is read back in strips, one per task, to keep the page responsive.
  for (const i of at) {
    const param = paramOf(i, inputs.length);
    items.push({ source: await toImageSource((inputs[i] as RawImageInput).rawImage, param), param });
  }
  if (!digests) {
    at.forEach((i, j) => { out[i] = { image: items[j].source }; });
    return out;
  }
  const read = await call((engine) => engine.readImages(items));
  at.forEach((i, j) => { out[i] = { image: read[j].source, digest: read[j].digest }; });
  return out;
}

/**
 * Return the cache key of each input under the plan's scope: texts and token arrays by `textKey` (the cache's
 * `cacheKey`), images by the digest of their content under the plan's image tower.
 */
export async function inputKeys(
  cache: CachePlan, inputs: ReadonlyArray<string | readonly number[] | ImageInput>,
  textKey: (scope: string, input: string | readonly number[]) => Promise<string>,
): Promise<string[]> {
  const keyOf = (input: string | readonly number[] | ImageInput) => {
    if (!isImageInput(input)) return textKey(cache.scope, input);
    if (!input.digest) throw new Error('an image input reached the cache without its digest');
    return imageCacheKey(cache.scope, cache.tower, input.digest);
  };
  // A slice of digests per task: 512 in one were a ~50 ms main-thread task (`npm run bench:trace`).
  const keys: string[] = [];
  for (let i = 0; i < inputs.length; i += ITEMS_PER_TASK) {
    if (i) await yieldToPage();
    keys.push(...await Promise.all(inputs.slice(i, i + ITEMS_PER_TASK).map(keyOf)));
  }
  return keys;
}

/** What `computeMixed` returns: one vector per input, in order, and tokens (images count none). */
export interface MixedResult {
  vectors: Float32Array[];
  tokens: number;
  tokenCounts: number[];
}

/**
 * Embed texts with the text tower and images with the image tower, each only if present, and put the vectors
 * back in input order. `params` name the inputs in errors when they are a subset of the request's.
 */
export async function computeMixed(
  plan: LocalPlan, inputs: ReadonlyArray<string | ImageInput>, params: string[] | undefined, call: EngineCall,
  texts: (texts: string[], params: string[]) => Promise<MixedResult>,
): Promise<MixedResult> {
  const textAt: number[] = [], imageAt: number[] = [];
  inputs.forEach((x, i) => (isImageInput(x) ? imageAt : textAt).push(i));
  const vectors = new Array<Float32Array>(inputs.length);
  const tokenCounts = new Array<number>(inputs.length).fill(0);
  let tokens = 0;
  const textRun = textAt.length
    ? texts(textAt.map((i) => inputs[i] as string), textAt.map((i) => paramOf(i, inputs.length, params))).then((r) => {
      textAt.forEach((i, j) => { vectors[i] = r.vectors[j]; tokenCounts[i] = r.tokenCounts[j]; });
      tokens = r.tokens;
    })
    : undefined;
  const imageRun = imageAt.length ? embedImageInputs(plan, imageAt, inputs, params, call, vectors) : undefined;
  await Promise.all([textRun, imageRun]);
  return { vectors, tokens, tokenCounts };
}

async function embedImageInputs(
  { spec }: LocalPlan, at: number[], inputs: ReadonlyArray<string | ImageInput>, params: string[] | undefined,
  call: EngineCall, vectors: Float32Array[],
): Promise<void> {
  const items = at.map((i): ImageItem => ({ source: (inputs[i] as ImageInput).image, param: paramOf(i, inputs.length, params) }));
  const result = await call((engine) => engine.embedImages(spec, items));
  if (result.vectors.length !== at.length * spec.dims) {
    throw new InternalServerError(500, { message: `${spec.id} returned a wrong number of image values`, type: 'server_error' });
  }
  at.forEach((i, j) => { vectors[i] = result.vectors.subarray(j * spec.dims, (j + 1) * spec.dims); });
}
