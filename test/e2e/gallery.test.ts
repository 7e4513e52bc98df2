/**
 * The demo's picture gallery end to end, in real Chromium, on the tiny fixture models (a random-weight
 * jina-clip text/vision pair): the image tower loads only when the tab opens, the shown scores are the
 * cosines of the same client's vectors, a new query embeds no picture again, and the tab works offline.
 * Screenshots go to test/output/e2e/.
 */

import { mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { CATALOGUE } from '../../src/models.js';
import type { GalleryManifest } from '../../demo/gallery.js';
import { TINY_DIR } from '../../demo/model-source.js';
import { startDemoServer, type DemoServer } from '../../demo/serve.js';
import { args, executablePath, logPage, screenshot, warmDemoServer } from './chromium.js';

const MANIFEST = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../demo/public/gallery/gallery.json'), 'utf8')) as GalleryManifest;
const FILES = MANIFEST.images.map((image) => image.file);

let demo: DemoServer;
/** The served jina-clip's width: the catalogue's, unless the server overrides it for the fixture's files. */
let dims: number;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const stat = (key: string) => page.locator(`[data-stat="${key}"]`).textContent().then((t) => Number(t?.replace(/,/g, '')));
const galleryState = () => page.locator('#gallery').getAttribute('data-state');
const imageCalls = () => page.locator('#gallery').getAttribute('data-image-calls').then(Number);

/** The model files transformers.js has cached in this browser context (their URLs). */
const cachedModelFiles = () => page.evaluate(async () => {
  const cache = await caches.open('transformers-cache');
  return (await cache.keys()).map((request) => request.url);
});

/** Wait until the corpus is indexed: from then on its vectors no longer move the panel's counters. */
async function corpusIndexed(): Promise<void> {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 90_000 });
  expect(await page.locator('#error').textContent()).toBe('');
}

/** Wait until the gallery settled (ready, or failed, which the assertion reports). */
async function galleryReady(): Promise<void> {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.querySelector<HTMLElement>('#gallery')!.dataset.state ?? ''), null, { timeout: 90_000 });
  expect(await page.locator('#error').textContent()).toBe('');
  expect(await galleryState()).toBe('ready');
}

/** Search the gallery through its form; return the shown pictures in order with their scores. */
async function searchGallery(query: string): Promise<Array<{ file: string; score: number; shown: string; rank: number }>> {
  await page.fill('#gallery-query', query);
  await page.click('#gallery-form button');
  await page.waitForFunction((q) => document.querySelector<HTMLElement>('#gallery-grid')!.dataset.query === q &&
    document.querySelector<HTMLElement>('#gallery')!.dataset.state === 'ready', query);
  return page.locator('#gallery-grid li').evaluateAll((items) => items.map((li) => {
    const el = li as HTMLElement;
    return { file: el.dataset.file!, score: Number(el.dataset.score), shown: el.querySelector('.score')!.textContent!, rank: Number(el.dataset.rank) };
  }));
}

/** The same client's vectors for `query` and every picture, through the page's `/v1/embeddings` route. */
async function vectorsFor(query: string): Promise<{ query: number[]; images: Map<string, number[]> }> {
  const body = await page.evaluate(async ({ query, files }) => {
    const input = [query, ...files.map((file) => ({ image: new URL(`/gallery/${file}`, location.href).href }))];
    const res = await fetch('/v1/embeddings', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'jina-clip-v1', input }),
    });
    return { status: res.status, json: await res.json() };
  }, { query, files: FILES });
  expect(body.status, JSON.stringify(body.json)).toBe(200);
  const vectors = (body.json.data as Array<{ embedding: number[] }>).map((d) => d.embedding);
  return { query: vectors[0], images: new Map(FILES.map((file, i) => [file, vectors[i + 1]])) };
}

function cosine(a: number[], b: number[]): number {
  let dot = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return dot / Math.sqrt(aa * bb);
}

