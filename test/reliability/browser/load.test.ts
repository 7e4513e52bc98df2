/**
 * Load: 10,000 texts with the demo corpus's length mix through one client from 50 concurrent callers,
 * five rounds, on the tiny bge model (a real model's runs would take this 2-core machine far too long).
 * Round 1 computes, rounds 2–5 are answered by the vector cache, as a page that keeps working would be.
 * Checked: every result right and in order, p50/p95 per call, the page's JS heap flat from round 2 to
 * round 5, and the main thread's long tasks. Figures are printed as `LOAD` lines for the README.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import corpus from '../../../demo/public/corpus.json';
import type { InPageEmbeddings } from '../../../src/index.js';
import { freshNamespace } from '../../browser/cache-helpers.js';
import { FAMILIES, tinyClient } from '../../browser/tiny-models.js';

const TEXTS = 10_000;
const CALLERS = 50;
const PER_CALL = 8;
const ROUNDS = 5;
/** Heap growth allowed from round 2 to round 5: 20 % plus 2 MiB (the heap moves by ~4 MiB between rounds without a trend). */
const HEAP_TOLERANCE = (base: number) => base * 0.2 + 2 * 2 ** 20;

const passages = (corpus as { passages: Array<{ text: string }> }).passages.map((p) => p.text);
/** The corpus's texts in turn, each made unique by its number, so lengths follow the corpus's mix. */
const texts = Array.from({ length: TEXTS }, (_, i) => `${passages[i % passages.length]} (${i})`);

let client: InPageEmbeddings;
beforeAll(async () => { client = await tinyClient({ cacheNamespace: freshNamespace('load') }); });
afterAll(() => client.dispose());

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** The page's live JS heap after a full collection (Chromium's performance.memory, precise under the project's flags). */
async function heapBytes(): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 50));
  return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
}

/** One round: CALLERS callers each take the next PER_CALL texts until none are left. */
async function round(): Promise<{ vectors: Float32Array[]; latencies: number[]; problems: string[] }> {
  const vectors: Float32Array[] = new Array(TEXTS);
  const latencies: number[] = [];
  const problems: string[] = [];
  let next = 0;
  const caller = async () => {
    while (next < TEXTS) {
      const at = next;
      next += PER_CALL;
      const input = texts.slice(at, at + PER_CALL);
      const started = performance.now();
      const res = await client.embeddings.create({ model: FAMILIES.bert.id, input });
      latencies.push(performance.now() - started);
      res.data.forEach((d, i) => {
        if (d.index !== i) problems.push(`call at ${at}: item ${i} has index ${d.index}`);
        vectors[at + i] = Float32Array.from(d.embedding as number[]);
      });
      if (res.data.length !== input.length) problems.push(`call at ${at}: ${res.data.length} items for ${input.length}`);
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
  return { vectors, latencies, problems };
}

describe(`${TEXTS} texts, ${CALLERS} concurrent callers, ${ROUNDS} rounds`, () => {
  it('every result right and in order, latency reported, heap flat from round 2 to 5, long tasks reported', async () => {
    let reference: Float32Array[] = [];
    const heaps: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      // Long tasks are watched during the calls only, not during this test's own checks between rounds.
      const longTasks: number[] = [];
      const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
      observer.observe({ type: 'longtask' });
      const started = performance.now();
      const { vectors, latencies, problems } = await round();
      const seconds = (performance.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 100));
      observer.disconnect();
      expect(problems).toEqual([]);
      if (r === 1) reference = vectors;
      else for (let i = 0; i < TEXTS; i++) if (vectors[i].some((x, k) => x !== reference[i][k])) throw new Error(`round ${r}: text ${i} differs from round 1`);
      await client.cache.flush();
      heaps.push(await heapBytes());
      console.log(`LOAD round ${r}: ${seconds.toFixed(1)} s, ${latencies.length} calls, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p95 ${percentile(latencies, 95).toFixed(1)} ms, page heap ${(heaps[r - 1] / 2 ** 20).toFixed(1)} MiB, ` +
        `long tasks ${longTasks.length} (longest ${Math.max(0, ...longTasks).toFixed(0)} ms)`);
    }

    // Right: a sample computed apart, by a client without a cache, in one call, agrees with round 1.
    const apart = await tinyClient();
    const sample = Array.from({ length: 64 }, (_, i) => (i * 157) % TEXTS);
    const check = await apart.embeddings.create({ model: FAMILIES.bert.id, input: sample.map((i) => texts[i]) });
    await apart.dispose();
    check.data.forEach((d, j) => (d.embedding as number[]).forEach((x, k) => expect(Math.abs(x - reference[sample[j]][k])).toBeLessThan(1e-5)));

    expect(heaps[4] - heaps[1]).toBeLessThan(HEAP_TOLERANCE(heaps[1]));
  });
});
