import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { playwright } from '@vitest/browser-playwright';
import MagicString from 'magic-string';
import { defaultClientConditions, type Plugin } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

/** Debian's Chromium: `npx playwright install` cannot download browsers on these machines. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];
/** WebGPU tests: GPU left on and SwiftShader's software adapter forced (correctness here, never speed). */
export const CHROMIUM_WEBGPU_ARGS = [
  ...CHROMIUM_ARGS.filter((arg) => arg !== '--disable-gpu'),
  '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader',
];

/** This package's version, built in: it keys the worker's cached WebGPU decisions (a new version probes again). */
const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };

/**
 * dist/ finds its worker and onnxruntime's files beside itself, wherever a consumer installs it: a
 * consumer's bundler (vite, webpack 5) follows only the literal `new URL('./file', import.meta.url)`
 * form, and a `/file` URL would point at the page's origin root. Vite's library build writes the
 * worker as `new URL(/* @vite-ignore *\/ new URL("x", import.meta.url).href, "" + import.meta.url)`;
 * this plugin makes it the literal form, then refuses any URL in the output that is not one.
 */
function packageRelativeUrls(): Plugin {
  const literalUrl = /new URL\(\s*(["'`])([^"'`]*)\1\s*,\s*import\.meta\.url\s*\)/g;
  return {
    name: 'inpage-embeddings:package-relative-urls',
    apply: 'build',
    renderChunk(code) {
      const out = new MagicString(code);
      out.replaceAll(/new URL\(\s*\/\* @vite-ignore \*\/\s*new URL\(("[^"]+"), import\.meta\.url\)\.href,\s*"" \+ import\.meta\.url\s*\)/g,
        'new URL($1, import.meta.url)');
      // onnxruntime's Node-only branch (file: URLs) names a file we do not ship: keep bundlers from resolving it.
      out.replaceAll(/new URL\((["'`])ort\.webgpu\.min\.mjs\1,\s*import\.meta\.url\)/g, 'new URL($1ort.webgpu.min.mjs$1, import.meta.url + "")');
      // transformers.js' default wasmPaths is a CDN; the worker always sets its own, so no third-party URL ships.
      out.replaceAll(/https:\/\/cdn\.jsdelivr\.net\/npm\/onnxruntime-web@\$\{[^}]+\}\/dist\//g, './');
      return out.hasChanged() ? { code: out.toString(), map: out.generateMap({ hires: true }) } : null;
    },
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        if (/new URL\(\s*\/\* @vite-ignore/.test(chunk.code)) this.error(`${chunk.fileName}: a URL bundlers cannot follow`);
        const cdn = /cdn\.jsdelivr\.net|unpkg\.com|esm\.sh/.exec(chunk.code);
        if (cdn) this.error(`${chunk.fileName}: names a CDN (${cdn[0]}); every runtime file must come from the package`);
        for (const [, , url] of chunk.code.matchAll(literalUrl)) {
          if (!url.startsWith('./') || !(url.slice(2) in bundle)) this.error(`${chunk.fileName}: new URL('${url}') is not a file beside it`);
        }
      }
    },
  };
}

/** The bench's smoke test: a Node test of `npm run bench`, full-only (its own project, `bench`). */
const BENCH_SMOKE = ['test/unit/bench-smoke.test.ts'];
/** The end-to-end file `npm test` runs (project `e2e-smoke`); project `e2e` runs the others. */
const E2E_SMOKE = ['test/e2e/sw-route.test.ts'];
/** End-to-end projects: pages, extension and service worker driven from Node through playwright in real Chromium. */
const E2E = {
  environment: 'node' as const, testTimeout: 120_000, hookTimeout: 180_000, fileParallelism: false,
  // Pages update their panels asynchronously, and on a loaded 2-core CI machine 1 s (the default) was too short.
  expect: { poll: { timeout: 15_000 } },
};

export default defineConfig({
  // Built asset URLs relative to the module that names them (see packageRelativeUrls).
  experimental: {
    renderBuiltUrl: (file, { hostType }) => (hostType === 'js' ? { runtime: `new URL(${JSON.stringify(`./${file}`)}, import.meta.url).href` } : { relative: true }),
  },
  define: { __INPAGE_EMBEDDINGS_VERSION__: JSON.stringify(version) },
  resolve: {
    // onnxruntime-web's "extern wasm" build loads its .mjs/.wasm from env.wasm.wasmPaths (which the
    // worker always sets to same-origin files) instead of embedding a `new URL()` that library mode
    // would inline as 26 MB of base64.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  build: {
    outDir: 'dist',
    lib: {
      // `sw` imports only types, so it builds to one self-contained file for a service worker.
      entry: {
        index: resolve(import.meta.dirname, 'src/index.ts'),
        core: resolve(import.meta.dirname, 'src/core.ts'),
        sw: resolve(import.meta.dirname, 'src/sw.ts'),
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^@huggingface\/transformers/, /^onnxruntime-web/, /^comlink/, /^idb-keyval/],
    },
    sourcemap: true,
    target: 'es2022',
  },
  plugins: [packageRelativeUrls()],
  worker: {
    format: 'es',
    plugins: () => [packageRelativeUrls()],
    // Stable names so `inpage-embeddings/worker` and self-hosting docs can point at them.
    rollupOptions: { output: { entryFileNames: 'worker.js', assetFileNames: '[name][extname]' } },
  },
  optimizeDeps: {
    // openai and ajv: dev-only, for the drop-in tests (ajv is CommonJS and must be pre-bundled).
    include: ['@huggingface/transformers', 'comlink', 'idb-keyval', 'openai', 'ajv'],
  },
  test: {
    // The JSON report is what .ci/run counts; the default reporter is for people; the progress reporter
    // prints a line as each project starts and ends (they run one after another, in `groupOrder`).
    reporters: ['default', './test/fixtures/progress-reporter.ts', ['json', { outputFile: 'test/output/vitest.json' }]],
    // `npm test` runs the projects its script names (unit, browser, e2e-smoke); `npm run test:full` runs
    // every project here, and CI runs test:full. A project not named in `npm test` is full-only.
    projects: [
      // ── npm test: what a contributor runs often ──
      {
        extends: true,
        test: {
          name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: [...configDefaults.exclude, ...BENCH_SMOKE],
          environment: 'node', testTimeout: 60_000, sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // Projects run one after another: on 2 cores, in parallel they only stretched each other's
          // tasks (the 50 ms main-thread checks failed under the e2e and WebGPU projects' load).
          sequence: { groupOrder: 1 },
          globalSetup: ['test/fixtures/global-setup.ts', 'test/fixtures/providers-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // All files in one page, so they can share one client and its worker (tiny-models.ts
          // `sharedClient`): a fresh worker pays onnxruntime's first-session start-up, most of a test's time.
          isolate: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        // One short end-to-end run: the service-worker route, driven from Node in real Chromium.
        test: { name: 'e2e-smoke', include: E2E_SMOKE, sequence: { groupOrder: 2 }, ...E2E },
      },
      // ── full-only (npm run test:full, and CI): slow, and rarely what a change breaks ──
      {
        extends: true,
        // `npm run bench` end to end on the tiny model, with its WebGPU-against-WASM race on SwiftShader.
        test: { name: 'bench', include: BENCH_SMOKE, environment: 'node', sequence: { groupOrder: 3 } },
      },
      {
        extends: true,
        test: {
          name: 'browser-webgpu',
          include: ['test/webgpu/**/*.test.ts'],
          sequence: { groupOrder: 4 },
          globalSetup: ['test/fixtures/global-setup.ts'],
          // SwiftShader runs every WebGPU kernel on the CPU: slow even on the tiny fixtures.
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_WEBGPU_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        // The demo page (search, reload, offline, the picture gallery) and the browser extension.
        test: {
          name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: [...configDefaults.exclude, ...E2E_SMOKE],
          sequence: { groupOrder: 5 }, ...E2E,
        },
      },
      {
        extends: true,
        // The packed package installed into fresh vite, webpack and esbuild apps, run in Chromium.
        test: {
          name: 'consumer', include: ['test/consumer/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 6 },
          testTimeout: 120_000, hookTimeout: 300_000, fileParallelism: false,
        },
      },
      {
        extends: true,
        // `npm run test:reliability`: faults, fuzzed input and load in real Chromium (README, "Reliability").
        test: {
          name: 'reliability',
          include: ['test/reliability/browser/**/*.test.ts'],
          sequence: { groupOrder: 7 },
          globalSetup: ['test/fixtures/global-setup.ts', 'test/fixtures/providers-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            // The load test reads the page's JS heap after a full collection (performance.memory, gc()).
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'] } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        extends: true,
        // The reliability cases that need a service worker (and later: several tabs, reloads, CDP, headers): Node drives playwright.
        test: { name: 'reliability-e2e', include: ['test/reliability/e2e/**/*.test.ts'], sequence: { groupOrder: 8 }, ...E2E, testTimeout: 180_000 },
      },
      {
        extends: true,
        // The reliability cases that need WebGPU (SwiftShader): a project of their own, so the others keep the GPU off.
        test: {
          name: 'reliability-webgpu',
          include: ['test/reliability/webgpu/**/*.test.ts'],
          sequence: { groupOrder: 9 },
          globalSetup: ['test/fixtures/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_WEBGPU_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
