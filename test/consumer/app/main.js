// A consumer's page: the package's main entry with its default worker.
import { InPageEmbeddings } from 'inpage-embeddings';
import { embedGoldenTexts } from './embed-golden.js';

window.__consumer = embedGoldenTexts(InPageEmbeddings);
