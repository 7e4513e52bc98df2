/**
 * The semantic-search page: wires the config, client, model picker, corpus index, search, picture, picture
 * gallery tab and live panel together. Each piece lives in its own module; this file only orders them.
 */

import { CATALOGUE, type InPageEmbeddings, type ProgressEvent, type RemoteProviderOptions } from '../src/index.js';
import { makeClient } from './client.js';
import { loadCorpus, topicsOf, type Passage } from './corpus.js';
import type { DemoConfig } from './demo-config.js';
import { GalleryView } from './gallery-view.js';
import { indexCorpus } from './indexer.js';
import { ModelPicker } from './model-picker.js';
import { Panel, cacheOf, collectStats } from './panel.js';
import { PauseMeter } from './pause-meter.js';
import { fitInWorker, project, type Projection } from './pca.js';
import { PALETTE, Plot } from './plot.js';
import { ProgressBar, formatBytes, formatMs } from './progress.js';
import { installServiceWorker, serveModelsToServiceWorker, type PwaState } from './pwa.js';
import { renderResults } from './results.js';
import { topK } from './search.js';

const EXAMPLES = ['how do stars form', 'baking bread at home', 'the fall of empires', 'renewable energy',
  'comment bien dormir', 'jazz improvisation', '机器学习', 'world cup football'];
const TOP_K = 8;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;

/** The corpus' vectors for the current model, and their picture. */
interface Index {
  model: string;
  matrix: Float32Array;
  dims: number;
  projection?: Projection;
}

const state = {
  remote: {} as Record<string, RemoteProviderOptions>,
  client: undefined as InPageEmbeddings | undefined,
  index: undefined as Promise<Index> | undefined,
  indexing: undefined as AbortController | undefined,
  pwa: 'installing' as PwaState,
  /** Since the page started loading: model download, indexing, the picture and every search. */
  pauses: new PauseMeter(),
  /** Stops answering the service worker's `/v1/embeddings` with the previous client. */
  stopServing: undefined as (() => void) | undefined,
  loadStarted: 0,
  /** The model the corpus is indexed with: only its loading moves the corpus' model bar. */
  corpusModel: '',
  gallery: undefined as GalleryView | undefined,
};

const modelBar = new ProgressBar($('#model-progress'));
const indexBar = new ProgressBar($('#index-progress'));
const panel = new Panel($('#panel'));
const plot = new Plot($<HTMLCanvasElement>('#plot'));

function showError(error: unknown): void {
  const el = $('#error');
  el.hidden = false;
  el.textContent = error instanceof Error ? error.message : String(error);
}

/** Make the client every piece uses, and serve it to the service worker's `/v1/embeddings` route. */
function useClient(config: DemoConfig): InPageEmbeddings {
  state.stopServing?.();
  void state.client?.dispose();
  const client = (state.client = makeClient(config, state.remote, onModelProgress));
  state.stopServing = serveModelsToServiceWorker(client);
  return client;
}

async function refreshPanel(): Promise<void> {
  if (!state.client) return;
  const offline = `${state.pwa === 'controlled' ? 'yes' : state.pwa}${navigator.onLine ? '' : ' · offline now'}`;
  panel.show(await collectStats(state.client, { pause: state.pauses.longest, pauseSource: state.pauses.source, offline }));
}

/** Model download and load progress, from the client's `onProgress`. */
function onModelProgress(e: ProgressEvent): void {
  state.gallery?.onProgress(e);
  if (e.model !== state.corpusModel) return;
  state.loadStarted ||= performance.now();
  if (e.status === 'ready') {
    modelBar.set(100, `${e.model} ready in ${formatMs(performance.now() - state.loadStarted)}`, 'done');
    return;
  }
  const size = e.total ? `${formatBytes(e.loaded)} of ${formatBytes(e.total)}` : e.file;
  modelBar.set(e.progress, `loading ${e.model}: ${size}`);
}

