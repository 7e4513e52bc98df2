import { beforeAll, describe, expect, it } from 'vitest';
import { APIError, BadRequestError, cosine, type InPageEmbeddings } from '../../src/index.js';
import { asNumbers, CLIP_FP32_VISION as FP32_VISION, FAMILIES, fixtureJson, modelHost, sharedClient, tinyClient, type Golden } from './tiny-models.js';

interface ClipGolden extends Golden {
  images: Array<{ file: string; width: number; height: number }>;
  image_vectors: number[][];
}

const { id, repo } = FAMILIES.clip;
const fileUrl = (file: string) => `${modelHost()}${repo}/resolve/main/${file}`;
const hubLog = async (clear = false): Promise<string[]> => (await fetch(`${modelHost()}__log${clear ? '?clear' : ''}`)).json();

let golden: ClipGolden;
let client: InPageEmbeddings;
let blobs: Blob[];

beforeAll(async () => {
  golden = await fixtureJson<ClipGolden>(repo, 'golden.json');
  blobs = await Promise.all(golden.images.map(async ({ file }) => (await fetch(fileUrl(file))).blob()));
  // The golden vectors come from fp32 weights: the shared client runs the image tower in fp32 too.
  client = await sharedClient();
});

async function rejection(p: Promise<unknown>): Promise<APIError> {
  try { await p; } catch (err) { if (err instanceof APIError) return err; throw err; }
  throw new Error('expected a rejection');
}

async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Draw an image into a 2D context of its own size. */
function drawn<C extends HTMLCanvasElement | OffscreenCanvas>(canvas: C, bitmap: ImageBitmap): C {
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  (canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D).drawImage(bitmap, 0, 0);
  return canvas;
}

/** Every source kind the library accepts, made from golden image `i`. */
const SOURCES: Record<string, (i: number) => Promise<unknown>> = {
  'URL': async (i) => fileUrl(golden.images[i].file),
  'data URI': async (i) => `data:image/png;base64,${await base64Of(blobs[i])}`,
  'bare base64': async (i) => base64Of(blobs[i]),
  'Blob': async (i) => blobs[i],
  'File': async (i) => new File([blobs[i]], golden.images[i].file, { type: 'image/png' }),
  'ImageBitmap': async (i) => createImageBitmap(blobs[i]),
  'ImageData': async (i) => {
    const bitmap = await createImageBitmap(blobs[i]);
    return drawn(new OffscreenCanvas(1, 1), bitmap).getContext('2d')!.getImageData(0, 0, bitmap.width, bitmap.height);
  },
  'HTMLImageElement': async (i) => {
    const img = new Image();
    img.crossOrigin = 'anonymous';
    img.src = fileUrl(golden.images[i].file);
    await img.decode();
    return img;
  },
  'HTMLCanvasElement': async (i) => drawn(document.createElement('canvas'), await createImageBitmap(blobs[i])),
  'OffscreenCanvas': async (i) => drawn(new OffscreenCanvas(1, 1), await createImageBitmap(blobs[i])),
};

function expectGolden(embedding: number[] | string, expected: number[]) {
  const v = asNumbers(embedding);
  expect(v.length).toBe(expected.length);
  expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  expect(cosine(v, expected)).toBeGreaterThanOrEqual(0.9999);
}

