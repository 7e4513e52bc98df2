/** Launch settings for the end-to-end tests: Debian's Chromium, headless, fresh profile, nothing phoning home. */

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright';
import { CHROMIUM, CHROMIUM_ARGS } from '../../vite.config.js';

/** The Chromium binary the tests drive. */
export const executablePath = CHROMIUM;
/** Its flags: headless, no sandbox, no GPU, no background traffic. */
export const args = ['--headless', ...CHROMIUM_ARGS];

/** Where screenshots go (gitignored). */
export const OUTPUT = resolve(import.meta.dirname, '../output/e2e');

/** Save a full-page screenshot as test/output/e2e/<name>.png and return its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT, { recursive: true });
  const path = resolve(OUTPUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Forward the page's errors and warnings to the test log, which is where a failure is diagnosed. */
export function logPage(page: Page, label: string): void {
  page.on('pageerror', (error) => console.log(`[${label}] page error: ${error.message}`));
  page.on('console', (message) => {
    // Vite's dev client retries its hot-reload socket, which cannot connect offline: noise, not a failure.
    if (/\[vite\]|WebSocket connection/.test(message.text())) return;
    if (message.type() === 'error' || message.type() === 'warning') console.log(`[${label}] ${message.type()}: ${message.text()}`);
  });
}

/**
 * Visit the demo once in a throwaway context and wait for it to be ready: on a fresh clone vite optimizes
 * dependencies during the first visit and may reload the page with new module URLs, which the PWA's first
 * precache would miss, and a traced visit would measure vite's first compile instead of the page.
 */
export async function warmDemoServer(browser: Browser, url: string): Promise<void> {
  const warm = await browser.newContext();
  await warm.newPage().then(async (p) => {
    await p.goto(url);
    await p.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 120_000 });
  }).catch(() => undefined);
  await warm.close();
}
