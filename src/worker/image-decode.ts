/**
 * Images in the worker: fetch URLs, decode base64, digest the bytes for the vector cache, and decode to RGBA
 * with `createImageBitmap` + `OffscreenCanvas`, so none of it runs on the page's thread. Every failure is a
 * 400 naming the input (`input[3]`).
 */

import { badRequest } from '../errors.js';
import { imageDigest } from '../cache/image-key.js';
import type { ImageItem, ImageSource, ReadImage } from '../engine-protocol.js';

/** Decoded pixels, 4 bytes per pixel, straight (not premultiplied) alpha. */
export interface Rgba {
  data: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
}

/** Chromium's largest canvas area; a bigger image cannot be read back. */
const MAX_PIXELS = 268_435_456;

const invalid = (param: string, message: string, code = 'invalid_image') =>
  badRequest(`Invalid '${param}': ${message}`, param, code);

const shortUrl = (url: string) => (url.length > 120 ? `${url.slice(0, 117)}...` : url);

/** Fetch an image URL's bytes. The browser does not say why a fetch failed, so CORS and the network share one message. */
async function fetchBytes(url: string, param: string): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(url, { credentials: 'same-origin' });
  } catch (cause) {
    throw invalid(param,
      `the image at ${shortUrl(url)} could not be fetched (${(cause as Error).message}): the server is unreachable, or ` +
        'it does not allow cross-origin requests from this page (CORS). Fetch the image where you can (your own ' +
        'server, a same-origin proxy) or pass it as a Blob or File: { image: blob }.', 'image_fetch_failed');
  }
  if (!res.ok) {
    throw invalid(param, `fetching the image at ${shortUrl(url)} failed with HTTP ${res.status}.`, 'image_fetch_failed');
  }
  return res.blob();
}

const DATA_URI = /^data:(image\/[\w.+-]+)((?:;[\w-]+=[^;,]*)*);base64,/i;

/** Decode a `data:image/...;base64,` URI or bare base64 into a Blob. */
function base64Bytes(data: string, param: string): Blob {
  const header = DATA_URI.exec(data);
  const body = (header ? data.slice(header[0].length) : data).replace(/\s+/g, '');
  let binary: string;
  try {
    binary = atob(body);
  } catch {
    throw invalid(param, `the image is not valid base64${header ? ' after its data: URI header' : ''}.`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: header ? header[1] : '' });
}

/** The encoded bytes behind a URL, base64 or Blob source. */
function encodedBytes(source: Exclude<ImageSource, { kind: 'rgba' }>, param: string): Promise<Blob> | Blob {
  if (source.kind === 'url') return fetchBytes(source.url, param);
  if (source.kind === 'base64') return base64Bytes(source.data, param);
  return source.blob;
}

/** Draw a decoded bitmap and read its pixels back. */
function pixelsOf(bitmap: ImageBitmap, param: string): Rgba {
  const { width, height } = bitmap;
  if (!width || !height) throw invalid(param, 'the image has no pixels (0×0).');
  if (width * height > MAX_PIXELS) throw invalid(param, `the image is ${width}×${height}; at most ${MAX_PIXELS} pixels can be read.`);
  const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('OffscreenCanvas 2D is not available in this worker');
  ctx.drawImage(bitmap, 0, 0);
  return { data: ctx.getImageData(0, 0, width, height).data, width, height };
}

/** RGBA read back on the page, as it was sent. */
async function rgbaOf(source: Extract<ImageSource, { kind: 'rgba' }>, param: string): Promise<Rgba> {
  const { blob, width, height } = source;
  if (blob.size !== width * height * 4) throw invalid(param, `the pixels are ${blob.size} bytes, not ${width}×${height}×4.`);
  return { data: new Uint8ClampedArray(await blob.arrayBuffer()), width, height };
}

/** Decode encoded bytes; the embedded colour profile is ignored, as PIL ignores it. */
async function decodeBytes(blob: Blob, param: string): Promise<Rgba> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (cause) {
    const what = blob.type && !blob.type.startsWith('image/') ? ` (it is ${blob.type})` : '';
    throw invalid(param,
      `the image could not be decoded${what}: ${(cause as Error).message} Pass PNG, JPEG, GIF, WebP, BMP or AVIF bytes.`);
  }
  try {
    return pixelsOf(bitmap, param);
  } finally {
    bitmap.close();
  }
}

/** Fetch or decode one image and digest its content (encoded bytes, or RGBA for pixel sources). */
export async function readImage({ source, param }: ImageItem): Promise<ReadImage> {
  if (source.kind === 'rgba') {
    const { data, width, height } = await rgbaOf(source, param);
    return { digest: await imageDigest(data, { width, height }), source };
  }
  const blob = await encodedBytes(source, param);
  if (blob.size === 0) throw invalid(param, 'the image is empty (0 bytes).');
  return { digest: await imageDigest(await blob.arrayBuffer()), source: { kind: 'blob', blob } };
}

/** Decode one image to RGBA, fetching it first if it is a URL. */
export async function decodeImage({ source, param }: ImageItem): Promise<Rgba> {
  if (source.kind === 'rgba') return rgbaOf(source, param);
  const blob = await encodedBytes(source, param);
  if (blob.size === 0) throw invalid(param, 'the image is empty (0 bytes).');
  return decodeBytes(blob, param);
}
