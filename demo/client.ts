/** Make the demo's client from the served config, with whatever remote providers this tab was given. */

import { InPageEmbeddings, type ProgressEvent, type RemoteProviderOptions } from '../src/index.js';
import type { DemoConfig } from './demo-config.js';

/** Build a client: model files from the config's host, rows overridden for the files served. */
export function makeClient(
  config: DemoConfig, remote: Record<string, RemoteProviderOptions>, onProgress: (e: ProgressEvent) => void,
): InPageEmbeddings {
  // `?threads=1`: fewer WASM threads than the library's default, e.g. to leave a core to the page.
  const threads = Number(new URL(location.href).searchParams.get('threads')) || undefined;
  return new InPageEmbeddings({
    numThreads: threads,
    modelHost: new URL(config.modelHost, location.href).href,
    models: config.models,
    remote,
    onProgress,
  });
}
