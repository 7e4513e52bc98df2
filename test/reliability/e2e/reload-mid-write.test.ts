/**
 * The page reloaded, crashed (CDP `Page.crash`) or closed in the middle of the vector cache's write,
 * eight times at different moments. After each, a fresh page reads IndexedDB directly: every entry is
 * whole (bit for bit what `create()` returned) or absent, one `create()`'s new vectors all or none (they
 * are one transaction), and every vector whose `flush()` resolved before the interruption is there.
 */

import type { BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwHarness, type SwHarness } from '../../e2e/sw-harness.js';
import { cachePageReady, maxDiff, openCachePage, vectorOf } from './cache-harness.js';

/** Texts of each interrupted `create()`: its write is one transaction of 2 × 300 puts, then the totals. */
const BATCH = 300;
/** Texts written and flushed before each interruption. */
const FLUSHED = 20;

type How = 'reload-at-once' | 'reload-in-page' | 'reload' | 'crash' | 'close';
/** How each round interrupts, and after how many of the write's puts (0: before the write starts). */
const ROUNDS: Array<{ how: How; afterPuts: number }> = [
  { how: 'reload-at-once', afterPuts: 0 }, // reloaded as create() resolves: `pagehide` starts the write
  { how: 'reload-in-page', afterPuts: 1 },
  { how: 'reload-in-page', afterPuts: 301 },
  { how: 'reload-in-page', afterPuts: 599 },
  { how: 'reload', afterPuts: 150 }, // page.reload() from Node when the page signals
  { how: 'crash', afterPuts: 60 },
  { how: 'crash', afterPuts: 450 },
  { how: 'close', afterPuts: 250 },
];

const texts = (round: number, label: string, n: number) =>
  Array.from({ length: n }, (_, i) => `round ${round} ${label} text ${i}${' and more'.repeat(i % 7)}`);

let h: SwHarness;
beforeAll(async () => { h = await startSwHarness(); });
afterAll(async () => { await h?.close(); });

describe('the page reloaded, crashed or closed in the middle of a write', () => {
  it('every entry is whole or absent, and what flush() saw committed is kept', async () => {
    const ns = `reload-mid-write-${Date.now()}`;
    const errors: string[] = [];
    const context = await h.browser.newContext();
    let onMidWrite: (page: Page) => void = () => undefined;
    await context.exposeBinding('midWrite', ({ page }) => onMidWrite(page));
    let page = await openCachePage(h, context, { ns }, errors);
    /** key → fingerprint of the vector a resolved create() returned. */
    const answered = new Map<string, string>();
    const flushed = new Set<string>();
    const batches: Array<{ how: How; afterPuts: number; keys: string[]; texts: string[] }> = [];
    const started = performance.now();

    for (const [round, { how, afterPuts }] of ROUNDS.entries()) {
      const safe = texts(round, 'flushed', FLUSHED);
      const safePrints = await page.evaluate(async (t) => {
        const prints = await window.cachePage.create(t);
        await window.cachePage.flush();
        return prints;
      }, safe);
      (await page.evaluate((t) => window.cachePage.keys(t), safe)).forEach((k, i) => { answered.set(k, safePrints[i]); flushed.add(k); });

      const batch = texts(round, 'interrupted', BATCH);
      const keys = await page.evaluate((t) => window.cachePage.keys(t), batch);
      const reopened = interrupt(context, page, how, ns, errors, (fn) => { onMidWrite = fn; });
      const prints = await page.evaluate(async ({ batch, how, afterPuts }) => {
        const prints = await window.cachePage.create(batch);
        if (how === 'reload-at-once') setTimeout(() => location.reload(), 0);
        else window.cachePage.tripAfterPuts(afterPuts, how === 'reload-in-page' ? 'reload' : 'signal');
        return prints;
      }, { batch, how, afterPuts });
      keys.forEach((k, i) => answered.set(k, prints[i]));
      batches.push({ how, afterPuts, keys, texts: batch });
      page = await reopened;

      const audit = await page.evaluate(() => window.cachePage.audit());
      const label = `round ${round} (${how} after ${afterPuts} puts)`;
      expect(audit.problems, label).toEqual([]);
      const wrong = Object.entries(audit.entries).filter(([key, print]) => answered.get(key) !== print).map(([key]) => key);
      expect(wrong, `${label}: stored, but not what create() returned`).toEqual([]);
      expect([...flushed].filter((key) => !(key in audit.entries)), `${label}: flushed, then lost`).toEqual([]);
      const stored = keys.filter((key) => key in audit.entries).length;
      expect([0, BATCH], `${label}: ${stored} of the batch stored`).toContain(stored);
      console.log(`[reload-mid-write] ${label}: ${stored ? 'whole' : 'absent'}, ${Math.round(performance.now() - started)} ms in`);
    }

    // The last page answers stored texts from the cache (bit for bit) and computes the absent ones again.
    const sample = batches.flatMap((b) => b.texts.slice(0, 10));
    const sampleKeys = batches.flatMap((b) => b.keys.slice(0, 10));
    const before = await page.evaluate(() => window.cachePage.audit());
    const again = await page.evaluate((t) => window.cachePage.create(t), sample);
    sampleKeys.forEach((key, i) => {
      if (key in before.entries) expect(again[i], `${key} from the cache`).toBe(answered.get(key));
      else expect(maxDiff(vectorOf(again[i]), vectorOf(answered.get(key)!)), `${key} computed again`).toBeLessThan(1e-5);
    });
    expect(await page.evaluate(() => window.cachePage.cacheErrors)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 600_000); // each round starts a fresh model worker: ~3 s on a quiet machine, 20 s on a loaded one
});

/**
 * Arm the interruption `how` for the write the page is about to start, and resolve with the page to
 * audit: the same one reloaded, or a new tab when the old one crashed or closed.
 */
async function interrupt(context: BrowserContext, page: Page, how: How, ns: string, errors: string[],
  setMidWrite: (fn: (page: Page) => void) => void): Promise<Page> {
  if (how === 'reload-at-once' || how === 'reload-in-page') {
    await page.waitForEvent('load', { timeout: 300_000 });
    await cachePageReady(page);
    return page;
  }
  if (how === 'reload') {
    await new Promise<void>((resolve, reject) => setMidWrite(() => page.reload().then(() => resolve(), reject)));
    await cachePageReady(page);
    return page;
  }
  if (how === 'crash') {
    const cdp = context.newCDPSession(page);
    setMidWrite(() => void cdp.then((session) => session.send('Page.crash')).catch(() => undefined));
    await page.waitForEvent('crash', { timeout: 300_000 });
    await page.close().catch(() => undefined);
  } else {
    setMidWrite(() => void page.close({ runBeforeUnload: false }));
    await page.waitForEvent('close', { timeout: 300_000 });
  }
  return openCachePage(h, context, { ns }, errors);
}
