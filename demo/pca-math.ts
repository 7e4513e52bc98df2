/** Principal component analysis of a few hundred vectors: the top two components by power iteration. Pure. */

/** The fitted projection: subtract `mean`, then dot with each of the two `components` (each `dims` long). */
export interface Projection {
  dims: number;
  mean: Float32Array;
  components: [Float32Array, Float32Array];
  /** The rows of the fitted matrix, projected: `[x0, y0, x1, y1, ...]`. */
  coords: Float32Array;
}

/** Fit the top two principal components of `matrix` (`n × dims`, row-major). */
export function fitPca(matrix: Float32Array, dims: number, iterations = 60): Projection {
  const n = matrix.length / dims;
  const mean = new Float32Array(dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) mean[j] += matrix[i * dims + j] / n;
  const centered = new Float32Array(matrix.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) centered[i * dims + j] = matrix[i * dims + j] - mean[j];

  const first = powerIteration(centered, n, dims, iterations, []);
  const second = powerIteration(centered, n, dims, iterations, [first]);
  const projection: Projection = { dims, mean, components: [first, second], coords: new Float32Array(n * 2) };
  for (let i = 0; i < n; i++) {
    const [x, y] = project(projection, matrix.subarray(i * dims, (i + 1) * dims));
    projection.coords[2 * i] = x;
    projection.coords[2 * i + 1] = y;
  }
  return projection;
}

/** Project one vector onto the fitted plane. */
export function project(p: Projection, vector: ArrayLike<number>): [number, number] {
  let x = 0, y = 0;
  for (let j = 0; j < p.dims; j++) {
    const v = vector[j] - p.mean[j];
    x += v * p.components[0][j];
    y += v * p.components[1][j];
  }
  return [x, y];
}

/** The dominant eigenvector of XᵀX orthogonal to `against`, without forming the dims × dims matrix. */
function powerIteration(x: Float32Array, n: number, dims: number, iterations: number, against: Float32Array[]): Float32Array {
  let v = new Float32Array(dims);
  // A fixed start keeps the picture the same from one visit to the next.
  for (let j = 0; j < dims; j++) v[j] = Math.sin(j + 1 + against.length);
  const xv = new Float32Array(n);
  for (let it = 0; it < iterations; it++) {
    for (const u of against) orthogonalize(v, u);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < dims; j++) s += x[i * dims + j] * v[j];
      xv[i] = s;
    }
    const next = new Float32Array(dims);
    for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) next[j] += x[i * dims + j] * xv[i];
    const norm = Math.hypot(...next);
    if (norm === 0) break;
    for (let j = 0; j < dims; j++) next[j] /= norm;
    v = next;
  }
  for (const u of against) orthogonalize(v, u);
  return v;
}

function orthogonalize(v: Float32Array, u: Float32Array): void {
  let d = 0;
  for (let j = 0; j < v.length; j++) d += v[j] * u[j];
  for (let j = 0; j < v.length; j++) v[j] -= d * u[j];
}
