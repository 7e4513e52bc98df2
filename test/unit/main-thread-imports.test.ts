import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** Every module reachable from `entry` through static and dynamic imports (the worker URL is not an import). */
function importGraph(entry: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(entry)) return seen;
  const code = readFileSync(entry, 'utf8');
  const specifiers = [...code.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] ?? m[2]);
  seen.set(entry, specifiers);
  for (const spec of specifiers) {
    if (spec.startsWith('.')) importGraph(resolve(dirname(entry), spec.replace(/\.js$/, '.ts')), seen);
  }
  return seen;
}

describe('the main-thread entry', () => {
  it('never imports transformers.js or onnxruntime-web (they load only in the worker)', () => {
    const graph = importGraph(resolve(SRC, 'index.ts'));
    const offenders = [...graph].flatMap(([file, specs]) =>
      specs.filter((s) => /^@huggingface\/transformers|^onnxruntime-web/.test(s)).map((s) => `${file} imports ${s}`));
    expect(offenders).toEqual([]);
    expect(graph.size).toBeGreaterThan(5);
    expect([...graph.keys()].some((f) => f.includes('/worker/engine'))).toBe(false);
  });
});
