/**
 * Main-thread side of image inputs: turn whatever the caller passed as `{ image }` into an `ImageSource` that
 * is cheap to hand to the worker. Strings and Blobs pass as they are and an `<img>` passes its URL (the
 * worker fetches and decodes); pixel sources are read back as RGBA in strips, one short task each, because
 * every one-shot copy (`createImageBitmap`, `getImageData`, `slice`) of a large image blocks the page.
 */

import { badRequest } from '../errors.js';
import type { ImageSource } from '../engine-protocol.js';

const DATA_IMAGE = /^data:image\/[\w.+-]+(?:;[\w-]+=[^;,]*)*;base64,/i;
const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/;
/** Bytes of RGBA read back per task: 256 KB keeps each task far under 50 ms, even on a busy machine. */
const STRIP_BYTES = 1 << 18;

const KINDS =
  'an http(s) URL, a data:image/...;base64, URI, base64, or (in the page) a Blob, File, ImageBitmap, ImageData, ' +
  'HTMLImageElement, HTMLCanvasElement or OffscreenCanvas';

const invalid = (param: string, message: string) => badRequest(`Invalid '${param}': ${message}`, param, 'invalid_image');

const isA = <T>(name: string, value: unknown): value is T => {
  const ctor = (globalThis as Record<string, unknown>)[name];
  return typeof ctor === 'function' && value instanceof (ctor as abstract new (...args: never[]) => unknown);
};

/** Classify a string image: URL, data URI or bare base64; anything else is a 400. */
function fromString(image: string, param: string): ImageSource {
  const s = image.trim();
  if (/^https?:\/\//i.test(s)) {
    try {
      return { kind: 'url', url: new URL(s).href };
    } catch {
      throw invalid(param, `${JSON.stringify(s.slice(0, 80))} is not a valid URL.`);
    }
  }
  if (/^data:/i.test(s)) {
    if (!DATA_IMAGE.test(s)) throw invalid(param, 'a data URI image must start with data:image/<type>;base64, (e.g. data:image/png;base64,...).');
    return { kind: 'base64', data: s };
  }
  if (s.length >= 8 && BASE64.test(s)) return { kind: 'base64', data: s };
  const shown = s.length > 40 ? `${JSON.stringify(s.slice(0, 40))}...` : JSON.stringify(s);
  throw invalid(param, `the image string ${shown} is not recognised: pass ${KINDS}. Relative URLs are not accepted (base64 may start with "/").`);
}

/** Let the page's other tasks run. */
const yieldToPage = (): Promise<void> => {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
};

const crossOrigin = (param: string, what: string) => badRequest(
  `Invalid '${param}': the ${what} holds an image from another origin without CORS permission, so its pixels ` +
    'cannot be read. Load it with crossOrigin = "anonymous" from a server that sends Access-Control-Allow-Origin, ' +
    'or pass the file itself as a Blob.', param, 'image_cross_origin');

/** Copy ImageData's RGBA into a Blob, one strip per task (the caller's ImageData is left as it is). */
async function fromImageData(image: ImageData): Promise<ImageSource> {
  const { data, width, height } = image;
  const parts: Blob[] = [];
  for (let at = 0; at < data.length; at += STRIP_BYTES) {
    parts.push(new Blob([data.subarray(at, at + STRIP_BYTES)]));
    await yieldToPage();
  }
  return { kind: 'rgba', blob: new Blob(parts), width, height };
}

/**
 * Return a reader of rows `[y, y + h)`: straight from a 2D canvas's own context (no snapshot of the whole
 * canvas), else drawn strip by strip into a small canvas of ours (WebGL canvases, ImageBitmaps).
 */
function rowReader(source: CanvasImageSource, width: number, rows: number): (y: number, h: number) => ImageData {
  const own = source instanceof HTMLCanvasElement || source instanceof OffscreenCanvas
    ? (source.getContext as (id: '2d') => CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null).call(source, '2d')
    : null;
  if (own) return (y, h) => own.getImageData(0, y, width, h);
  const ctx = new OffscreenCanvas(width, rows).getContext('2d', { willReadFrequently: true })!;
  return (y, h) => {
    ctx.clearRect(0, 0, width, h);
    ctx.drawImage(source, 0, y, width, h, 0, 0, width, h);
    return ctx.getImageData(0, 0, width, h);
  };
}

/** Read a canvas's or bitmap's RGBA back in strips of rows, one per task; a tainted source is a 400. */
async function fromPixels(source: CanvasImageSource, width: number, height: number, param: string, what: string): Promise<ImageSource> {
  if (!width || !height) throw invalid(param, `the ${what} is ${width}×${height}: it has no pixels (closed, transferred or empty).`);
  const rows = Math.max(1, Math.min(height, Math.floor(STRIP_BYTES / (width * 4))));
  const read = rowReader(source, width, rows);
  const parts: Blob[] = [];
  for (let y = 0; y < height; y += rows) {
    const h = Math.min(rows, height - y);
    try {
      parts.push(new Blob([read(y, h).data]));
    } catch (cause) {
      if ((cause as DOMException).name === 'SecurityError') throw crossOrigin(param, what);
      throw cause;
    }
    await yieldToPage();
  }
  return { kind: 'rgba', blob: new Blob(parts), width, height };
}

/** An `<img>` is fetched by URL in the worker (the browser's HTTP cache usually has it): decoding it here would block. */
async function fromImageElement(image: HTMLImageElement, param: string): Promise<ImageSource> {
  if (!image.complete) await image.decode().catch(() => undefined);
  const src = image.currentSrc || image.src;
  if (!image.naturalWidth || !src) {
    throw invalid(param, `the <img>${src ? ` (${src.slice(0, 80)})` : ''} has not loaded or is broken: it has no pixels.`);
  }
  if (!/^(https?|data|blob):/i.test(src)) throw invalid(param, `the <img> src ${src.slice(0, 80)} cannot be fetched; pass a Blob.`);
  return { kind: 'url', url: src };
}

/**
 * Turn one `{ image }` value into an `ImageSource` for the worker; throw a 400 naming `param` for a value
 * that is no image, or whose pixels another origin keeps from this page.
 */
export async function toImageSource(image: unknown, param: string): Promise<ImageSource> {
  if (typeof image === 'string') return fromString(image, param);
  if (isA<Blob>('Blob', image)) return { kind: 'blob', blob: image };
  if (isA<ImageData>('ImageData', image)) return fromImageData(image);
  if (isA<HTMLImageElement>('HTMLImageElement', image)) return fromImageElement(image, param);
  if (isA<ImageBitmap>('ImageBitmap', image)) return fromPixels(image, image.width, image.height, param, 'ImageBitmap');
  if (isA<HTMLCanvasElement>('HTMLCanvasElement', image) || isA<OffscreenCanvas>('OffscreenCanvas', image)) {
    return fromPixels(image, image.width, image.height, param, 'canvas');
  }
  const type = image === null ? 'null' : typeof image === 'object' ? (image as object).constructor?.name ?? 'object' : typeof image;
  throw invalid(param, `image has type ${type}; pass ${KINDS}.`);
}
