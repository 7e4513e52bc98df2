/**
 * The offscreen document: it holds the InPageEmbeddings client (whose model runs in a Worker started from
 * here) and answers the requests the service worker forwards: save passages, find similar ones.
 */

import { InPageEmbeddings } from '../../src/index.js';
import type { Answers, Match, Reply, Request, Settings, ToOffscreen } from './messages.js';
import { allPassages, clearPassages, savePassages } from './store.js';

const DEFAULT_MODEL = 'BAAI/bge-small-en-v1.5';

let client: InPageEmbeddings | undefined;
let clientSettings = '';

/** The client for these settings: a new one when they changed. */
function clientFor(settings: Settings): InPageEmbeddings {
  const key = JSON.stringify(settings);
  if (!client || key !== clientSettings) {
    void client?.dispose();
    // Long pages are cut to the model's limit rather than refused.
    client = new InPageEmbeddings({
      modelHost: settings.modelHost, models: settings.models, truncate: true,
      worker: () => new Worker(new URL('./model-worker.ts', import.meta.url), { type: 'module', name: 'inpage-embeddings' }),
    });
    clientSettings = key;
  }
  return client;
}

const vectorsOf = (res: { data: Array<{ embedding: number[] | string }> }) =>
  res.data.map((d) => Float32Array.from(d.embedding as number[]));

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Answer one request. */
async function answer(settings: Settings, request: Request): Promise<Answers[Request['type']]> {
  const model = settings.model ?? DEFAULT_MODEL;
  const c = clientFor(settings);
  switch (request.type) {
    case 'save': {
      const res = await c.embeddings.create({ model, input: request.passages, input_type: 'document' });
      const vectors = vectorsOf(res);
      await savePassages(request.passages.map((text, i) => ({ text, source: request.source, model, vector: vectors[i] })));
      return { saved: request.passages.length, total: (await allPassages()).length };
    }
    case 'find': {
      const [query] = vectorsOf(await c.embeddings.create({ model, input: request.text, input_type: 'query' }));
      const saved = (await allPassages()).filter((p) => p.model === model && p.source.url !== request.exclude);
      const matches: Match[] = saved
        .map((p) => ({ score: dot(query, p.vector), text: p.text, source: p.source }))
        .sort((a, b) => b.score - a.score)
        .slice(0, request.k);
      return { matches, total: saved.length, model };
    }
    case 'stats': {
      const [backend] = await c.backends();
      const b = backend ? `${backend.device} · ${backend.dtype} · ${backend.numThreads} thread(s)` : 'not loaded yet';
      return { total: (await allPassages()).length, model, backend: b };
    }
    case 'clear':
      await clearPassages();
      return { total: 0 };
  }
}

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  const m = message as ToOffscreen | undefined;
  if (m?.target !== 'offscreen') return false;
  answer(m.settings, m.request).then(
    (value) => sendResponse({ ok: true, value } satisfies Reply<unknown>),
    (error: unknown) => sendResponse({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies Reply<unknown>),
  );
  return true;
});
