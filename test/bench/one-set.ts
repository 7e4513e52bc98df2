/**
 * What `bench:longlived` and `bench:trace` share: one named set of the bench's texts, the bench model served
 * in the Hub layout, the bench page's vite server and a Chromium, and the page config for them.
 *
 * Env: BENCH_SET, BENCH_THREADS (default 2), BENCH_MODEL_DIR / BENCH_REPO / BENCH_DTYPE as in run.ts.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { startHubServer } from '../fixtures/hub-server.js';
import { makeTinyModels } from '../fixtures/make-tiny-models.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../vite.config.js';
import type { PageConfig, PageSet } from './page.js';
import { benchTokenizer, SEED, startBenchVite } from './run.js';
import { makeWorkloads, type TextSet } from './workloads.js';

/** Start everything one set's script needs; `close()` stops it all. */
export async function startOneSet(defaultSet: string) {
  const setName = process.env.BENCH_SET ?? defaultSet;
  const threads = Number(process.env.BENCH_THREADS ?? 2);
  const repo = process.env.BENCH_REPO ?? 'Xenova/bge-small-en-v1.5';
  const dtype = (process.env.BENCH_DTYPE ?? 'q8') as 'q8' | 'fp32';

  const modelRoot = process.env.BENCH_MODEL_DIR ?? (await makeTinyModels({ bench: true })).outDir;
  const modelConfig = JSON.parse(readFileSync(join(modelRoot, repo, 'config.json'), 'utf8'));
  const tokenizer = await benchTokenizer(modelRoot, repo);
  const sets = makeWorkloads(SEED, (t) => tokenizer.encode(t).length);
  const all = [...sets.bulk, sets.queries];
  const set: TextSet | undefined = all.find((s) => s.name === setName);
  if (!set) throw new Error(`BENCH_SET "${setName}" is not one of: ${all.map((s) => s.name).join(', ')}`);

  const hub = await startHubServer(modelRoot);
  const vite = await startBenchVite();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const config: PageConfig = { modelHost: hub.url, repo, dims: modelConfig.hidden_size, padId: tokenizer.padId, dtype, numThreads: threads };
  const pageSets: PageSet[] = [{ name: set.name, texts: set.texts, ids: set.texts.map(tokenizer.encode) }];
  const close = async () => {
    await browser.close();
    await vite.close();
    await hub.close();
  };
  return { set, threads, dtype, config, pageSets, browser, viteUrl: vite.url, close };
}
