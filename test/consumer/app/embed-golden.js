/**
 * What the consumer pages do: embed the tiny bge fixture's golden texts from the model host given in
 * `?hub=`, and report the vectors' cosines with the golden ones, the backend and any error.
 */

const MODEL = 'BAAI/bge-small-en-v1.5';
const REPO = 'Xenova/bge-small-en-v1.5';

const cosine = (a, b) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
};

export async function embedGoldenTexts(InPageEmbeddings, options = {}) {
  const hub = new URLSearchParams(location.search).get('hub');
  const golden = await (await fetch(`${hub}${REPO}/resolve/main/golden.json`)).json();
  const client = new InPageEmbeddings({
    modelHost: hub,
    // The tiny fixture's width and its fp32 weights (the golden vectors come from them).
    models: [{ id: MODEL, dims: golden.vectors[0].length, dtype: { wasm: 'fp32', webgpu: 'fp32' } }],
    ...options,
  });
  try {
    const res = await client.embeddings.create({ model: MODEL, input: golden.texts, encoding_format: 'float' });
    return {
      ok: true,
      crossOriginIsolated: self.crossOriginIsolated,
      count: res.data.length,
      expected: golden.texts.length,
      dims: res.data.map((d) => d.embedding.length),
      cosines: res.data.map((d, i) => cosine(d.embedding, golden.vectors[i])),
      backends: await client.backends(),
    };
  } catch (error) {
    return { ok: false, status: error?.status, code: error?.code, message: String(error?.message ?? error) };
  } finally {
    await client.dispose();
  }
}
