/** Pure vector math on flat Float32Arrays: pooling, normalization, truncation, base64. No DOM, no ORT. */

import type { Pooling } from './models.js';

/** Scale `v` to unit length in place (a zero vector stays zero) and return it. */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
  }
  return v;
}

/** Return the first `dims` components renormalized to unit length (Matryoshka truncation). */
export function truncateAndNormalize(v: Float32Array, dims: number): Float32Array {
  if (dims >= v.length) return v;
  return normalizeInPlace(v.slice(0, dims));
}

/** Cosine similarity of two equal-length vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / (Math.sqrt(na * nb) || 1);
}

/** True when `v` has `dims` finite components. */
export function isValidVector(v: Float32Array, dims: number): boolean {
  if (v.length !== dims) return false;
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * Pool hidden states `[batch, seq, width]` into `[batch, width]` by the attention mask.
 * Mask-aware for every method, so either padding side gives the same vector:
 * `cls` takes the first real token, `last_token` the last real one, `mean` averages real tokens
 * (an all-zero mask gives a zero vector, never NaN).
 */
export function poolHidden(
  hidden: Float32Array, mask: ArrayLike<number | bigint>, batch: number, seq: number, width: number, pooling: Pooling,
): Float32Array {
  const out = new Float32Array(batch * width);
  for (let b = 0; b < batch; b++) {
    const row = b * seq;
    const dst = out.subarray(b * width, (b + 1) * width);
    if (pooling === 'mean') {
      let count = 0;
      for (let t = 0; t < seq; t++) {
        if (!Number(mask[row + t])) continue;
        count++;
        const src = (row + t) * width;
        for (let k = 0; k < width; k++) dst[k] += hidden[src + k];
      }
      if (count > 0) for (let k = 0; k < width; k++) dst[k] /= count;
      continue;
    }
    let pick = -1;
    if (pooling === 'last_token') {
      for (let t = seq - 1; t >= 0 && pick < 0; t--) if (Number(mask[row + t])) pick = t;
    } else {
      for (let t = 0; t < seq && pick < 0; t++) if (Number(mask[row + t])) pick = t;
    }
    if (pick >= 0) dst.set(hidden.subarray((row + pick) * width, (row + pick + 1) * width));
  }
  return out;
}

/** Encode float32 values as base64 of their little-endian bytes (OpenAI's `encoding_format: 'base64'`). */
export function float32ToBase64(v: Float32Array): string {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let binary = '';
  const CHUNK = 0x8000; // String.fromCharCode takes bounded argument lists.
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

/** Decode base64 little-endian float32 bytes; throws RangeError when the byte count is not a multiple of 4. */
export function base64ToFloat32(text: string): Float32Array {
  const binary = atob(text);
  if (binary.length % 4 !== 0) throw new RangeError(`base64 embedding has ${binary.length} bytes, not a multiple of 4`);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
