/** What `demo/serve.ts` tells the page at `/demo-config.json`: where model files come from. Pure types. */

/** A catalogue override: a row's id and the fields the served files need changed (e.g. a fixture's width). */
export interface RowOverride {
  id: string;
  dims?: number;
}

/** The served `/demo-config.json`. */
export interface DemoConfig {
  /** `hub`: huggingface.co; `folder`: a local folder (`--models`); `tiny`: the generated random-weight fixtures. */
  source: 'hub' | 'folder' | 'tiny';
  /** `modelHost` for the client; relative to the page (`/models/`) or absolute (`https://huggingface.co/`). */
  modelHost: string;
  /** Local model ids whose files are served; `null`: every catalogue model (the Hub). */
  available: string[] | null;
  /** Catalogue overrides for the served files. */
  models: RowOverride[];
  /** The model the page starts with. */
  defaultModel: string;
  /** One sentence on where the models come from and why, shown in the page. */
  note: string;
  /** Changes on every server start: the service worker's cache version. */
  build: string;
}
