/**
 * Where the demo's model files come from (Node side of `demo/serve.ts`): the Hub when it answers, a local
 * folder in the Hub's repo layout (`--models <dir>`), or the tiny random-weight fixtures (`--tiny`, or
 * automatically when the Hub cannot be reached and no folder was given, so a fresh clone works offline).
 */

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CATALOGUE, type LocalModelRow } from '../src/models.js';
import type { DemoConfig, RowOverride } from './demo-config.js';

/** The Hugging Face Hub, the default model host. */
export const HUB = 'https://huggingface.co/';
/** The demo's default model (q8 on WASM: ≈ 34 MB of weights and 0.7 MB of tokenizer). */
export const DEFAULT_MODEL = 'BAAI/bge-small-en-v1.5';
/** Where `--tiny` writes the fixtures: the folder the browser tests use, so either run reuses the other's. */
export const TINY_DIR = resolve(import.meta.dirname, '../test/fixtures/models');

/** What the command line asked for. */
export interface SourceRequest {
  /** Serve this folder (`<dir>/<org>/<name>/...`). */
  models?: string;
  /** Generate and serve the tiny fixtures. */
  tiny?: boolean;
  /** Use the Hub even if it does not answer now. */
  hub?: boolean;
}

/** The chosen source: the page's config, and the folder to serve under `/models/` (absent for the Hub). */
export interface ModelSource {
  config: Omit<DemoConfig, 'build'>;
  folder?: string;
}

/** True when the Hub answers a HEAD of the default model's config within `timeoutMs`. */
export async function hubReachable(timeoutMs = 4000): Promise<boolean> {
  const url = `${HUB}Xenova/bge-small-en-v1.5/resolve/main/config.json`;
  try {
    const res = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return res.status < 500;
  } catch {
    return false;
  }
}

const localRows = () => CATALOGUE.filter((row): row is LocalModelRow => row.route === 'local');

/**
 * List the catalogue models whose repos `dir` holds, and the width each really has: the tiny fixtures are
 * 32-d where the catalogue says 384, so the client must be told (from `config.json`'s `hidden_size`).
 */
export function scanFolder(dir: string): { available: string[]; models: RowOverride[]; fixtures: boolean } {
  const available: string[] = [];
  const models: RowOverride[] = [];
  let fixtures = false;
  for (const row of localRows()) {
    const configPath = join(dir, row.repo, 'config.json');
    if (!existsSync(configPath)) continue;
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { hidden_size?: unknown; _fixture?: unknown };
    fixtures ||= config._fixture !== undefined;
    const width = row.output === 'last_hidden_state' ? config.hidden_size : goldenWidth(join(dir, row.repo));
    if (typeof width === 'number' && width !== row.dims) models.push({ id: row.id, dims: width });
    available.push(row.id);
  }
  return { available, models, fixtures };
}

/** A fixture's pooled width from its golden vectors (jina-clip's text tower has no `hidden_size`). */
function goldenWidth(repoDir: string): number | undefined {
  const path = join(repoDir, 'golden.json');
  if (!existsSync(path)) return undefined;
  const golden = JSON.parse(readFileSync(path, 'utf8')) as { vectors?: number[][] };
  return golden.vectors?.[0]?.length;
}

/** Make the tiny fixtures (cached by a stamp: instant after the first run). */
async function makeTiny(log: (line: string) => void): Promise<void> {
  // Imported here so serving the Hub or a folder never loads the generator (onnx-proto, protobufjs).
  const { makeTinyModels } = await import('../test/fixtures/make-tiny-models.js');
  const started = performance.now();
  const { built } = await makeTinyModels({ out: TINY_DIR, log });
  if (built.length) log(`tiny fixtures ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Decide where models come from, generating the tiny fixtures if they are the answer. */
export async function chooseSource(request: SourceRequest, log: (line: string) => void = console.log): Promise<ModelSource> {
  if (request.models) {
    const folder = resolve(request.models);
    if (!existsSync(folder)) throw new Error(`--models ${request.models}: no such folder`);
    return folderSource(folder, 'folder');
  }
  if (request.tiny) {
    await makeTiny(log);
    return folderSource(TINY_DIR, 'tiny');
  }
  if (request.hub || (await hubReachable())) {
    return {
      config: {
        source: 'hub', modelHost: HUB, available: null, models: [], defaultModel: DEFAULT_MODEL,
        note: 'Model files come from the Hugging Face Hub on first use, then from the browser cache.',
      },
    };
  }
  log('huggingface.co did not answer: serving the tiny random-weight test models instead (see the page).');
  await makeTiny(log);
  return folderSource(TINY_DIR, 'tiny', 'The Hugging Face Hub could not be reached when the server started, so ');
}

function folderSource(folder: string, kind: 'folder' | 'tiny', why = ''): ModelSource {
  const { available, models, fixtures } = scanFolder(folder);
  if (!available.length) {
    throw new Error(`${folder} holds none of the catalogue's repos: lay it out as <dir>/<org>/<name>/config.json, e.g. ${folder}/Xenova/bge-small-en-v1.5/`);
  }
  const source = kind === 'tiny' || fixtures ? 'tiny' : 'folder';
  const note = source === 'tiny'
    ? `${why}${why ? 'these' : 'These'} are tiny random-weight test models (generated by test/fixtures/make-tiny-models.ts): ` +
      'everything runs for real, but the ranking and the picture mean nothing. Run `npm run demo -- --models <dir>` ' +
      'with real models, or `npm run demo` where huggingface.co is reachable.'
    : `Model files come from the folder ${folder}, served under /models/.`;
  return {
    config: {
      source, modelHost: '/models/', available, models,
      defaultModel: available.includes(DEFAULT_MODEL) ? DEFAULT_MODEL : available[0], note,
    },
    folder,
  };
}
