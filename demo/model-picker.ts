/**
 * The model picker: every id of `client.models.list()`, grouped into in-page and remote models. A remote
 * model asks for an API key or a proxy URL, which stays in this tab's memory only (never in storage).
 */

import { CATALOGUE, type ModelsPage, type RemoteProviderOptions } from '../src/index.js';

/** What the picker needs from the page. */
export interface PickerOptions {
  /** Local ids whose files are served; `null`: all. */
  available: string[] | null;
  /** Providers already configured in this tab. */
  configured: () => Set<string>;
  /** A usable model was picked. */
  onPick: (model: string) => void;
  /** A provider was configured from the form; the page makes a client with it, then `onPick` follows. */
  onRemote: (provider: string, options: RemoteProviderOptions) => void;
}

const rowOf = (id: string) => CATALOGUE.find((row) => row.id === id);

/** Binds the `<select>` and the remote form. */
export class ModelPicker {
  private readonly select: HTMLSelectElement;
  private readonly form: HTMLFormElement;

  constructor(root: HTMLElement, private readonly options: PickerOptions) {
    this.select = root.querySelector('select')!;
    this.form = root.querySelector('form')!;
    this.select.addEventListener('change', () => this.picked());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submitRemote();
    });
  }

  /** Fill the list from `models.list()` and select `model`. */
  populate(page: ModelsPage, model: string): void {
    const local = document.createElement('optgroup');
    local.label = 'In the page (open weights)';
    const remote = document.createElement('optgroup');
    remote.label = 'Remote API (key or proxy needed)';
    for (const { id, owned_by } of page.data) {
      const row = rowOf(id);
      const option = new Option(`${id}`, id);
      if (row?.route === 'remote') {
        option.textContent = `${id} · ${owned_by} · $${row.pricePerMillion}/1M`;
        remote.append(option);
      } else {
        const served = this.options.available === null || this.options.available.includes(id);
        option.disabled = !served;
        if (!served) option.textContent = `${id} (files not served)`;
        local.append(option);
      }
    }
    this.select.replaceChildren(local, remote);
    this.select.value = model;
  }

  /** The selected id. */
  get value(): string {
    return this.select.value;
  }

  /** Disable while indexing. */
  set busy(busy: boolean) {
    this.select.disabled = busy;
  }

  private picked(): void {
    const row = rowOf(this.value);
    const provider = row?.route === 'remote' ? row.provider : undefined;
    this.form.hidden = !provider || this.options.configured().has(provider);
    if (provider && !this.form.hidden) {
      this.form.dataset.provider = provider;
      this.form.querySelector('.provider')!.textContent = provider;
      return;
    }
    this.options.onPick(this.value);
  }

  private submitRemote(): void {
    const provider = this.form.dataset.provider!;
    const apiKey = (this.form.elements.namedItem('apiKey') as HTMLInputElement).value.trim();
    const baseURL = (this.form.elements.namedItem('baseURL') as HTMLInputElement).value.trim();
    if (!apiKey && !baseURL) return;
    this.form.reset(); // the key lives on in the client's memory only
    this.form.hidden = true;
    this.options.onRemote(provider, { ...(apiKey ? { apiKey } : {}), ...(baseURL ? { baseURL } : {}) });
    this.options.onPick(this.value);
  }
}
