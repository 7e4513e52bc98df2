/** Rank corpus vectors against a query by cosine similarity (all vectors are unit length: a dot product). */

/** One ranked passage. */
export interface Hit {
  index: number;
  score: number;
}

/** Return the `k` rows of `matrix` (`n × dims`, row-major) most similar to `query`, best first. */
export function topK(matrix: Float32Array, dims: number, query: ArrayLike<number>, k: number): Hit[] {
  const n = matrix.length / dims;
  const hits: Hit[] = [];
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let j = 0, o = i * dims; j < dims; j++) dot += matrix[o + j] * query[j];
    if (hits.length < k || dot > hits[hits.length - 1].score) {
      hits.push({ index: i, score: dot });
      hits.sort((a, b) => b.score - a.score);
      if (hits.length > k) hits.pop();
    }
  }
  return hits;
}