/** Why no model files loaded during an indexing run. */
async function unloadedLabel(client: InPageEmbeddings, model: string): Promise<string> {
  const row = CATALOGUE.find((r) => r.id === model);
  if (row?.route === 'remote') return `remote: computed by ${row.provider}`;
  const loaded = (await client.backends()).some((b) => b.model === model);
  return loaded ? `${model} was already loaded` : 'not loaded: every vector came from the cache';
}

/** Embed the corpus with `model` (from the cache where possible), then fit its picture. */
function reindex(model: string, passages: Passage[], topics: string[]): Promise<Index> {
  state.indexing?.abort();
  const controller = (state.indexing = new AbortController());
  const client = state.client!;
  const started = performance.now();
  state.loadStarted = 0;
  state.corpusModel = model;
  document.body.dataset.state = 'indexing';
  modelBar.set(0, 'starting', 'idle');
  indexBar.set(0, `0 / ${passages.length} passages`);
  plot.show(undefined);
  const run = (async (): Promise<Index> => {
    let first = 0;
    const { matrix, dims } = await indexCorpus(client, model, passages.map((p) => p.text), {
      signal: controller.signal,
      onProgress: ({ done, total, firstVectorMs }) => {
        first = firstVectorMs ?? 0;
        indexBar.set((done / total) * 100, `${done} / ${total} passages · first vector after ${formatMs(first)}`);
        void refreshPanel();
      },
    });
    const took = formatMs(performance.now() - started);
    indexBar.set(100, `${passages.length} passages in ${took} · first vector after ${formatMs(first)} · ${dims}-d`, 'done');
    if (!state.loadStarted) modelBar.set(100, await unloadedLabel(client, model), 'done');
    document.body.dataset.state = 'ready';
    const index: Index = { model, matrix, dims };
    index.projection = await fitInWorker(matrix, dims);
    plot.show({ coords: index.projection.coords, topic: passages.map((p) => topics.indexOf(p.topic)) });
    void refreshPanel();
    return index;
  })();
  run.catch((error) => {
    if (controller.signal.aborted) return;
    // A remote model that failed (a wrong key, an unreachable proxy) asks for its settings again next time.
    const row = CATALOGUE.find((r) => r.id === model);
    if (row?.route === 'remote') delete state.remote[row.provider];
    indexBar.set(0, 'indexing failed', 'error');
    document.body.dataset.state = 'error';
    showError(error);
  });
  return run;
}

/** Embed the query, rank the corpus, show the hits and mark them on the picture. */
async function search(query: string, passages: Passage[], topics: string[]): Promise<void> {
  if (!query.trim() || !state.index) return;
  const index = await state.index;
  const client = state.client!;
  document.body.dataset.state = 'searching';
  const started = performance.now();
  const res = await client.embeddings.create({ model: index.model, input: query, input_type: 'query' });
  const vector = res.data[0].embedding as number[];
  const hits = topK(index.matrix, index.dims, vector, TOP_K);
  renderResults($<HTMLOListElement>('#results'), hits, passages, topics);
  $('#results').dataset.model = index.model;
  const from = res.usage.cached_tokens ? 'query vector from the cache' : `${res.usage.prompt_tokens} tokens run`;
  $('#search-status').textContent = `Top ${hits.length} of ${passages.length} in ${formatMs(performance.now() - started)} (${from})`;
  if (index.projection) plot.mark(project(index.projection, vector), hits.map((h) => h.index));
  const url = new URL(location.href);
  url.searchParams.set('q', query);
  history.replaceState(null, '', url);
  document.body.dataset.state = 'ready';
  void refreshPanel();
}

function renderLegend(topics: string[]): void {
  $('#legend').replaceChildren(...topics.map((topic, i) => {
    const li = document.createElement('li');
    li.style.setProperty('--c', PALETTE[i % PALETTE.length]);
    li.textContent = topic;
    return li;
  }));
}

