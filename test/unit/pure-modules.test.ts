import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeGraph } from '../fixtures/import-graph.js';

const SRC = resolve(import.meta.dirname, '../../src');

/** The modules src/README.md calls pure: tested here in Node, so they must not need a browser. */
const PURE = [
  'validate.ts', 'request-plan.ts', 'response.ts', 'vector-math.ts', 'usage-ledger.ts', 'errors.ts',
  'cache/cache-key.ts', 'cache/image-key.ts', 'cache/cache-format.ts',
  'worker/batch-planner.ts', 'worker/run-cost.ts', 'worker/image-preprocess.ts',
  'remote/remote-batches.ts',
];

describe('pure modules', () => {
  it.each(PURE)('%s loads no comlink, idb-keyval, transformers.js or onnxruntime-web', (file) => {
    const graph = runtimeGraph(resolve(SRC, file));
    const offenders = [...graph].flatMap(([from, specs]) =>
      specs.filter((s) => !s.startsWith('.')).map((s) => `${relative(SRC, from)} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  it('the request plan loads only other pure modules', () => {
    const loaded = [...runtimeGraph(resolve(SRC, 'request-plan.ts')).keys()].map((f) => relative(SRC, f)).sort();
    expect(loaded).toEqual(['cache/cache-key.ts', 'errors.ts', 'request-plan.ts']);
  });
});
