/** The demo's corpus: 240 short passages on 12 topics, some not in English (public/corpus.json says where from). */

/** One passage. */
export interface Passage {
  topic: string;
  /** ISO 639-1 code. */
  lang: string;
  text: string;
}

/** The corpus file. */
export interface Corpus {
  about: string;
  passages: Passage[];
}

/** Fetch the corpus shipped with the demo. */
export async function loadCorpus(url = '/corpus.json'): Promise<Corpus> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json() as Promise<Corpus>;
}

/** The corpus' topics, in first-seen order. */
export function topicsOf(passages: Passage[]): string[] {
  return [...new Set(passages.map((p) => p.topic))];
}
