/** Split one call's inputs into provider-sized requests and run them with bounded concurrency. */

/** A text or token ids, as sent to the provider. */
export type RemoteInput = string | number[];

/** A contiguous slice `[start, end)` of the inputs, sent as one request; joining slices in order keeps input order. */
export interface Part {
  start: number;
  end: number;
}

const encoder = new TextEncoder();

/**
 * Return an upper bound on an input's tokens, so that no request exceeds the provider's per-request budget.
 * Token ids count exactly. A string counts its UTF-8 bytes + 2: every token of a byte-level BPE
 * (cl100k, Qwen), SentencePiece or WordPiece vocabulary covers at least one byte, and at most two special
 * tokens are added. It is capped at the model's input limit, since the provider refuses or cuts anything
 * longer. Real text runs 3–4 bytes per token (about 1 per CJK character), so this over-counts by that much:
 * a budget-bound batch goes out as a few more, smaller requests, rather than risking a 400 on all of it.
 */
export function estimateTokens(input: RemoteInput, maxTokens: number): number {
  if (typeof input !== 'string') return input.length;
  const bound = encoder.encode(input).length + 2;
  return maxTokens > 0 ? Math.min(bound, maxTokens) : bound;
}

/**
 * Cut inputs into contiguous parts of at most `maxInputs` inputs and `maxTokens` estimated tokens.
 * A part also ends where strings give way to token arrays or back: providers take one input type per request.
 * An input whose estimate alone exceeds the budget goes in a part of its own (the provider judges it).
 */
export function planParts(inputs: readonly RemoteInput[], maxInputs: number, maxTokens: number, inputLimit: number): Part[] {
  const parts: Part[] = [];
  let start = 0;
  let tokens = 0;
  for (let i = 0; i < inputs.length; i++) {
    const t = estimateTokens(inputs[i], inputLimit);
    const count = i - start;
    const kindChanged = count > 0 && typeof inputs[i] !== typeof inputs[i - 1];
    if (count > 0 && (count >= maxInputs || tokens + t > maxTokens || kindChanged)) {
      parts.push({ start, end: i });
      start = i;
      tokens = 0;
    }
    tokens += t;
  }
  if (inputs.length > start) parts.push({ start, end: inputs.length });
  return parts;
}

/**
 * Run `task` over `items` with at most `limit` in flight, results in item order.
 * Rejects with the first failure and starts nothing after it; the caller aborts what is still running.
 */
export async function mapPool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await task(items[i]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