beforeAll(async () => {
  demo = await startDemoServer({ tiny: true, port: 0, hmr: false, logLevel: 'warn', log: () => {} });
  dims = demo.config.models.find((m) => m.id === 'jina-clip-v1')?.dims ?? CATALOGUE.find((row) => row.id === 'jina-clip-v1')!.dims;
  browser = await chromium.launch({ executablePath, args });
  await warmDemoServer(browser, demo.url);
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  page = await context.newPage();
  logPage(page, 'gallery');
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('the demo\'s picture gallery', () => {
  it('loads nothing of jina-clip-v1 until the tab opens, then embeds every picture with the image tower only', async () => {
    expect(demo.config.available).toContain('jina-clip-v1');
    await page.goto(demo.url);
    await corpusIndexed();
    await expect.poll(() => stat('computed')).toBe(240);
    expect((await cachedModelFiles()).filter((url) => url.includes('jina-clip'))).toEqual([]);
    expect(await galleryState()).toBe('idle');
    const corpusModelLabel = await page.locator('#model-progress .label').textContent();
    expect(corpusModelLabel).toMatch(/^BAAI\/bge-small-en-v1\.5 ready in/);

    await page.click('#tab-gallery');
    expect(new URL(page.url()).searchParams.get('view')).toBe('gallery');
    expect(await page.locator('#passages').isHidden()).toBe(true);
    await galleryReady();
    // jina-clip's download shows in the tab's own bar, not in the corpus model's.
    expect(await page.locator('#model-progress .label').textContent()).toBe(corpusModelLabel);
    expect(await page.locator('#gallery-progress').getAttribute('aria-valuenow')).toBe('100');
    expect(await page.locator('#gallery-progress .label').textContent()).toMatch(new RegExp(`^${FILES.length} images in .* · ${dims}-d$`));
    expect(await page.locator('#gallery-model-progress .label').textContent()).toMatch(/jina-clip-v1 ready in/);
    // Every picture is shown, decoded, in manifest order before any query.
    const shown = await page.locator('#gallery-grid li img').evaluateAll((imgs) => imgs.map((img) => {
      const i = img as HTMLImageElement;
      return { file: i.closest('li')!.dataset.file, ok: i.complete && i.naturalWidth === 192, alt: i.alt };
    }));
    expect(shown.map((s) => s.file)).toEqual(FILES);
    expect(shown.every((s) => s.ok)).toBe(true);
    expect(shown.map((s) => s.alt)).toEqual(MANIFEST.images.map((image) => image.caption));
    // One vector computed per picture; the text tower and its tokenizer are still not downloaded.
    await expect.poll(() => stat('computed')).toBe(240 + FILES.length);
    const files = (await cachedModelFiles()).filter((url) => url.includes('jina-clip'));
    expect(files.some((url) => /vision_model_quantized\.onnx$/.test(url))).toBe(true);
    expect(files.filter((url) => /text_model|tokenizer/.test(url))).toEqual([]);
    await screenshot(page, 'gallery-1-embedded');
  });

  it('ranks every picture by the cosine of the query\'s and the picture\'s vectors, and a new query embeds no picture again', async () => {
    const calls = await imageCalls();
    expect(calls).toBe(Math.ceil(FILES.length / 4));

    const hits = await searchGallery('a red circle');
    await expect.poll(() => stat('computed')).toBe(240 + FILES.length + 1);
    expect(hits.map((h) => h.file).sort()).toEqual([...FILES].sort());
    expect(hits.map((h) => h.rank)).toEqual(FILES.map((_, i) => i + 1));
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // The cosines, computed here from the same client's vectors (served from its cache: nothing is computed).
    const vectors = await vectorsFor('a red circle');
    expect(vectors.query).toHaveLength(dims);
    for (const hit of hits) {
      const expected = cosine(vectors.query, vectors.images.get(hit.file)!);
      expect(Math.abs(hit.score - expected), hit.file).toBeLessThan(1e-9);
      expect(hit.shown).toBe(expected.toFixed(3));
    }
    // Random weights still give distinct pictures distinct vectors: the ranking is not a tie.
    expect(new Set(scores.map((s) => s.toFixed(6))).size).toBe(FILES.length);

    // A second query runs the text tower once; the pictures' vectors are the ones already in the page.
    const second = await searchGallery('night sky');
    await expect.poll(() => stat('computed')).toBe(240 + FILES.length + 2);
    expect(await imageCalls()).toBe(calls);
    const again = await vectorsFor('night sky');
    for (const hit of second) expect(Math.abs(hit.score - cosine(again.query, again.images.get(hit.file)!))).toBeLessThan(1e-9);
    expect(await stat('computed')).toBe(240 + FILES.length + 2);
    expect((await cachedModelFiles()).some((url) => /jina-clip-v1\/.*text_model\.onnx$/.test(url))).toBe(true);
    await screenshot(page, 'gallery-2-searched');
  });

  // One retry, as in demo.test.ts: a fresh clone's first visit can re-optimize vite deps under the service worker.
  it('opens and searches offline after the first visit: pictures from the service worker, vectors from the cache', { retry: 1 }, async () => {
    await context.setOffline(true);
    await page.reload();
    await galleryReady();
    const decoded = await page.locator('#gallery-grid li img').evaluateAll((imgs) =>
      imgs.map((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 192));
    expect(decoded).toEqual(FILES.map(() => true));
    expect(await page.locator('#gallery-model-progress .label').textContent()).toMatch(/not loaded: every image vector came from the cache/);
    const hits = await searchGallery('ocean waves');
    expect(hits).toHaveLength(FILES.length);
    await corpusIndexed();
    await expect.poll(() => stat('computed')).toBe(1);
    await screenshot(page, 'gallery-3-offline');
    await context.setOffline(false);
  });

  it('says plainly that the pictures cannot be searched when the served folder has no jina-clip-v1', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'demo-models-'));
    mkdirSync(join(folder, 'Xenova'));
    symlinkSync(join(TINY_DIR, 'Xenova/bge-small-en-v1.5'), join(folder, 'Xenova/bge-small-en-v1.5'));
    const textOnly = await startDemoServer({ models: folder, port: 0, hmr: false, logLevel: 'warn', log: () => {} });
    const other = await browser.newContext();
    try {
      expect(textOnly.config.available).toEqual(['BAAI/bge-small-en-v1.5']);
      const p = await other.newPage();
      logPage(p, 'gallery-text-only');
      await p.goto(`${textOnly.url}?view=gallery`);
      await p.waitForSelector('#gallery[data-state="unavailable"]');
      expect(await p.locator('#gallery-note').textContent()).toMatch(/do not include jina-clip-v1/);
      await p.waitForFunction((n) => document.querySelectorAll('#gallery-grid li').length === n, FILES.length);
      expect(await p.locator('#gallery-grid li[data-score]').count()).toBe(0);
      expect(await p.locator('#gallery-query').isDisabled()).toBe(true);
      expect(await p.locator('#error').isHidden()).toBe(true);
      await screenshot(p, 'gallery-4-no-model');
    } finally {
      await other.close();
      await textOnly.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
