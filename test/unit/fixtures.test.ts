import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenImages, preprocessImage } from '../fixtures/clip-images.js';
import { makeTinyModels } from '../fixtures/make-tiny-models.js';

// The tiny fixture models are checked against their golden vectors with onnxruntime-web's wasm build,
// one text at a time and in padded batches, fp32 and quantized. Goldens come from a plain-TS forward pass.

interface Golden {
  pooling: 'cls' | 'mean' | 'last_token';
  texts: string[];
  input_ids: number[][];
  vectors: number[][];
  image_vectors?: number[][];
  images?: { file: string }[];
}
type Side = 'left' | 'right';

const QWEN = 'onnx-community/Qwen3-Embedding-0.6B-ONNX';
const CLIP = 'jinaai/jina-clip-v1';
/** Absolute-position BERT legitimately changes under left padding (as the real one does); the rest must not. */
const TEXT_MODELS = [
  { repo: 'Xenova/bge-small-en-v1.5', padId: 0, sides: ['right'] as Side[] },
  { repo: 'Xenova/jina-embeddings-v2-base-en', padId: 0, sides: ['right', 'left'] as Side[] },
  { repo: 'Xenova/bge-m3', padId: 1, sides: ['right', 'left'] as Side[] },
  { repo: 'maidalun1020/bce-embedding-base_v1', padId: 1, sides: ['right', 'left'] as Side[] },
  { repo: QWEN, padId: 151643, sides: ['left', 'right'] as Side[] },
  { repo: CLIP, padId: 0, sides: ['right', 'left'] as Side[], file: 'text_model' },
];

let root: string;
const sessions = new Map<string, Promise<ort.InferenceSession>>();
const quantizedCosines: Record<string, number> = {};

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  // The folder the browser and e2e tests serve: built once per change of the generator (its stamp), not
  // once per file. The generator test below builds a second copy from scratch and compares the bytes.
  root = (await makeTinyModels()).outDir;
}, 60_000);

afterAll(() => {
  console.info('quantized vs fp32-golden minimum cosine:', quantizedCosines);
});

/** transformers.js reading the fixture folder (its env is global; nothing else in this file uses it). */
async function transformers() {
  const t = await import('@huggingface/transformers');
  Object.assign(t.env, { localModelPath: root, allowRemoteModels: false, allowLocalModels: true });
  return t;
}

const readJson = <T>(repo: string, file: string): T => JSON.parse(readFileSync(join(root, repo, file), 'utf8'));
const golden = (repo: string): Golden => readJson<Golden>(repo, 'golden.json');

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

function session(repo: string, file: string): Promise<ort.InferenceSession> {
  const key = `${repo}/${file}`;
  if (!sessions.has(key)) sessions.set(key, ort.InferenceSession.create(readFileSync(join(root, repo, 'onnx', `${file}.onnx`))));
  return sessions.get(key)!;
}

const int64 = (values: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);

/** Pad `seqs` to one batch; positions follow transformers.js (cumsum(mask) - 1, pads get 1). */
function padBatch(seqs: number[][], padId: number, side: Side) {
  const len = Math.max(...seqs.map((s) => s.length));
  const ids: number[] = [], mask: number[] = [], positions: number[] = [];
  for (const s of seqs) {
    const pad = Array<number>(len - s.length).fill(padId);
    const m = s.map(() => 1);
    const zeros = pad.map(() => 0);
    ids.push(...(side === 'right' ? [...s, ...pad] : [...pad, ...s]));
    mask.push(...(side === 'right' ? [...m, ...zeros] : [...zeros, ...m]));
    const p = s.map((_, i) => i);
    const padPos = pad.map(() => 1);
    positions.push(...(side === 'right' ? [...p, ...padPos] : [...padPos, ...p]));
  }
  return { len, ids, mask, positions };
}

