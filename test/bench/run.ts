/**
 * `npm run bench`: ours against transformers.js' pipeline and raw onnxruntime-web, side by side in one
 * headless Chromium, on the same model, dtype and threads. Prints a table and writes bench-results.json.
 *
 * The default run aims at under 10 minutes on 2 cores: the long and mixed sets are a quarter of the full
 * ones (BUDGET_SIZES), each bulk set repeats only while its budget lasts and our runs still spread, a raw or
 * pipeline run is stopped once it cannot be the fastest of its group (reported as a lower bound), and cheap
 * figures take 2–3 runs. BENCH_FULL=1 runs the full sets, repeats everything BENCH_REPS times and stops
 * nothing (about 45 minutes).
 *
 * Env: BENCH_MODEL_DIR (a folder in the Hub layout; default: the generated architecture-true bge-small),
 * BENCH_REPO (default Xenova/bge-small-en-v1.5), BENCH_DTYPE (q8 | fp32), BENCH_THREADS (e.g. "2"),
 * BENCH_REPS (most repetitions, default 3), BENCH_FULL=1, BENCH_QUICK=1 (2 threads only), BENCH_WEBGPU_TEXTS
 * (texts in the WebGPU-vs-WASM request, default 4; 0 skips it), BENCH_SET_BUDGET_S (default 30).
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { createServer } from 'vite';
import { startHubServer } from '../fixtures/hub-server.js';
import { makeTinyModels } from '../fixtures/make-tiny-models.js';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_WEBGPU_ARGS } from '../../vite.config.js';
import { BULK_SIDES, measureThreads } from './measure.js';
import type { BenchApi, DeviceRace, PageConfig } from './page.js';
import { formatReport, type BenchResults, type ThreadResult } from './report.js';
import { BUDGET_SIZES, FULL_SIZES, makeWorkloads, SMOKE_SIZES, type SetSizes } from './workloads.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SEED = 20_240_604;

export interface BenchOptions {
  /** Folder in the Hub layout (`<org>/<name>/...`); default: generate the bench model. */
  modelRoot?: string;
  repo?: string;
  dtype?: 'q8' | 'fp32';
  threads?: number[];
  /** Most timed runs per figure, after a warm-up. */
  reps?: number;
  /** Fewest timed runs of ours on a bulk set, and the runs of every cheap figure. Default: `reps`. */
  minReps?: number;
  /** Wall ms a bulk set may take before no more repetitions start. Default: no budget. */
  setBudgetMs?: number;
  /** Our runs of a set within this fraction of each other need no more repetitions. Default 0 (always repeat). */
  steadySpread?: number;
  /** Stop a raw or pipeline run past this many times our best run on the set. Default: never. */
  capFactor?: number;
  /** No run is stopped before this many ms (a stop costs a worker reload). Default 3,000. */
  capFloorMs?: number;
  /** Timed runs of the long-lived-worker set. Default 8. */
  longLivedRuns?: number;
  sizes?: SetSizes;
  /**
   * A raw or pipeline side whose first run is this many times slower than the best of its group on that
   * set runs once: more runs cannot change which is best, and they would take most of the bench's time.
   */
  slowFactor?: number;
  log?: (line: string) => void;
  /** WebGPU against WASM on this many short texts (0: skip); see `raceDevices`. */
  webgpuTexts?: number;
  /** A WebGPU run longer than this ends its repetitions (a software adapter can take minutes). */
  webgpuCapMs?: number;
}

declare global {
  interface Window { bench: BenchApi }
}

/** Load the tokenizer in Node: texts are cut to token lengths, and the raw side gets their ids. */
export async function benchTokenizer(modelRoot: string, repo: string) {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  Object.assign(env, { localModelPath: `${modelRoot}/`, allowRemoteModels: false, allowLocalModels: true });
  const tokenizer = await AutoTokenizer.from_pretrained(repo);
  const encode = (text: string) => Array.from(tokenizer.encode(text) as number[]);
  return { encode, padId: (tokenizer.pad_token_id as number | undefined) ?? 0 };
}

