/**
 * A consumer app built the way its bundler's users build it, with only the lines README gives for
 * inpage-embeddings. `entry` is `main` (the default worker) or `custom` (its own worker, core entry).
 */

import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export type Bundler = 'vite' | 'webpack' | 'esbuild';
export type Entry = 'main' | 'custom';

/** The package's runtime files, which esbuild (no `new URL()` support) is told to copy beside the bundle. */
export const RUNTIME_FILES = ['worker.js', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

const HTML: Record<Entry, string> = { main: 'index.html', custom: 'custom.html' };

export async function buildApp(bundler: Bundler, app: string, entry: Entry, outDir: string): Promise<void> {
  if (bundler === 'vite') {
    const { build } = await import('vite');
    await build({
      root: app, configFile: false, logLevel: 'warn',
      build: { outDir, emptyOutDir: true, rollupOptions: { input: join(app, HTML[entry]) } },
    });
    return;
  }
  if (bundler === 'webpack') {
    const { default: webpack } = await import('webpack');
    const compiler = webpack({
      mode: 'production', context: app, entry: { [entry]: `./${entry}.js` },
      output: { path: outDir, filename: '[name].js', clean: true },
      performance: { hints: false }, devtool: false,
    });
    const stats = await new Promise<import('webpack').Stats>((resolve, reject) =>
      compiler.run((error, result) => (error || !result ? reject(error) : resolve(result))));
    await new Promise((resolve) => compiler.close(resolve));
    if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
    copyFileSync(join(app, HTML[entry]), join(outDir, HTML[entry]));
    return;
  }
  const { build } = await import('esbuild');
  const entryPoints = entry === 'main' ? [join(app, 'main.js')] : [join(app, 'custom.js'), join(app, 'custom-worker.js')];
  await build({ entryPoints, bundle: true, format: 'esm', outdir: outDir, logLevel: 'warning' });
  const dist = join(app, 'node_modules/inpage-embeddings/dist');
  const needed = entry === 'main' ? RUNTIME_FILES : RUNTIME_FILES.slice(1);
  for (const file of needed) copyFileSync(join(dist, file), join(outDir, file));
  copyFileSync(join(app, HTML[entry]), join(outDir, HTML[entry]));
}

export interface OutputFile { path: string; bytes: number; kind: 'page' | 'worker' | 'ort-mjs' | 'wasm' | 'other' }

/** Every file of a build, classed by what it is (a worker bundle holds the engine's own error text). */
export function outputFiles(outDir: string): OutputFile[] {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
  return walk(outDir).map((file) => {
    const bytes = statSync(file).size;
    const path = relative(outDir, file);
    const text = /\.(m?js)$/.test(file) ? readFileSync(file, 'utf8') : '';
    const kind: OutputFile['kind'] = file.endsWith('.wasm') ? 'wasm'
      : /ort-wasm.*\.mjs$/.test(file) || text.includes('em-pthread') ? 'ort-mjs'
        : text.includes('Engine.init() must be called') ? 'worker'
          : /\.m?js$/.test(file) ? 'page' : 'other';
    return { path, bytes, kind };
  });
}
