/**
 * The evidence behind `'auto'`: a canary parity check (WebGPU against WASM on fixed texts) and a bounded
 * warm micro-benchmark on one representative batch. Both take the model as "embed these texts", so they
 * test the very path requests take (tokenizer, padding, pooling, normalization).
 */

import type { BenchmarkEvidence, ParityEvidence } from '../device-protocol.js';
import { cosine } from '../vector-math.js';

/** Embed `texts` in one batch: unit vectors, `texts.length × dims`. */
export type EmbedTexts = (texts: string[]) => Promise<Float32Array>;

/** WebGPU must match WASM this closely on every canary text. */
export const PARITY_MIN_COSINE = 0.999;

/** Fixed canary texts: short and long (so padding is exercised), ASCII, digits, punctuation and CJK. */
export const CANARY_TEXTS: readonly string[] = [
  'The quick brown fox jumps over the lazy dog.',
  'Invoice 2024-117: 3 items, total 1,250.00 EUR; due in 30 days (see terms §4).',
  '向量检索把文本映射到同一个空间。 Embeddings map texts into one space, so that similar meanings land close ' +
    'together and a nearest-neighbour search finds them again.',
];

const WORDS = (
  'search engines rank passages by meaning rather than exact words so a question about cheap flights ' +
  'finds pages on low cost airlines while a query about heart attacks finds notes on myocardial infarction'
).split(' ');

/** A representative batch: 8 passages of about 60 words, as a page of search results would be. */
export function benchmarkTexts(count = 8, words = 60): string[] {
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: words - (i % 3) * 7 }, (_, k) => WORDS[(i * 5 + k) % WORDS.length]).join(' '));
}

/** Compare WebGPU's canary vectors with WASM's, text by text. */
export async function checkParity(webgpu: EmbedTexts, wasm: EmbedTexts, dims: number): Promise<ParityEvidence> {
  const texts = [...CANARY_TEXTS];
  const expected = await wasm(texts);
  const got = await webgpu(texts);
  let nan = got.length !== expected.length;
  for (let i = 0; i < got.length && !nan; i++) if (!Number.isFinite(got[i])) nan = true;
  let minCosine = nan ? NaN : 1;
  if (!nan) {
    for (let t = 0; t < texts.length; t++) {
      const c = cosine(got.subarray(t * dims, (t + 1) * dims), expected.subarray(t * dims, (t + 1) * dims));
      minCosine = Math.min(minCosine, c);
    }
  }
  const passed = !nan && minCosine >= PARITY_MIN_COSINE;
  return { minCosine, nan, texts: texts.length, threshold: PARITY_MIN_COSINE, passed };
}

/** How the benchmark is bounded. */
export interface BenchmarkLimits {
  /** Timed runs per device at most. */
  rounds: number;
  /** WebGPU is "clearly slower" once one of its runs takes this many times WASM's median. */
  clearlySlower: number;
  /** WebGPU must beat WASM's median by this factor to count as faster (noise margin). */
  fasterBelow: number;
  /** Stop once the benchmark has taken this long, warm-up included. */
  budgetMs: number;
}

export const DEFAULT_BENCHMARK_LIMITS: BenchmarkLimits = { rounds: 3, clearlySlower: 1.5, fasterBelow: 0.9, budgetMs: 15_000 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/**
 * Time WASM and WebGPU on the same batch, alternating, after one warm-up run each (the first WebGPU
 * run compiles its shaders). Stop as soon as WebGPU is clearly slower or the budget is spent: on a
 * software adapter one run can take a hundred times WASM's.
 */
export async function benchmark(
  webgpu: EmbedTexts, wasm: EmbedTexts, texts: string[], tokens: number, limits: BenchmarkLimits = DEFAULT_BENCHMARK_LIMITS,
): Promise<BenchmarkEvidence> {
  const start = performance.now();
  const over = () => performance.now() - start > limits.budgetMs;
  const wasmMs: number[] = [];
  const webgpuMs: number[] = [];
  let stoppedEarly = false;
  // 1. Warm-up: load kernels, compile shaders, size buffers.
  const wasmWarm = await timed(() => wasm(texts));
  const webgpuWarm = await timed(() => webgpu(texts));
  if (over() && webgpuWarm > limits.clearlySlower * wasmWarm) {
    stoppedEarly = true;
  } else {
    // 2. Timed rounds, WASM then WebGPU, stopping at the first clear loss.
    for (let round = 0; round < limits.rounds; round++) {
      wasmMs.push(await timed(() => wasm(texts)));
      webgpuMs.push(await timed(() => webgpu(texts)));
      if (webgpuMs[round] > limits.clearlySlower * median(wasmMs) || over()) {
        stoppedEarly = round < limits.rounds - 1;
        break;
      }
    }
  }
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const webgpuFaster = webgpuMs.length > 0 && median(webgpuMs) < limits.fasterBelow * median(wasmMs);
  return {
    texts: texts.length, tokens, warmupMs: { wasm: round1(wasmWarm), webgpu: round1(webgpuWarm) },
    wasmMs: wasmMs.map(round1), webgpuMs: webgpuMs.map(round1), stoppedEarly, webgpuFaster,
  };
}

/** Return the median of `xs` (for reasons and reports). */
export { median };