describe('jina-clip-v1 images', () => {
  it.each(Object.keys(SOURCES))('embeds %s images to the golden vectors, in order', async (kind) => {
    const images = await Promise.all([0, 1].map((i) => SOURCES[kind](i)));
    const res = await client.embeddings.create({ model: id, input: images.map((image) => ({ image })) as never });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    res.data.forEach((d, i) => expectGolden(d.embedding, golden.image_vectors[i]));
    expect(res.usage).toEqual({ prompt_tokens: 0, total_tokens: 0, image_count: 2 });
  });

  it('embeds one image passed without an array', async () => {
    const res = await client.embeddings.create({ model: id, input: { image: blobs[1] } });
    expectGolden(res.data[0].embedding, golden.image_vectors[1]);
  });

  it('keeps the order of a mixed array of strings, {text} and every image kind', async () => {
    const kinds = Object.keys(SOURCES);
    const input: unknown[] = [];
    const expected: number[][] = [];
    for (let k = 0; k < kinds.length; k++) {
      const i = k % 2;
      input.push({ image: await SOURCES[kinds[k]](i) });
      expected.push(golden.image_vectors[i]);
      const t = k % golden.texts.length;
      input.push(k % 2 ? golden.texts[t] : { text: golden.texts[t] });
      expected.push(golden.vectors[t]);
    }
    const res = await client.embeddings.create({ model: id, input: input as never, encoding_format: 'base64' });
    expect(res.data.map((d) => d.index)).toEqual(input.map((_, i) => i));
    res.data.forEach((d, i) => expectGolden(d.embedding, expected[i]));
    // Each distinct text runs once, so its tokens count once.
    const distinct = new Set(kinds.map((_, k) => k % golden.texts.length));
    const textTokens = [...distinct].reduce((n, t) => n + golden.input_ids[t].length, 0);
    expect(res.usage).toEqual({ prompt_tokens: textTokens, total_tokens: textTokens, image_count: kinds.length });
  });

  it('text vectors still equal the golden vectors, with no image_count', async () => {
    const res = await client.embeddings.create({ model: id, input: golden.texts.map((text) => ({ text })) });
    res.data.forEach((d, i) => expectGolden(d.embedding, golden.vectors[i]));
    expect(res.usage).not.toHaveProperty('image_count');
  });

  it('the default q8 image tower stays close to the fp32 golden vectors', async () => {
    const q8 = await tinyClient({ cache: false });
    const res = await q8.embeddings.create({ model: id, input: blobs.map((image) => ({ image })) });
    res.data.forEach((d, i) => expect(cosine(asNumbers(d.embedding), golden.image_vectors[i])).toBeGreaterThanOrEqual(0.99));
    expect((await q8.backends()).length).toBe(0); // the text tower never loaded
    await q8.dispose();
  });
});

describe('jina-clip-v1 loads each tower only when an input needs it', () => {
  beforeAll(async () => {
    // transformers.js keeps model files in Cache Storage; empty it so every load shows in the server's log.
    for (const key of await caches.keys()) await caches.delete(key);
  });

  it('an image-only request never fetches the text tower or the tokenizer, and the reverse', async () => {
    const fresh = await tinyClient({ models: [FP32_VISION], cache: false });
    await hubLog(true);
    await fresh.embeddings.create({ model: id, input: [{ image: blobs[0] }] });
    const imageOnly = await hubLog(true);
    expect(imageOnly.some((p) => /onnx\/vision_model\.onnx$/.test(p))).toBe(true);
    expect(imageOnly.filter((p) => /text_model|tokenizer/.test(p))).toEqual([]);

    await fresh.embeddings.create({ model: id, input: ['hello'] });
    const thenText = await hubLog(true);
    expect(thenText.some((p) => /onnx\/text_model\.onnx$/.test(p))).toBe(true);
    expect(thenText.some((p) => /tokenizer\.json$/.test(p))).toBe(true);
    expect(thenText.filter((p) => /vision_model|preprocessor_config/.test(p))).toEqual([]);
    await fresh.dispose();

    for (const key of await caches.keys()) await caches.delete(key);
    const textFirst = await tinyClient({ models: [FP32_VISION], cache: false });
    await textFirst.embeddings.create({ model: id, input: 'hello' });
    const textOnly = await hubLog(true);
    expect(textOnly.some((p) => /onnx\/text_model\.onnx$/.test(p))).toBe(true);
    expect(textOnly.filter((p) => /vision_model|preprocessor_config/.test(p))).toEqual([]);
    await textFirst.dispose();
  }, 240_000);
});

describe('jina-clip-v1 image vectors in the vector cache', () => {
  it('keys images by their bytes, not their URL: the same picture is embedded once', async () => {
    const cached = await tinyClient({ models: [FP32_VISION], cacheNamespace: `clip-${crypto.randomUUID()}` });
    const first = await cached.embeddings.create({ model: id, input: [{ image: fileUrl(golden.images[0].file) }] });
    expect(first.usage.cached_tokens).toBeUndefined();
    const again = await cached.embeddings.create({
      model: id, input: [{ image: blobs[0] }, { image: `data:image/png;base64,${await base64Of(blobs[0])}` }, { image: blobs[1] }],
    });
    expectGolden(again.data[0].embedding, golden.image_vectors[0]);
    expectGolden(again.data[1].embedding, golden.image_vectors[0]);
    expectGolden(again.data[2].embedding, golden.image_vectors[1]);
    expect(again.usage).toEqual({ prompt_tokens: 0, total_tokens: 0, cached_tokens: 0, image_count: 3 });
    const stats = (await cached.cache.stats()).byModel[id];
    // Distinct inputs: the URL (miss), then its bytes as a Blob (hit) and the other picture (miss).
    expect([stats.hits, stats.misses]).toEqual([1, 2]);

    // Pixel sources are keyed by their decoded RGBA: the same ImageBitmap content hits too.
    await cached.embeddings.create({ model: id, input: { image: await createImageBitmap(blobs[1]) } });
    await cached.embeddings.create({ model: id, input: { image: await SOURCES['OffscreenCanvas'](1) } as never });
    const after = (await cached.cache.stats()).byModel[id];
    expect([after.hits, after.misses]).toEqual([2, 3]);
    await cached.cache.clear();
    await cached.dispose();
  }, 180_000);
});