/** Run a text graph on `seqs` and return per-sequence (pooled, unnormalized) vectors and raw hidden states. */
async function embed(repo: string, file: string, seqs: number[][], padId: number, side: Side, opts: { positionShift?: number; ignoreMask?: boolean } = {}) {
  const s = await session(repo, file);
  const { len, ids, mask, positions } = padBatch(seqs, padId, side);
  const b = seqs.length;
  const feedMask = opts.ignoreMask ? mask.map(() => 1) : mask;
  const feeds: Record<string, ort.Tensor> = { input_ids: int64(ids, [b, len]), attention_mask: int64(feedMask, [b, len]) };
  if (s.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(ids.map(() => 0), [b, len]);
  if (s.inputNames.includes('position_ids')) feeds.position_ids = int64(positions.map((p) => p + (opts.positionShift ?? 0)), [b, len]);
  const config = readJson<{ num_key_value_heads: number; head_dim: number }>(repo, 'config.json');
  for (const name of s.inputNames.filter((n) => n.startsWith('past_key_values.'))) {
    feeds[name] = new ort.Tensor('float32', new Float32Array(0), [b, config.num_key_value_heads, 0, config.head_dim]);
  }
  const out = await s.run(feeds);
  if (out.text_embeds) {
    const width = out.text_embeds.dims[1];
    const data = out.text_embeds.data as Float32Array;
    return { vectors: seqs.map((_, i) => Array.from(data.subarray(i * width, (i + 1) * width))), hidden: data };
  }
  const hidden = out.last_hidden_state.data as Float32Array;
  const width = out.last_hidden_state.dims[2];
  const pooling = golden(repo).pooling;
  const vectors = seqs.map((_, r) => {
    const real = Array.from({ length: len }, (_, t) => t).filter((t) => mask[r * len + t] === 1);
    const picked = pooling === 'cls' ? [real[0]] : pooling === 'last_token' ? [real[real.length - 1]] : real;
    const v = new Array<number>(width).fill(0);
    for (const t of picked) for (let c = 0; c < width; c++) v[c] += hidden[(r * len + t) * width + c] / picked.length;
    return v;
  });
  return { vectors, hidden };
}

describe.each(TEXT_MODELS)('tiny $repo', ({ repo, padId, sides, file = 'model' }) => {
  it('matches the golden vectors one text at a time (fp32)', async () => {
    const g = golden(repo);
    for (const [i, ids] of g.input_ids.entries()) {
      const { vectors } = await embed(repo, file, [ids], padId, 'right');
      expect(cosine(vectors[0], g.vectors[i])).toBeGreaterThanOrEqual(0.9999);
    }
  });

  it.each(sides)('keeps the golden vectors in one %s-padded batch (fp32)', async (side) => {
    const g = golden(repo);
    const { vectors } = await embed(repo, file, g.input_ids, padId, side);
    vectors.forEach((v, i) => expect(cosine(v, g.vectors[i])).toBeGreaterThanOrEqual(0.9999));
  });

  it('changes the vectors when padding is not masked, so padding bugs show', async () => {
    const g = golden(repo);
    const { vectors } = await embed(repo, file, g.input_ids, padId, sides[0], { ignoreMask: true });
    expect(Math.min(...vectors.map((v, i) => cosine(v, g.vectors[i])))).toBeLessThan(0.999);
  });

  it('stays close to the fp32 golden when quantized', async () => {
    const g = golden(repo);
    const { vectors } = await embed(repo, `${file}_quantized`, g.input_ids, padId, sides[0]);
    const worst = Math.min(...vectors.map((v, i) => cosine(v, g.vectors[i])));
    quantizedCosines[`${repo}/${file}`] = Number(worst.toFixed(5));
    expect(worst).toBeGreaterThanOrEqual(0.99);
  });
});

describe('tiny Qwen3 decoder', () => {
  it('is causal: changing a later token leaves earlier hidden states alone', async () => {
    const ids = golden(QWEN).input_ids[3];
    const changed = [...ids.slice(0, 10), 42, ...ids.slice(11)];
    const a = (await embed(QWEN, 'model', [ids], 0, 'right')).hidden;
    const b = (await embed(QWEN, 'model', [changed], 0, 'right')).hidden;
    const width = a.length / ids.length;
    for (let i = 0; i < 10 * width; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    expect(cosine(a.subarray(10 * width), b.subarray(10 * width))).toBeLessThan(0.999);
  });

  it('continues from its own present.* fed back as past_key_values exactly like one full pass', async () => {
    const ids = golden(QWEN).input_ids[3];
    const split = 10;
    const s = await session(QWEN, 'model');
    const { num_key_value_heads: kv, head_dim: hd } = readJson<{ num_key_value_heads: number; head_dim: number }>(QWEN, 'config.json');
    const run = (part: number[], offset: number, past: Record<string, ort.Tensor>) =>
      s.run({
        input_ids: int64(part, [1, part.length]),
        attention_mask: int64(Array<number>(offset + part.length).fill(1), [1, offset + part.length]),
        position_ids: int64(part.map((_, i) => offset + i), [1, part.length]),
        ...past,
      });
    const pastNames = s.inputNames.filter((n) => n.startsWith('past_key_values.'));
    const empty = Object.fromEntries(pastNames.map((n) => [n, new ort.Tensor('float32', new Float32Array(0), [1, kv, 0, hd])]));
    const full = (await run(ids, 0, empty)).last_hidden_state.data as Float32Array;
    const first = await run(ids.slice(0, split), 0, empty);
    const past = Object.fromEntries(pastNames.map((n) => [n, first[n.replace('past_key_values', 'present')]]));
    const rest = (await run(ids.slice(split), split, past)).last_hidden_state.data as Float32Array;
    const tail = full.subarray(full.length - rest.length);
    for (let i = 0; i < rest.length; i++) expect(Math.abs(rest[i] - tail[i])).toBeLessThan(1e-4);
  });

  it('uses position_ids: shifting every position changes the output', async () => {
    const g = golden(QWEN);
    const { vectors } = await embed(QWEN, 'model', [g.input_ids[1]], 0, 'right', { positionShift: 3 });
    expect(cosine(vectors[0], g.vectors[1])).toBeLessThan(0.99);
  });
});

describe('tiny jina-clip-v1 vision tower', () => {
  const pixels = () => {
    const images = goldenImages().map(preprocessImage);
    const data = new Float32Array(images.length * images[0].length);
    images.forEach((img, i) => data.set(img, i * img.length));
    return new ort.Tensor('float32', data, [images.length, 3, 224, 224]);
  };

  it.each(['vision_model', 'vision_model_quantized'])('embeds the golden images in one batch (%s)', async (file) => {
    const g = golden(CLIP);
    const out = await (await session(CLIP, file)).run({ pixel_values: pixels() });
    const data = out.image_embeds.data as Float32Array;
    const width = out.image_embeds.dims[1];
    expect(width).toBe(768);
    const cosines = g.image_vectors!.map((v, i) => cosine(data.subarray(i * width, (i + 1) * width), v));
    const floor = file === 'vision_model' ? 0.9999 : 0.99;
    if (file !== 'vision_model') quantizedCosines[`${CLIP}/${file}`] = Number(Math.min(...cosines).toFixed(5));
    cosines.forEach((c) => expect(c).toBeGreaterThanOrEqual(floor));
  });

  it('gets the same pixel tensor from the PNGs through transformers.js preprocessing', async () => {
    const { AutoImageProcessor, RawImage } = await transformers();
    const processor = await AutoImageProcessor.from_pretrained(CLIP);
    const expected = goldenImages().map(preprocessImage);
    for (const [i, { file }] of golden(CLIP).images!.entries()) {
      const { pixel_values } = await processor(await RawImage.read(join(root, CLIP, file)));
      expect(pixel_values.dims).toEqual([1, 3, 224, 224]);
      const got = pixel_values.data as Float32Array;
      let worst = 0;
      for (let k = 0; k < got.length; k++) worst = Math.max(worst, Math.abs(got[k] - expected[i][k]));
      expect(worst).toBeLessThan(1e-5);
    }
  });
});

// transformers.js in Node runs onnxruntime-node (CPU), so this checks the repo layout, configs and tokenizer
// settings (Qwen3's left padding, its empty past_key_values) as the library's own loader sees them.
describe('transformers.js on the fixture repos', () => {
  it.each(TEXT_MODELS.filter((m) => m.repo !== CLIP))('reproduces the golden vectors of $repo with its pipeline', async ({ repo }) => {
    const { pipeline } = await transformers();
    const g = golden(repo);
    const extractor = await pipeline('feature-extraction', repo, { dtype: 'fp32' });
    const out = (await extractor(g.texts, { pooling: g.pooling, normalize: true })).tolist() as number[][];
    out.forEach((v, i) => expect(cosine(v, g.vectors[i])).toBeGreaterThanOrEqual(0.9999));
    await extractor.dispose();
  });

  it('reproduces the jina-clip-v1 golden text and image vectors with its CLIP classes', async () => {
    const { AutoProcessor, AutoTokenizer, JinaCLIPTextModel, JinaCLIPVisionModel, RawImage } = await transformers();
    const g = golden(CLIP);
    const tokenizer = await AutoTokenizer.from_pretrained(CLIP);
    const text = await JinaCLIPTextModel.from_pretrained(CLIP, { dtype: 'fp32' });
    const { text_embeds } = await text(tokenizer(g.texts, { padding: true, truncation: true }));
    (text_embeds.tolist() as number[][]).forEach((v, i) => expect(cosine(v, g.vectors[i])).toBeGreaterThanOrEqual(0.9999));
    const processor = await AutoProcessor.from_pretrained(CLIP);
    const vision = await JinaCLIPVisionModel.from_pretrained(CLIP, { dtype: 'fp32' });
    const images = await Promise.all(g.images!.map(({ file }) => RawImage.read(join(root, CLIP, file))));
    const { image_embeds } = await vision(await processor(null, images));
    (image_embeds.tolist() as number[][]).forEach((v, i) => expect(cosine(v, g.image_vectors![i])).toBeGreaterThanOrEqual(0.9999));
    await Promise.all([text.dispose(), vision.dispose()]);
  });
});

describe('fixture generator', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort();

  it('writes byte-identical repos on every run', async () => {
    const again = mkdtempSync(join(tmpdir(), 'tiny-models-'));
    try {
      await makeTinyModels({ out: again, force: true });
      expect(files(again)).toEqual(files(root));
      for (const f of files(root)) expect(readFileSync(join(again, f)).equals(readFileSync(join(root, f))), f).toBe(true);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }, 60_000);

  it('skips repos whose stamp matches the current sources', async () => {
    const { built, skipped } = await makeTinyModels({ out: root });
    expect(built).toEqual([]);
    expect(skipped).toHaveLength(6);
  });
});
