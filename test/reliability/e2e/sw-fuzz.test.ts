/**
 * The fuzzed bad requests (fuzz-cases.ts, the same seed) through the service-worker route, from a page of
 * the origin to `/v1/embeddings`, answered by the page holding the model: each a 4xx in OpenAI's shape
 * with its `param`, no uncaught error in the page, and a valid request right afterwards.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSwPage, startSwHarness, type SwHarness } from '../../e2e/sw-harness.js';
import type { Fetched } from '../../e2e/sw-page/api.js';
import { errorShapeProblem } from '../error-shape.js';
import { FUZZ_SEED, generateCases } from '../fuzz-cases.js';

const MODEL = 'BAAI/bge-small-en-v1.5';
/** The route's share: the JSON-expressible cases among the first 600 (the in-page suite sends all 1,200). */
const cases = generateCases(FUZZ_SEED, 600, MODEL).filter((c) => c.wire !== undefined);

let h: SwHarness;
beforeAll(async () => { h = await startSwHarness(); });
afterAll(async () => { await h?.close(); });

describe(`${cases.length} generated bad requests through the service worker route`, () => {
  it('each gets its 4xx in OpenAI\'s shape, nothing escapes, and the next valid request is right', async () => {
    const context = await h.browser.newContext();
    const page = await openSwPage(h, context, { serve: true });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const answers = await page.evaluate(async (bodies: string[]) => {
      const out: Array<{ status: number; text: string }> = [];
      for (const body of bodies) {
        const res = await window.e2e.call('/v1/embeddings', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        out.push({ status: res.status, text: res.text });
      }
      return out;
    }, cases.map((c) => c.wire!));
    const failures: string[] = [];
    answers.forEach((a, i) => {
      const c = cases[i];
      let body: unknown;
      try { body = JSON.parse(a.text); } catch { return void failures.push(`#${c.id} ${c.label}: not JSON: ${a.text.slice(0, 80)}`); }
      const problem = errorShapeProblem(a.status, body, c);
      if (problem) failures.push(`#${c.id} ${c.label}: ${problem}`);
    });
    expect(failures).toEqual([]);
    expect(pageErrors).toEqual([]);

    const valid = JSON.stringify({ model: MODEL, input: ['after the fuzz', 'still right'] });
    const viaSw = await page.evaluate((body) => window.e2e.call('/v1/embeddings', { method: 'POST', body }), valid);
    expect(viaSw.status).toBe(200);
    const direct = JSON.parse(await page.evaluate((body) => window.e2e.create(JSON.parse(body)), valid));
    expect(JSON.parse((viaSw as Fetched).text).data).toEqual(direct.data);
    await context.close();
  });
});
