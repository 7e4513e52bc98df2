// A consumer's page that starts its own worker: the core entry ships none, so no default worker is bundled.
import { InPageEmbeddings } from 'inpage-embeddings/core';
import { embedGoldenTexts } from './embed-golden.js';

window.__consumer = embedGoldenTexts(InPageEmbeddings, {
  worker: () => new Worker(new URL('./custom-worker.js', import.meta.url), { type: 'module', name: 'custom-worker' }),
});