describe('jina-clip-v1 image errors', () => {
  const expect400 = async (input: unknown, param: string, message: RegExp, c: InPageEmbeddings = client) => {
    const err = await rejection(c.embeddings.create({ model: id, input: input as never }));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.status).toBe(400);
    expect(err.param).toBe(param);
    expect(err.message).toMatch(message);
    return err;
  };

  it('an unreachable URL: names the input, says network or CORS, suggests a Blob', async () => {
    const err = await expect400(['a cat', { image: 'http://127.0.0.1:9/cat.png' }], 'input[1]', /could not be fetched.*CORS.*Blob/s);
    expect(err.code).toBe('image_fetch_failed');
  });

  it('a URL that answers 404', async () => {
    await expect400([{ image: blobs[0] }, 'x', { image: fileUrl('missing.png') }], 'input[2]', /HTTP 404/);
  });

  it('bytes that are not an image, from every encoded kind', async () => {
    const text = new Blob(['this is not an image'], { type: 'text/plain' });
    await expect400([{ image: blobs[0] }, { image: text }], 'input[1]', /could not be decoded \(it is text\/plain\)/);
    // A lone input is named `input`, as everywhere in the library; inputs of a longer array `input[i]`.
    await expect400({ image: new File([new Uint8Array(64)], 'x.png') }, 'input', /could not be decoded/);
    await expect400(['x', { image: btoa('hello world, not a png') }], 'input[1]', /could not be decoded/);
    await expect400([{ image: `data:image/png;base64,${btoa('nope')}` }], 'input', /could not be decoded/);
    await expect400(['x', { image: new Blob([]) }], 'input[1]', /empty/);
  });

  it('strings that are not an image', async () => {
    await expect400([{ image: 'a photo of a cat' }, 'x'], 'input[0]', /not recognised/);
    await expect400({ image: './cat.png' }, 'input', /not recognised.*Relative URLs/);
    await expect400(['x', { image: 'data:text/plain;base64,aGVsbG8=' }], 'input[1]', /data:image\//);
    await expect400(['x', { image: 'data:image/png;base64,@@@@' }], 'input[1]', /not valid base64/);
    await expect400(['x', { image: 'http://[bad/x.png' }], 'input[1]', /not a valid URL/);
  });

  it('values that are not an image', async () => {
    await expect400({ image: 42 }, 'input', /type number/);
    await expect400(['x', { image: { src: 'cat.png' } }], 'input[1]', /type Object/);
    await expect400(['x', { image: new Uint8Array(8) }], 'input[1]', /type Uint8Array/);
    const closed = await createImageBitmap(blobs[0]);
    closed.close();
    await expect400(['x', { image: closed }], 'input[1]', /closed/);
    const empty = Object.assign(document.createElement('canvas'), { width: 0 });
    await expect400(['x', { image: empty }], 'input[1]', /canvas is 0×150: it has no pixels/);
    const broken = new Image();
    broken.src = fileUrl('missing.png');
    await broken.decode().catch(() => undefined);
    await expect400(['x', { image: broken }], 'input[1]', /not loaded or is broken/);
  });

  it('a canvas tainted by a cross-origin image cannot be read: says so and suggests a Blob', async () => {
    const img = new Image(); // no crossOrigin: the fixture host is another origin, so what it draws is tainted
    img.src = fileUrl(golden.images[0].file);
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext('2d')!.drawImage(img, 0, 0);
    const err = await expect400(['x', { image: canvas }], 'input[1]', /another origin without CORS.*crossOrigin.*Blob/s);
    expect(err.code).toBe('image_cross_origin');
    // The <img> itself is fetched by URL in the worker, where the server's CORS headers allow it.
    const res = await client.embeddings.create({ model: id, input: [{ image: img }] as never });
    expectGolden(res.data[0].embedding, golden.image_vectors[0]);
  });

  it('errors name the input with the vector cache on as well', async () => {
    const cached = await tinyClient({ models: [FP32_VISION], cacheNamespace: `clip-${crypto.randomUUID()}` });
    await expect400(['x', { image: blobs[0] }, { image: new Blob(['no']) }], 'input[2]', /could not be decoded/, cached);
    await expect400(['x', { image: 'http://127.0.0.1:9/cat.png' }], 'input[1]', /could not be fetched/, cached);
    await cached.dispose();
  }, 180_000);

  it('objects for a text-only model, and dimensions for jina-clip-v1, are 400s', async () => {
    const err = await rejection(client.embeddings.create({ model: FAMILIES.bert.id, input: [{ image: blobs[0] }] as never }));
    expect(err).toMatchObject({ status: 400, param: 'input[0]' });
    expect(err.message).toMatch(/takes only text/);
    const dims = await rejection(client.embeddings.create({ model: id, input: [{ image: blobs[0] }], dimensions: 256 }));
    expect(dims).toMatchObject({ status: 400, param: 'dimensions' });
  });
});

