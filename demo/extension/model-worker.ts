/// <reference lib="webworker" />
/**
 * The extension's model worker: the library's engine, with one transformers.js setting changed for the
 * extension's CSP. transformers.js re-imports onnxruntime's .mjs from a `blob:` URL (to keep it in the
 * Cache API) unless it sees `chrome.runtime`, which a worker does not have; `script-src 'self'` refuses
 * `blob:` scripts, so here the packaged file is imported as it is.
 *
 * Written out rather than `import '../../src/worker/worker-entry.js'`: the package declares
 * `"sideEffects": false`, so the bundler would drop an import that is only there for its side effects.
 */

import { env } from '@huggingface/transformers';
import { exposeEngine } from '../../src/worker-rpc.js';
import { Engine } from '../../src/worker/engine.js';

env.useWasmCache = false;
exposeEngine(new Engine());
