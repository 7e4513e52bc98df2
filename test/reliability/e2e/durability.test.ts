/**
 * Durability per kind of entry (src/cache/cache-records.ts, `DURABILITY`): computed vectors are written
 * `relaxed`, `import()` and `clear()` `strict`. What each promises is tested across a reload, a crashed
 * tab and a killed browser (SIGKILL to every Chromium process, then a new one on the same profile):
 * after `import()` resolves the entries are there, and after `flush()` resolves the computed ones are.
 * (Before `flush()` they are whole or absent: reload-mid-write.test.ts. A power loss, the one thing
 * `strict` guards against beyond `relaxed`, cannot be staged from a test.)
 */

import type { BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwHarness, type SwHarness } from '../../e2e/sw-harness.js';
import { cachePageReady, cachePageUrl, openCachePage, startKillableChromium, tempProfile, type KillableChromium } from './cache-harness.js';

const N = 200;
const texts = (label: string, n = N) => Array.from({ length: n }, (_, i) => `${label} ${i}${' padding'.repeat(i % 5)}`);
const fresh = (label: string) => `durability-${label}-${Date.now()}`;

let h: SwHarness;
/** One context for the tests that need no browser of their own: its HTTP cache keeps later pages' loads short. */
let context: BrowserContext;
/** The page that made the export; the first test goes on in it. */
let source: Page;
/** An export of N computed vectors, and key → fingerprint of each. */
let exported: { data: string; prints: Record<string, string> };
const errors: string[] = [];

beforeAll(async () => {
  h = await startSwHarness();
  context = await h.browser.newContext();
  source = await openCachePage(h, context, { ns: fresh('source') }, errors);
  exported = await source.evaluate(async (t) => {
    const prints = await window.cachePage.create(t);
    const keys = await window.cachePage.keys(t);
    return { data: await window.cachePage.exportBase64(), prints: Object.fromEntries(keys.map((k, i) => [k, prints[i]])) };
  }, texts('exported'));
});
afterAll(async () => { await h?.close(); });

/** The store of `page`'s namespace, checked whole; key → fingerprint. */
async function storedPrints(page: Page): Promise<Record<string, string>> {
  const audit = await page.evaluate(() => window.cachePage.audit());
  expect(audit.problems).toEqual([]);
  return audit.entries;
}

/**
 * In `page`: import the export and, at the same time, create() and flush() N new texts; as both promises
 * have resolved, `after` at once (in the page). Returns key → fingerprint of everything they promised.
 */
async function importAndFlushThen(page: Page, label: string, after: 'reload' | 'nothing'): Promise<Record<string, string>> {
  const { result, flushed } = await page.evaluate(async ({ data, t, after }) => {
    const [result, flushed] = await Promise.all([
      window.cachePage.importBase64(data),
      (async () => {
        const prints = await window.cachePage.create(t);
        await window.cachePage.flush();
        const keys = await window.cachePage.keys(t);
        return Object.fromEntries(keys.map((k, i) => [k, prints[i]]));
      })(),
    ]);
    if (after === 'reload') setTimeout(() => location.reload(), 0);
    return { result, flushed };
  }, { data: exported.data, t: texts(label), after });
  expect(result).toEqual({ imported: N, skipped: 0 });
  return { ...exported.prints, ...flushed };
}

describe('durability per kind of entry', () => {
  it('computed vectors are written relaxed; import() and clear() strict', async () => {
    // The export's 200 computed vectors were written (export() flushes first).
    const computed = await source.evaluate(() => window.cachePage.transactions());
    expect(computed.length).toBeGreaterThan(0);
    expect(computed.map((t) => t.durability)).toEqual(computed.map(() => 'relaxed'));
    const cleared = await source.evaluate(async () => { await window.cachePage.clear(); return window.cachePage.transactions(); });
    expect(cleared.map((t) => t.durability)).toEqual(['strict']);
    const imported = await source.evaluate((data) => window.cachePage.importBase64(data), exported.data);
    expect(imported).toEqual({ imported: N, skipped: 0 });
    const importTx = await source.evaluate(() => window.cachePage.transactions());
    expect(importTx.length).toBeGreaterThan(0);
    expect(importTx.map((t) => t.durability)).toEqual(importTx.map(() => 'strict'));
    expect(await source.evaluate(() => window.cachePage.cacheErrors)).toEqual([]);
  });

  it('after import() and flush() resolve, a reload or a crashed tab keeps every entry', async () => {
    // The source tab goes on, navigated to each namespace: its process keeps the model's compiled code.
    const page = source;
    const ns = fresh('reload');
    await page.goto(cachePageUrl(h, { ns }));
    await cachePageReady(page);
    const loaded = page.waitForEvent('load', { timeout: 300_000 });
    const want = await importAndFlushThen(page, ns, 'reload');
    await loaded;
    await cachePageReady(page);
    expect(await storedPrints(page), 'reloaded').toEqual(want);

    // The tab crashed (CDP Page.crash) as the promises resolve.
    const crashNs = fresh('crash');
    await page.goto(cachePageUrl(h, { ns: crashNs }));
    await cachePageReady(page);
    const cdp = await context.newCDPSession(page);
    const wantCrash = await importAndFlushThen(page, crashNs, 'nothing');
    const crashed = page.waitForEvent('crash');
    void cdp.send('Page.crash').catch(() => undefined); // at once: the promises have just resolved in the page
    await crashed;
    await page.close().catch(() => undefined);
    const reopened = await openCachePage(h, context, { ns: crashNs }, errors);
    expect(await storedPrints(reopened), 'tab crashed').toEqual(wantCrash);
    expect(errors).toEqual([]);
    await reopened.close();
  }, 420_000); // two fresh model workers: seconds on a quiet machine, minutes on a loaded one

  it('a killed browser keeps what import() and flush() promised', async () => {
    const profile = tempProfile();
    let chrome: KillableChromium | undefined;
    try {
      const ns = fresh('kill');
      chrome = await startKillableChromium(profile.dir);
      const want = await importAndFlushThen(await openCachePage(h, chrome.context, { ns }, errors), ns, 'nothing');
      await chrome.kill(); // at once: the promises have just resolved in the page
      chrome = await startKillableChromium(profile.dir);
      expect(await storedPrints(await openCachePage(h, chrome.context, { ns }, errors)), 'browser killed').toEqual(want);
      expect(errors).toEqual([]);
    } finally {
      await chrome?.kill().catch(() => undefined);
      profile.remove();
    }
  }, 420_000);
});
