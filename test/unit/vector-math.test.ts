import { describe, expect, it } from 'vitest';
import { planBatches } from '../../src/worker/batch-planner.js';
import {
  base64ToFloat32, cosine, float32ToBase64, isValidVector, normalizeInPlace, poolHidden, truncateAndNormalize,
} from '../../src/vector-math.js';

describe('vector math', () => {
  it('normalizes to unit length and leaves a zero vector at zero', () => {
    const v = normalizeInPlace(new Float32Array([3, 4]));
    expect(Array.from(v)).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(normalizeInPlace(new Float32Array(3)))).toEqual([0, 0, 0]);
  });

  it('truncates then renormalizes (Matryoshka)', () => {
    const v = truncateAndNormalize(normalizeInPlace(new Float32Array([1, 1, 1, 1])), 2);
    expect(v.length).toBe(2);
    expect(Math.hypot(...v)).toBeCloseTo(1, 6);
  });

  it('pools by the mask on either padding side', () => {
    // batch 2, seq 3, width 2; row 0 right-padded [a b pad], row 1 left-padded [pad a b]
    const a = [1, 2], b = [3, 4], pad = [100, 100];
    const hidden = new Float32Array([...a, ...b, ...pad, ...pad, ...a, ...b]);
    const mask = [1, 1, 0, 0, 1, 1];
    expect(Array.from(poolHidden(hidden, mask, 2, 3, 2, 'cls'))).toEqual([...a, ...a]);
    expect(Array.from(poolHidden(hidden, mask, 2, 3, 2, 'last_token'))).toEqual([...b, ...b]);
    expect(Array.from(poolHidden(hidden, mask, 2, 3, 2, 'mean'))).toEqual([2, 3, 2, 3]);
  });

  it('gives zeros, not NaN, for mean pooling over an empty mask', () => {
    const out = poolHidden(new Float32Array([1, 2]), [0], 1, 1, 2, 'mean');
    expect(Array.from(out)).toEqual([0, 0]);
  });

  it('round-trips base64 as little-endian float32 bytes, as the openai SDK decodes it', () => {
    const v = new Float32Array([0.1, -2.5, 3e-8, 1]);
    const text = float32ToBase64(v);
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    expect(Array.from(new Float32Array(bytes.buffer))).toEqual(Array.from(v));
    expect(Array.from(base64ToFloat32(text))).toEqual(Array.from(v));
    expect(() => base64ToFloat32(btoa('abc'))).toThrow(RangeError);
  });

  it('encodes long vectors in chunks', () => {
    const v = new Float32Array(40_000).map((_, i) => i);
    expect(base64ToFloat32(float32ToBase64(v))).toEqual(v);
  });

  it('checks length and finiteness', () => {
    expect(isValidVector(new Float32Array([1, 2]), 2)).toBe(true);
    expect(isValidVector(new Float32Array([1, NaN]), 2)).toBe(false);
    expect(isValidVector(new Float32Array([1]), 2)).toBe(false);
    expect(cosine([1, 0], [0, 1])).toBe(0);
  });
});

describe('planBatches', () => {
  const limits = { maxBatchTokens: 64, maxBatchSize: 4, maxPadRatio: 1.3 };

  it('covers every item exactly once', () => {
    const lengths = [5, 30, 7, 6, 64, 100, 8, 5, 5, 5, 5];
    const batches = planBatches(lengths, limits);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
  });

  it('keeps every batch under the token budget and size, except a lone long item', () => {
    const lengths = [5, 30, 7, 6, 64, 100, 8, 5, 5, 5, 5];
    for (const batch of planBatches(lengths, limits)) {
      const longest = Math.max(...batch.map((i) => lengths[i]));
      expect(batch.length).toBeLessThanOrEqual(4);
      if (batch.length > 1) expect(batch.length * longest).toBeLessThanOrEqual(64);
    }
  });

  it('never puts dissimilar lengths in one batch', () => {
    const lengths = [4, 40, 4, 4];
    const batches = planBatches(lengths, { ...limits, maxBatchTokens: 1000 });
    expect(batches).toEqual([[0, 2, 3], [1]]);
  });
});
