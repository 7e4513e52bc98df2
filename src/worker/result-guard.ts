/** Checks on what a session returned, before a vector leaves the worker. Pure: typed arrays in, verdicts out. */

/** How far from unit length a served vector may be (normalization happened in float32). */
const NORM_TOLERANCE = 1e-3;

/** Return why the vectors at `rows` of `out` (`dims` wide) cannot be served, or undefined when all are sound. */
export function badRows(out: Float32Array, rows: readonly number[], dims: number): string | undefined {
  if (out.length % dims !== 0) return `the output holds ${out.length} values, not a multiple of ${dims}`;
  for (const row of rows) {
    if ((row + 1) * dims > out.length) return `row ${row} is missing from the output`;
    let sum = 0;
    for (let i = row * dims; i < (row + 1) * dims; i++) {
      const x = out[i];
      if (!Number.isFinite(x)) return `a ${Number.isNaN(x) ? 'NaN' : 'non-finite value'} in the output`;
      sum += x * x;
    }
    if (Math.abs(Math.sqrt(sum) - 1) > NORM_TOLERANCE) return `a vector of norm ${Math.sqrt(sum).toPrecision(3)}, not 1`;
  }
  return undefined;
}

/** Decode IEEE 754 half-precision bits. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Return a session output's values as float32. fp16 graphs return float16: a `Float16Array` where the
 * browser has one, else the raw bits in a `Uint16Array`.
 */
export function floatData(tensor: { type: string; data: unknown }): Float32Array {
  const data = tensor.data;
  if (data instanceof Float32Array) return data;
  if (tensor.type === 'float16' && data instanceof Uint16Array) {
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = halfToFloat(data[i]);
    return out;
  }
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return Float32Array.from(data as unknown as ArrayLike<number>);
  throw new TypeError(`a ${tensor.type} output cannot be read as floats`);
}