/** The bench page's dev server, cross-origin isolated. */
export async function startBenchVite() {
  const server = await createServer({
    configFile: join(ROOT, 'vite.config.ts'),
    root: ROOT,
    cacheDir: join(ROOT, 'node_modules/.vite-bench'),
    logLevel: 'warn',
    clearScreen: false,
    // Cross-origin isolation gives the page SharedArrayBuffer, so onnxruntime-web can use threads.
    server: {
      host: '127.0.0.1', port: 0, hmr: false, watch: null,
      headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    },
    // Everything the bench's workers import, so no dependency is discovered (and the page reloaded) mid-run.
    optimizeDeps: { include: ['onnxruntime-web/webgpu'], entries: ['test/bench/page.html'] },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite did not report its URL');
  return { url, close: () => server.close() };
}

/** Open the bench page in a new tab of `target` and wait for its API; page errors go to `log`. */
export async function openBenchPage(target: Browser | BrowserContext, viteUrl: string, log: (line: string) => void): Promise<Page> {
  const page = await target.newPage();
  page.on('pageerror', (err) => log(`  page error: ${err.message}`));
  await page.goto(`${viteUrl}test/bench/page.html`);
  await page.waitForFunction(() => 'bench' in window, undefined, { timeout: 120_000 });
  return page;
}

/** Run the whole bench and return its results (also what the smoke test calls). */
export async function runBench(options: BenchOptions = {}): Promise<BenchResults> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as BenchOptions;
  const o: Required<BenchOptions> = {
    modelRoot: '', repo: 'Xenova/bge-small-en-v1.5', dtype: 'q8', threads: [1, 2], reps: 3, sizes: FULL_SIZES,
    slowFactor: 1.5, log: () => {}, webgpuTexts: 4, webgpuCapMs: 60_000,
    minReps: given.reps ?? 3, setBudgetMs: Infinity, steadySpread: 0, capFactor: Infinity, capFloorMs: 3000, longLivedRuns: 8,
    ...given,
  };
  const modelRoot = o.modelRoot || (await makeTinyModels({ bench: true, log: o.log })).outDir;
  const repoDir = join(modelRoot, o.repo);
  if (!existsSync(join(repoDir, 'config.json'))) throw new Error(`${repoDir}/config.json not found: BENCH_MODEL_DIR must hold <org>/<name>/`);
  const modelConfig = JSON.parse(readFileSync(join(repoDir, 'config.json'), 'utf8'));

  const tokenizer = await benchTokenizer(modelRoot, o.repo);
  const sets = makeWorkloads(SEED, (t) => tokenizer.encode(t).length, o.sizes);
  const pageSets = [...sets.bulk, sets.queries].map((s) => ({ name: s.name, texts: s.texts, ids: s.texts.map(tokenizer.encode) }));

  const hub = await startHubServer(modelRoot);
  const vite = await startBenchVite();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const cdp = await browser.newBrowserCDPSession();
  const started = performance.now();
  try {
    const threads: ThreadResult[] = [];
    for (const n of o.threads) {
      // A fresh context per thread count: an empty browser cache and one onnxruntime setting per page.
      const context = await browser.newContext();
      const page = await openBenchPage(context, vite.url, o.log);
      const config: PageConfig = { modelHost: hub.url, repo: o.repo, dims: modelConfig.hidden_size as number, padId: tokenizer.padId, dtype: o.dtype, numThreads: n };
      threads.push(await measureThreads({ page, cdp }, config, sets, pageSets, o));
      await context.close();
    }
    const base: PageConfig = {
      modelHost: hub.url, repo: o.repo, dims: modelConfig.hidden_size as number, padId: tokenizer.padId, dtype: o.dtype,
      numThreads: Math.max(...o.threads),
    };
    const webgpu = o.webgpuTexts > 0 ? await raceDevices(vite.url, base, sets.queries.texts.slice(0, o.webgpuTexts), o) : undefined;
    return {
      meta: {
        date: new Date().toISOString(), repo: o.repo, modelRoot, randomWeights: !!modelConfig._fixture, dtype: o.dtype,
        browser: `Chromium ${browser.version()}`, reps: o.reps, minReps: o.minReps, seed: SEED, slowFactor: o.slowFactor,
        capFactor: o.capFactor, setBudgetS: o.setBudgetMs / 1000,
        seconds: Math.round((performance.now() - started) / 1000),
      },
      threads,
      ...(webgpu ? { webgpu } : {}),
    };
  } finally {
    await browser.close();
    await vite.close();
    await hub.close();
  }
}

/**
 * WebGPU against WASM, our client on each, in a second Chromium with WebGPU on. Here that is SwiftShader's
 * software adapter: it shows the path runs and agrees with WASM, never how fast a real GPU would be.
 */
async function raceDevices(viteUrl: string, config: PageConfig, texts: string[], o: Required<BenchOptions>): Promise<DeviceRace> {
  o.log(`WebGPU against WASM: ${texts.length} texts, ${config.numThreads} thread(s)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_WEBGPU_ARGS });
  try {
    const page = await openBenchPage(browser, viteUrl, o.log);
    const race = await page.evaluate(([c, t, r, cap]) => window.bench.devices(c, t, r, cap), [config, texts, o.minReps, o.webgpuCapMs] as const);
    for (const [side, s] of Object.entries(race.sides)) o.log(`  ${side}: ${s.error ? `failed: ${s.error}` : `${s.runs.map(Math.round).join(', ')} ms`}; ${race.backends[side]?.reason ?? ''}`);
    return race;
  } finally {
    await browser.close();
  }
}

export { BULK_SIDES, SMOKE_SIZES };

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const quick = process.env.BENCH_QUICK === '1';
  const full = process.env.BENCH_FULL === '1';
  // The default run: budgets per set and stops (see the header); BENCH_FULL=1 leaves runBench's full defaults.
  const budgeted: BenchOptions = full ? {} : {
    minReps: 1, setBudgetMs: Number(process.env.BENCH_SET_BUDGET_S ?? 30) * 1000, steadySpread: 0.05, slowFactor: 1.15, capFactor: 1.5,
    sizes: BUDGET_SIZES,
  };
  const results = await runBench({
    ...budgeted,
    modelRoot: process.env.BENCH_MODEL_DIR ? resolve(process.env.BENCH_MODEL_DIR) : undefined,
    repo: process.env.BENCH_REPO,
    dtype: process.env.BENCH_DTYPE as 'q8' | 'fp32' | undefined,
    threads: process.env.BENCH_THREADS?.split(',').map(Number) ?? (quick ? [2] : [1, 2]),
    reps: process.env.BENCH_REPS ? Number(process.env.BENCH_REPS) : 3,
    webgpuTexts: process.env.BENCH_WEBGPU_TEXTS ? Number(process.env.BENCH_WEBGPU_TEXTS) : undefined,
    log: (line) => console.log(line),
  });
  writeFileSync(join(ROOT, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${formatReport(results)}\nWrote bench-results.json (${results.meta.seconds} s).`);
}
