/**
 * The gallery tab: thumbnails of the shipped pictures, embedded with jina-clip-v1's image tower the first
 * time the tab opens (a visitor who never opens it never loads that tower), then searched by text.
 */

import type { InPageEmbeddings, ProgressEvent } from '../src/index.js';
import {
  embedGallery, GALLERY_MODEL, galleryUrl, loadGallery, rankImages,
  type GalleryHit, type GalleryIndex, type GalleryManifest,
} from './gallery.js';
import { ProgressBar, formatBytes, formatMs } from './progress.js';

const EXAMPLES = ['a red circle', 'night sky', 'a house with a red roof', 'ocean waves', 'sunset', 'a checkerboard', 'snowman'];

/** What the tab needs from the page. */
export interface GalleryViewOptions {
  /** The page's current client (it changes when a remote provider is configured). */
  client: () => InPageEmbeddings;
  /** Local ids whose files are served; `null`: all (the Hub). */
  available: string[] | null;
  /** The page's error line. */
  showError: (error: unknown) => void;
  /** After vectors were computed: the live panel refreshes. */
  onActivity: () => void;
}

/** The gallery section's `data-state`, for styles and tests. */
type GalleryState = 'idle' | 'unavailable' | 'embedding' | 'ready' | 'searching' | 'error';

/** Binds `#gallery` and its children. */
export class GalleryView {
  private readonly modelBar: ProgressBar;
  private readonly imageBar: ProgressBar;
  private readonly grid: HTMLOListElement;
  private readonly input: HTMLInputElement;
  private manifest?: GalleryManifest;
  private index?: Promise<GalleryIndex>;
  /** Set while the tab waits for the model: its progress events go to this tab's bar. */
  private loadStarted = 0;
  private busy = false;
  /** `create()` calls that carried images: one embedding pass of the gallery, however many searches follow. */
  private imageCalls = 0;

