import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeGraph } from '../fixtures/import-graph.js';

const SRC = resolve(import.meta.dirname, '../../src');

describe('the main-thread entry', () => {
  it('never imports transformers.js or onnxruntime-web (they load only in the worker)', () => {
    const graph = runtimeGraph(resolve(SRC, 'index.ts'));
    const offenders = [...graph].flatMap(([file, specs]) =>
      specs.filter((s) => /^@huggingface\/transformers|^onnxruntime-web/.test(s)).map((s) => `${file} imports ${s}`));
    expect(offenders).toEqual([]);
    expect(graph.size).toBeGreaterThan(5);
    expect([...graph.keys()].some((f) => f.includes('/worker/engine'))).toBe(false);
  });
});
