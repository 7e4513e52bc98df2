/** Split a page's text into passages worth embedding: one per paragraph, short lines merged, long ones cut at sentences. */

/** Options of `splitPassages`. */
export interface SplitOptions {
  /** Shorter pieces (headings, captions) join the next paragraph. Default 80 characters. */
  min?: number;
  /** Longer paragraphs are cut at sentence ends. Default 600 characters. */
  max?: number;
  /** Most passages per page. Default 64. */
  limit?: number;
}

/** Split `text` into passages. */
export function splitPassages(text: string, options: SplitOptions = {}): string[] {
  const { min = 80, max = 600, limit = 64 } = options;
  const out: string[] = [];
  let current = '';
  for (const line of text.split(/\r?\n/)) {
    const paragraph = line.replace(/\s+/g, ' ').trim();
    if (!paragraph) continue;
    for (const piece of cut(paragraph, max)) {
      current = current ? `${current} ${piece}` : piece;
      if (current.length >= min) { out.push(current); current = ''; }
    }
  }
  // A short tail belongs to the passage before it, when there is one.
  if (current) out.length ? (out[out.length - 1] += ` ${current}`) : out.push(current);
  return out.slice(0, limit);
}

/** Cut one paragraph into pieces no longer than `max`, at sentence ends where possible. */
function cut(paragraph: string, max: number): string[] {
  if (paragraph.length <= max) return [paragraph];
  const sentences = paragraph.match(/[^.!?。！？]+[.!?。！？]*\s*/g) ?? [paragraph];
  const pieces: string[] = [];
  let piece = '';
  for (const sentence of sentences) {
    if (piece && piece.length + sentence.length > max) { pieces.push(piece.trim()); piece = ''; }
    piece += sentence.length > max ? sentence.slice(0, max) : sentence;
  }
  if (piece.trim()) pieces.push(piece.trim());
  return pieces;
}