/** Show the passages or the pictures; opening the pictures the first time embeds them. `?view=` keeps the choice. */
function showTab(view: 'passages' | 'gallery'): void {
  for (const name of ['passages', 'gallery'] as const) {
    $(`#tab-${name}`).setAttribute('aria-selected', String(name === view));
    $(`#${name}`).hidden = name !== view;
  }
  const url = new URL(location.href);
  if (view === 'gallery') url.searchParams.set('view', 'gallery');
  else url.searchParams.delete('view');
  history.replaceState(null, '', url);
  if (view === 'gallery') void state.gallery?.open().catch(() => undefined); // the tab shows its own errors
}

function showNote(config: DemoConfig): void {
  const note = $('#note');
  note.hidden = false;
  note.textContent = config.note;
  note.dataset.source = config.source;
}

async function main(): Promise<void> {
  // 1. Config and service worker first: the model worker must start under the service worker's control.
  const config = (await (await fetch('/demo-config.json')).json()) as DemoConfig;
  showNote(config);
  const [pwa, corpus] = await Promise.all([installServiceWorker(config.build), loadCorpus()]);
  state.pwa = pwa;
  const { passages } = corpus;
  const topics = topicsOf(passages);
  renderLegend(topics);
  $('#about').textContent = `Corpus: ${corpus.about}`;

  // 2. The client and the picker.
  const params = new URL(location.href).searchParams;
  const client = useClient(config);
  const picker = new ModelPicker($('#picker'), {
    available: config.available,
    configured: () => new Set(Object.keys(state.remote)),
    onPick: (model) => {
      $('#error').hidden = true;
      state.index = reindex(model, passages, topics);
      const query = $<HTMLInputElement>('#query').value;
      if (query) void state.index.then(() => search(query, passages, topics)).catch(showError);
    },
    onRemote: (provider, options) => {
      state.remote[provider] = options;
      useClient(config);
    },
  });
  // `?model=` may pick another served local model; remote ones need settings first.
  const asked = params.get('model');
  const local = asked && CATALOGUE.find((r) => r.id === asked)?.route !== 'remote' && (config.available?.includes(asked) ?? true);
  picker.populate(await client.models.list(), local ? asked : config.defaultModel);

  // 3. Search box, examples, cache button.
  const input = $<HTMLInputElement>('#query');
  $('#search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    search(input.value, passages, topics).catch(showError);
  });
  $('#examples').replaceChildren(...EXAMPLES.map((text) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = text;
    button.addEventListener('click', () => {
      input.value = text;
      search(text, passages, topics).catch(showError);
    });
    return button;
  }));
  if (cacheOf(client)) {
    const clear = $('#clear-cache');
    clear.hidden = false;
    clear.addEventListener('click', async () => {
      if (state.client) await cacheOf(state.client)?.clear();
      await refreshPanel();
    });
  }
  addEventListener('online', () => void refreshPanel());
  addEventListener('offline', () => void refreshPanel());
  setInterval(() => void refreshPanel(), 2000);

  // 4. The picture gallery tab: nothing loads until it opens.
  state.gallery = new GalleryView($('#gallery'), {
    client: () => state.client!, available: config.available, showError, onActivity: () => void refreshPanel(),
  });
  $('#tab-passages').addEventListener('click', () => showTab('passages'));
  $('#tab-gallery').addEventListener('click', () => showTab('gallery'));
  if (params.get('view') === 'gallery') showTab('gallery');

  // 5. Index the corpus, then run the query the URL carries (a reload answers it from the cache). In a task
  // of its own: steps 1–4 and the first request's keys in one task were ~39 ms of CPU (`npm run demo:trace`).
  await new Promise((resolve) => setTimeout(resolve, 0));
  state.index = reindex(picker.value, passages, topics);
  const query = params.get('q');
  if (query) {
    input.value = query;
    await search(query, passages, topics);
  }
}

main().catch(showError);
