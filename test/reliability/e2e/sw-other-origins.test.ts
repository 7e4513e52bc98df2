/**
 * The service-worker route and other origins. A script of another site cannot `fetch()` the route: that
 * request is not its page's, so the site's service worker never sees it (it goes to the network). But it
 * can navigate a window there, a form POST in a new tab, and that navigation is the site's and goes through
 * its service worker: the route must refuse it (403 `origin_not_allowed`) before any page computes, unless
 * `cors` names that origin. The other site is `localhost`, the harness's page `127.0.0.1`: two sites.
 */

import type { BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSwPage, startSwHarness, type SwHarness } from '../../e2e/sw-harness.js';

const MODEL = 'BAAI/bge-small-en-v1.5';

let h: SwHarness;
let other: string;
beforeAll(async () => {
  h = await startSwHarness();
  other = h.origin.replace('127.0.0.1', 'localhost');
});
afterAll(async () => { await h?.close(); });

/** Open a page of the other site (any document of it will do: a file of the same server). */
async function otherSitePage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${other}/package.json`);
  return page;
}

/** From `from`, POST a form to `url` in a new tab (text/plain, so the body reads as JSON); return that tab's status and text. */
async function formPost(from: Page, url: string): Promise<{ status: number | undefined; text: string }> {
  // The tab appears once its navigation is answered, which may include loading the model on a busy machine.
  const opened = from.context().waitForEvent('page', { timeout: 120_000 });
  await from.evaluate(([action, body]) => {
    const form = Object.assign(document.createElement('form'), { method: 'POST', action, target: '_blank', enctype: 'text/plain' });
    // text/plain sends `name=value`: the JSON less its closing `"}` as the name, `"}` as the value, is JSON again (the text gains a `=`).
    const field = Object.assign(document.createElement('input'), { type: 'hidden', name: body.slice(0, -2), value: '"}' });
    form.append(field);
    document.body.append(form);
    form.submit();
  }, [url, JSON.stringify({ model: MODEL, input: 'from another site' })] as const);
  const tab = await opened;
  await tab.waitForLoadState();
  const read = await tab.evaluate(() => ({
    status: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.responseStatus,
    text: document.body?.innerText ?? '',
  }));
  await tab.close();
  return read;
}

describe('the service-worker route and pages of another site', { timeout: 180_000 }, () => {
  it('refuses a navigation from another site (403 origin_not_allowed) and never sees its fetch', async () => {
    const context = await h.browser.newContext();
    await openSwPage(h, context, { serve: true, sw: 'wait=3000' });
    const attacker = await otherSitePage(context);
    const url = `${h.origin}/v1/embeddings`;

    const fetched = await attacker.evaluate(async (u) => {
      try {
        const res = await fetch(u, { method: 'POST', body: '{"model":"BAAI/bge-small-en-v1.5","input":"x"}' });
        return `read ${res.status}`;
      } catch (e) { return `refused: ${String(e)}`; }
    }, url);
    // The network answered, not the route: vite's dev server has no such path (and lets localhost read its 404).
    expect(fetched).toMatch(/^(refused|read 404$)/);

    const posted = await formPost(attacker, url);
    expect(posted.status).toBe(403);
    expect(JSON.parse(posted.text).error).toMatchObject({ type: 'invalid_request_error', param: null, code: 'origin_not_allowed' });
    await context.close();
  });

  it('answers that navigation when cors names the other site', async () => {
    const context = await h.browser.newContext();
    const modelPage = await openSwPage(h, context, { serve: true, sw: `wait=3000&cors=${encodeURIComponent(other)}` });
    await modelPage.evaluate((body) => window.e2e.create(body), { model: MODEL, input: 'load the model first' });
    const posted = await formPost(await otherSitePage(context), `${h.origin}/v1/embeddings`);
    expect(posted.status).toBe(200);
    expect(JSON.parse(posted.text).data[0].embedding).toHaveLength(h.dims);
    await context.close();
  });
});
