/**
 * The image gallery's data side: the shipped pictures (`/gallery/gallery.json`), their vectors from
 * jina-clip-v1's image tower, and a text query ranked against them by cosine similarity.
 */

import type { InPageEmbeddings } from '../src/index.js';

/** The catalogue id of the model that puts text and images in one space. */
export const GALLERY_MODEL = 'jina-clip-v1';

/** One picture of the gallery. */
export interface GalleryImage {
  /** File name under `/gallery/`. */
  file: string;
  /** What it shows: the caption and the `<img>`'s alt text. */
  caption: string;
  width: number;
  height: number;
}

/** `/gallery/gallery.json`, written by `demo/make-gallery.ts`. */
export interface GalleryManifest {
  about: string;
  images: GalleryImage[];
}

/** The gallery's vectors: one unit row per image, in manifest order. */
export interface GalleryIndex {
  matrix: Float32Array;
  dims: number;
}

/** One picture ranked against a query. */
export interface GalleryHit {
  index: number;
  score: number;
}

/** The absolute URL of a gallery file (the library refuses relative URLs: the worker has another base). */
export const galleryUrl = (file: string): string => new URL(`/gallery/${file}`, location.href).href;

/** Fetch the manifest. */
export async function loadGallery(): Promise<GalleryManifest> {
  const res = await fetch('/gallery/gallery.json');
  if (!res.ok) throw new Error(`/gallery/gallery.json: HTTP ${res.status}`);
  return (await res.json()) as GalleryManifest;
}

/** Options of `embedGallery`. */
export interface EmbedGalleryOptions {
  /** Images per `create()` call, so progress moves. Default 4. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Embed every image with the image tower, as `{ image: url }` inputs; the worker fetches and decodes them. */
export async function embedGallery(
  client: InPageEmbeddings, images: GalleryImage[], options: EmbedGalleryOptions = {},
): Promise<GalleryIndex> {
  const chunk = options.chunk ?? 4;
  let matrix = new Float32Array(0);
  let dims = 0;
  for (let start = 0; start < images.length; start += chunk) {
    options.signal?.throwIfAborted();
    const input = images.slice(start, start + chunk).map((image) => ({ image: galleryUrl(image.file) }));
    const res = await client.embeddings.create({ model: GALLERY_MODEL, input }, { signal: options.signal });
    for (const item of res.data) {
      const vector = item.embedding as number[];
      if (!dims) {
        dims = vector.length;
        matrix = new Float32Array(images.length * dims);
      }
      matrix.set(vector, (start + item.index) * dims);
    }
    options.onProgress?.(Math.min(images.length, start + chunk), images.length);
  }
  return { matrix, dims };
}

/** Rank every image against `query` by cosine similarity, best first (ties keep manifest order). */
export function rankImages(index: GalleryIndex, query: ArrayLike<number>): GalleryHit[] {
  const { matrix, dims } = index;
  let qq = 0;
  for (let j = 0; j < dims; j++) qq += query[j] * query[j];
  const hits: GalleryHit[] = [];
  for (let i = 0, o = 0; o < matrix.length; i++, o += dims) {
    let dot = 0, vv = 0;
    for (let j = 0; j < dims; j++) {
      dot += matrix[o + j] * query[j];
      vv += matrix[o + j] * matrix[o + j];
    }
    hits.push({ index: i, score: dot / Math.sqrt(qq * vv) });
  }
  return hits.sort((a, b) => b.score - a.score || a.index - b.index);
}