  constructor(private readonly root: HTMLElement, private readonly options: GalleryViewOptions) {
    this.modelBar = new ProgressBar(root.querySelector('#gallery-model-progress')!);
    this.imageBar = new ProgressBar(root.querySelector('#gallery-progress')!);
    this.grid = root.querySelector('#gallery-grid')!;
    this.input = root.querySelector('#gallery-query')!;
    root.querySelector('#gallery-form')!.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.search(this.input.value);
    });
    root.querySelector('#gallery-examples')!.replaceChildren(...EXAMPLES.map((text) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = text;
      button.addEventListener('click', () => {
        this.input.value = text;
        void this.search(text);
      });
      return button;
    }));
  }

  /** Whether the served models include jina-clip-v1. */
  get usable(): boolean {
    return this.options.available === null || this.options.available.includes(GALLERY_MODEL);
  }

  /** Show the pictures and embed them, once; later calls return the same vectors. */
  open(): Promise<GalleryIndex | undefined> {
    if (!this.usable) {
      this.state = 'unavailable';
      const note = this.root.querySelector<HTMLElement>('#gallery-note')!;
      note.hidden = false;
      note.textContent = `The served models do not include ${GALLERY_MODEL}, so the pictures below cannot be embedded or ` +
        'searched. Add jinaai/jina-clip-v1 to the --models folder (config.json, tokenizer files, preprocessor_config.json, ' +
        'onnx/text_model.onnx and onnx/vision_model_quantized.onnx), or run `npm run demo` with the Hub or `--tiny`.';
      this.input.disabled = true;
      this.root.querySelector<HTMLButtonElement>('#gallery-form button')!.disabled = true;
      void this.thumbnails().catch(this.options.showError);
      return Promise.resolve(undefined);
    }
    this.index ??= this.embed();
    return this.index;
  }

  /** Model file progress from the client's `onProgress`: shown here only while this tab waits for the model. */
  onProgress(e: ProgressEvent): void {
    if (e.model !== GALLERY_MODEL || !this.busy) return;
    this.loadStarted ||= performance.now();
    if (e.status === 'ready') {
      this.modelBar.set(100, `${e.model} ready in ${formatMs(performance.now() - this.loadStarted)}`, 'done');
      return;
    }
    const size = e.total ? `${formatBytes(e.loaded)} of ${formatBytes(e.total)}` : e.file;
    this.modelBar.set(e.progress, `loading ${e.model}: ${size}`);
  }

  private set state(state: GalleryState) {
    this.root.dataset.state = state;
  }

  /** Fetch the manifest (once) and show every picture in manifest order, unscored. */
  private async thumbnails(): Promise<GalleryManifest> {
    this.manifest ??= await loadGallery();
    const { images } = this.manifest;
    this.render(images.map((_, index) => ({ index, score: Number.NaN })));
    this.root.querySelector('#gallery-about')!.textContent = this.manifest.about;
    return this.manifest;
  }

  /** Embed every picture with the image tower (vectors from the cache where it has them). */
  private async embed(): Promise<GalleryIndex> {
    this.state = 'embedding';
    this.busy = true;
    this.loadStarted = 0;
    const started = performance.now();
    try {
      const { images } = await this.thumbnails();
      this.modelBar.set(0, 'starting');
      this.imageBar.set(0, `0 / ${images.length} images`);
      const index = await embedGallery(this.options.client(), images, {
        onProgress: (done, total) => {
          this.imageCalls++;
          this.root.dataset.imageCalls = String(this.imageCalls);
          this.imageBar.set((done / total) * 100, `${done} / ${total} images`);
          this.options.onActivity();
        },
      });
      this.imageBar.set(100, `${images.length} images in ${formatMs(performance.now() - started)} · ${index.dims}-d`, 'done');
      if (!this.loadStarted) this.modelBar.set(100, 'image tower not loaded: every image vector came from the cache', 'done');
      this.state = 'ready';
      return index;
    } catch (error) {
      this.imageBar.set(0, 'embedding the images failed', 'error');
      this.state = 'error';
      this.index = undefined; // opening the tab again retries
      this.options.showError(error);
      throw error;
    } finally {
      this.busy = false;
    }
  }

  /** Embed the query with the text tower and rank every picture by cosine similarity. */
  async search(query: string): Promise<void> {
    if (!query.trim() || !this.usable) return;
    const status = this.root.querySelector('#gallery-status')!;
    try {
      const index = await this.open();
      if (!index || !this.manifest) return;
      this.state = 'searching';
      this.busy = true;
      this.loadStarted = 0;
      const started = performance.now();
      const res = await this.options.client().embeddings.create({ model: GALLERY_MODEL, input: query });
      const hits = rankImages(index, res.data[0].embedding as number[]);
      this.render(hits);
      this.grid.dataset.query = query;
      const from = res.usage.cached_tokens ? 'query vector from the cache' : `${res.usage.prompt_tokens} tokens run`;
      status.textContent = `${hits.length} pictures ranked for “${query}” in ${formatMs(performance.now() - started)} (${from})`;
      this.state = 'ready';
    } catch (error) {
      this.state = 'error';
      this.options.showError(error);
    } finally {
      this.busy = false;
      this.options.onActivity();
    }
  }

  /** Draw the pictures in `hits` order; a scored hit shows its rank and cosine. */
  private render(hits: GalleryHit[]): void {
    const images = this.manifest!.images;
    this.grid.replaceChildren(...hits.map(({ index, score }, rank) => {
      const image = images[index];
      const li = document.createElement('li');
      li.dataset.file = image.file;
      const img = document.createElement('img');
      img.src = galleryUrl(image.file);
      img.alt = image.caption;
      img.width = image.width;
      img.height = image.height;
      img.decoding = 'async';
      const caption = document.createElement('p');
      caption.textContent = image.caption;
      li.append(img);
      if (!Number.isNaN(score)) {
        // The full value for tests and tools; three decimals for people.
        li.dataset.score = String(score);
        li.dataset.rank = String(rank + 1);
        const meta = document.createElement('div');
        meta.className = 'meta';
        const scoreEl = document.createElement('span');
        scoreEl.className = 'score';
        scoreEl.textContent = score.toFixed(3);
        const bar = document.createElement('span');
        bar.className = 'score-bar';
        bar.style.setProperty('--w', `${Math.max(0, score) * 100}%`);
        meta.append(scoreEl, bar);
        li.append(meta);
      }
      li.append(caption);
      return li;
    }));
  }
}