describe('jina-clip-v1 keeps the page responsive', () => {
  /** Run `task` and return the main-thread long tasks (over 50 ms) seen meanwhile. */
  async function longTasksDuring(task: () => Promise<unknown>): Promise<number[]> {
    const seen: number[] = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) seen.push(e.duration); });
    observer.observe({ type: 'longtask' });
    await task();
    await new Promise((r) => setTimeout(r, 100)); // let the last entries arrive
    observer.disconnect();
    return seen;
  }

  it('the observer sees a long task when there is one', async () => {
    const seen = await longTasksDuring(async () => {
      await new Promise((r) => setTimeout(r, 0));
      const end = performance.now() + 120;
      while (performance.now() < end) { /* block the thread */ }
    });
    expect(seen.some((d) => d >= 100)).toBe(true);
  });

  it('a 4000×3000 image of every kind is embedded without a main-thread task over 50 ms', async () => {
    const canvas = new OffscreenCanvas(4000, 3000);
    const ctx = canvas.getContext('2d')!;
    const gradient = ctx.createLinearGradient(0, 0, 4000, 3000);
    gradient.addColorStop(0, '#204080');
    gradient.addColorStop(1, '#f0c020');
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, 4000, 3000);
    ctx.fillStyle = '#e02828';
    ctx.beginPath();
    ctx.arc(2500, 1200, 700, 0, 2 * Math.PI);
    ctx.fill();
    const png = await canvas.convertToBlob({ type: 'image/png' });
    /** Fresh sources each attempt, so nothing decoded by an earlier attempt helps a later one. */
    const sources = async () => {
      const element = drawn(document.createElement('canvas'), await createImageBitmap(png));
      const img = new Image();
      img.src = URL.createObjectURL(png);
      await img.decode();
      return [png, element, await createImageBitmap(png), element.getContext('2d')!.getImageData(0, 0, 4000, 3000), img, canvas];
    };
    await client.embeddings.create({ model: id, input: { image: blobs[0] } }); // the tower is loaded already
    // This machine is shared: another process can stall the page's thread past 50 ms in any task. A
    // second attempt with fresh sources tells such a stall from one of ours, which both attempts would show.
    const attempts: number[][] = [];
    let vectors: number[][] = [];
    for (let attempt = 0; attempt < 2 && !(attempts.length && attempts[attempts.length - 1].length === 0); attempt++) {
      const images = await sources();
      await new Promise((r) => setTimeout(r, 300));
      attempts.push(await longTasksDuring(async () => {
        const res = await client.embeddings.create({ model: id, input: images.map((image) => ({ image })) as never });
        vectors = res.data.map((d) => asNumbers(d.embedding));
      }));
      URL.revokeObjectURL((images[4] as HTMLImageElement).src);
    }
    expect(attempts[attempts.length - 1]).toEqual([]);
    // Lossless sources of the same pixels give the same vector.
    expect(vectors.length).toBe(6);
    for (const v of vectors) expect(cosine(v, vectors[0])).toBeGreaterThan(0.9999);
  }, 300_000);
});
