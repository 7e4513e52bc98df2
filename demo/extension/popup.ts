/**
 * The popup: take the current tab's selection (or its whole text), then save it as passages or find the
 * saved passages most similar to it. Tests open it as `popup.html?tab=<id>` to name the tab.
 */

import type { Answers, Reply, Request, Settings, Source, ToBackground } from './messages.js';
import { splitPassages } from './passages.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** What the page gives: its selection if any, else its visible text. */
interface PageText extends Source {
  selection: string;
  text: string;
}

async function targetTab(): Promise<number> {
  const fromQuery = new URLSearchParams(location.search).get('tab');
  if (fromQuery) return Number(fromQuery);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  if (tab?.id === undefined) throw new Error('No active tab.');
  return tab.id;
}

/** Read the tab's text: `activeTab` grants this when the toolbar button opened the popup. */
async function readTab(tabId: number): Promise<PageText> {
  const [injection] = await chrome.scripting.executeScript({
    target: { tabId },
    func: () => ({
      url: location.href, title: document.title,
      selection: getSelection()?.toString() ?? '', text: document.body?.innerText ?? '',
    }),
  });
  if (!injection?.result) throw new Error('Could not read this page (browser pages cannot be read by extensions).');
  return injection.result;
}

async function ask<T extends Request['type']>(request: Extract<Request, { type: T }>): Promise<Answers[T]> {
  const message: ToBackground = { target: 'background', request };
  const reply = await chrome.runtime.sendMessage<Reply<Answers[T]>>(message);
  if (!reply) throw new Error('The extension did not answer.');
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

function setStatus(text: string, error = false): void {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

async function refreshStats(): Promise<void> {
  const stats = await ask({ type: 'stats' });
  $('stats').textContent = `${stats.total} saved · ${stats.model} · ${stats.backend}`;
}

function showMatches(result: Answers['find']): void {
  $('matches').replaceChildren(...result.matches.map((m) => {
    const li = document.createElement('li');
    li.dataset.score = m.score.toFixed(4);
    const score = Object.assign(document.createElement('span'), { className: 'score', textContent: m.score.toFixed(3) });
    const link = Object.assign(document.createElement('a'), { href: m.source.url, target: '_blank', textContent: m.source.title || m.source.url });
    const text = Object.assign(document.createElement('p'), { textContent: m.text });
    li.append(score, link, text);
    return li;
  }));
}

/** Run one action with the buttons disabled and its outcome in the status line. */
async function run(action: () => Promise<string>): Promise<void> {
  const buttons = [$<HTMLButtonElement>('find'), $<HTMLButtonElement>('save')];
  buttons.forEach((b) => { b.disabled = true; });
  setStatus('Working… (the first run loads the model)');
  try {
    setStatus(await action());
    document.body.dataset.state = 'done';
  } catch (error) {
    setStatus(error instanceof Error ? error.message : String(error), true);
    document.body.dataset.state = 'error';
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    void refreshStats().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const tabId = await targetTab();
  const page = await readTab(tabId).catch((error: Error) => { setStatus(error.message, true); return undefined; });
  $('source').textContent = page
    ? `${page.selection ? 'Selection' : 'Whole page'}: ${page.title || page.url}`
    : 'No readable page';
  const text = () => page?.selection || page?.text || '';
  const source = (): Source => ({ url: page?.url ?? '', title: page?.title ?? '' });

  $('find').addEventListener('click', () => void run(async () => {
    const result = await ask({ type: 'find', text: text(), k: 5, exclude: page?.url });
    showMatches(result);
    return result.total ? `Top ${result.matches.length} of ${result.total} saved passages from other pages` : 'Nothing saved yet from other pages.';
  }));
  $('save').addEventListener('click', () => void run(async () => {
    const passages = splitPassages(text());
    if (!passages.length) throw new Error('This page has no text to save.');
    const result = await ask({ type: 'save', passages, source: source() });
    return `Saved ${result.saved} passage${result.saved === 1 ? '' : 's'} (${result.total} in all).`;
  }));
  $('clear').addEventListener('click', () => void run(async () => {
    await ask({ type: 'clear' });
    $('matches').replaceChildren();
    return 'Cleared.';
  }));

  const form = $<HTMLFormElement>('settings');
  const { settings } = (await chrome.storage.local.get('settings')) as { settings?: Settings };
  (form.elements.namedItem('modelHost') as HTMLInputElement).value = settings?.modelHost ?? '';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const modelHost = (form.elements.namedItem('modelHost') as HTMLInputElement).value.trim() || undefined;
    void chrome.storage.local.set({ settings: { ...settings, modelHost } }).then(() => setStatus('Settings saved.'));
  });
  document.body.dataset.state = 'ready';
  void refreshStats().catch(() => undefined);
}

main().catch((error) => setStatus(String(error), true));
