/** Make the demo's client from the served config, with whatever remote providers this tab was given. */

import { InPageEmbeddings, type ProgressEvent, type RemoteProviderOptions } from '../src/index.js';
import type { DemoConfig } from './demo-config.js';

/** Build a client: model files from the config's host, rows overridden for the files served. */
export function makeClient(
  config: DemoConfig, remote: Record<string, RemoteProviderOptions>, onProgress: (e: ProgressEvent) => void,
): InPageEmbeddings {
  return new InPageEmbeddings({
    modelHost: new URL(config.modelHost, location.href).href,
    models: config.models,
    remote,
    onProgress,
  });
}
