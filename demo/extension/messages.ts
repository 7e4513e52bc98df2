/** The messages between the popup, the service worker and the offscreen document: pure types. */

/** Where models come from; kept in `chrome.storage.local` under `settings`. All optional. */
export interface Settings {
  /** Hub-layout host of the model files. Default `https://huggingface.co/`. */
  modelHost?: string;
  /** Default `BAAI/bge-small-en-v1.5`. */
  model?: string;
  /** Catalogue overrides, e.g. a test model's width. */
  models?: Array<{ id: string; dims?: number }>;
}

/** Text taken from a tab. */
export interface Source {
  url: string;
  title: string;
}

/** What the popup (or the context menu) asks for. */
export type Request =
  | { type: 'save'; passages: string[]; source: Source }
  | { type: 'find'; text: string; k: number; exclude?: string }
  | { type: 'stats' }
  | { type: 'clear' };

/** One saved passage that matched, with its cosine similarity. */
export interface Match {
  score: number;
  text: string;
  source: Source;
}

/** The answers, by request type. */
export interface Answers {
  save: { saved: number; total: number };
  find: { matches: Match[]; total: number; model: string };
  stats: { total: number; model: string; backend: string };
  clear: { total: 0 };
}

/** Every answer carries either its value or an error message. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

/** A request on its way to the service worker. */
export interface ToBackground {
  target: 'background';
  request: Request;
}

/** A request forwarded to the offscreen document, with the settings it must use. */
export interface ToOffscreen {
  target: 'offscreen';
  settings: Settings;
  request: Request;
}
