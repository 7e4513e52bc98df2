/**
 * The extension's service worker: it never runs a model (MV3 service workers are stopped when idle and
 * cannot start Workers). It keeps one offscreen document alive, where the model runs in a Worker, and
 * forwards the popup's and the context menu's requests to it with the current settings.
 */

import type { Request, Settings, ToBackground, ToOffscreen } from './messages.js';
import { splitPassages } from './passages.js';

const OFFSCREEN = 'offscreen.html';
let creating: Promise<void> | undefined;

/** Create the offscreen document unless it exists (one at a time: a second create() throws). */
async function ensureOffscreen(): Promise<void> {
  const url = chrome.runtime.getURL(OFFSCREEN);
  const existing = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  if (existing.length) return;
  creating ??= chrome.offscreen.createDocument({
    url: OFFSCREEN,
    reasons: ['WORKERS'],
    justification: 'Runs the embedding model in a Web Worker, which a service worker cannot start.',
  }).finally(() => { creating = undefined; });
  await creating;
}

/** Forward one request to the offscreen document and return its reply. */
async function forward(request: Request): Promise<unknown> {
  await ensureOffscreen();
  const { settings } = (await chrome.storage.local.get('settings')) as { settings?: Settings };
  const message: ToOffscreen = { target: 'offscreen', settings: settings ?? {}, request };
  return chrome.runtime.sendMessage(message);
}

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if ((message as ToBackground | undefined)?.target !== 'background') return false;
  forward((message as ToBackground).request).then(sendResponse, (error: unknown) => sendResponse({ ok: false, error: String(error) }));
  return true; // answers asynchronously
});

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: 'save-selection', title: 'Save selection to Similar passages', contexts: ['selection'] });
});

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId !== 'save-selection' || !info.selectionText) return;
  const source = { url: tab?.url ?? info.pageUrl ?? '', title: tab?.title ?? '' };
  void forward({ type: 'save', passages: splitPassages(info.selectionText), source });
});
