/** What differs between providers: default base URLs, error-body shapes, and scrubbing credentials out of text. */

import type { ErrorObject } from '../openai-types.js';

/** Base URLs of the built-in providers; any other provider name needs its own `baseURL`. */
export const DEFAULT_BASE_URLS: Readonly<Record<string, string>> = {
  openai: 'https://api.openai.com/v1',
  baichuan: 'https://api.baichuan-ai.com/v1',
  zhipu: 'https://open.bigmodel.cn/api/paas/v4',
};

const REDACTED = '[redacted]';

/** Header names whose values are credentials, scrubbed from every message like the API key. */
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|session|signature/i;

/** Return the values of `headers` that look like credentials (by header name). */
export function credentialValues(headers: Record<string, string>): string[] {
  return Object.entries(headers).filter(([name]) => CREDENTIAL_HEADER.test(name)).map(([, value]) => value);
}

/**
 * Replace every secret in `text` with `[redacted]`, and with it anything shaped like a credential:
 * `Bearer …`/`Basic …` tokens of 8+ characters and OpenAI-style `sk-…` keys, which OpenAI's own 401 echoes back
 * ("Incorrect API key provided: sk-…"). Each secret's parts of 8+ characters (split at spaces and dots) go too.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Parts too: a header value's token without its scheme (`Token abc…`), a zhipu key's halves.
  const pieces = secrets.flatMap((s) => [s, ...s.split(/[\s.]+/).filter((p) => p.length >= 8)]);
  // Longest first, so a piece never leaves half of a longer secret behind.
  for (const s of pieces.sort((a, b) => b.length - a.length)) {
    if (s.length >= 4) out = out.split(s).join(REDACTED);
  }
  return out
    .replace(/\bBearer\s+[^\s"',;]{8,}/gi, `Bearer ${REDACTED}`)
    .replace(/\bBasic\s+[A-Za-z0-9+/=]{8,}/gi, `Basic ${REDACTED}`)
    .replace(/\bsk-[A-Za-z0-9_*.-]{2,}[A-Za-z0-9_*-]/g, REDACTED);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function text(x: unknown): string | undefined {
  if (typeof x === 'string' && x !== '') return x;
  if (Array.isArray(x) || isRecord(x)) return JSON.stringify(x);
  return undefined;
}

/** The start of a non-JSON body, for a message (HTML error pages can be long). */
export function snippet(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * Map a provider's error body into OpenAI's error object, keeping the provider's message and code:
 * - OpenAI, vLLM, Infinity, Baichuan: `{ error: { message, type?, param?, code? } }`
 * - zhipu: `{ error: { code: "1211", message } }`; Baichuan (older) and zhipu v3: `{ code, msg }`
 * - Text Embeddings Inference: `{ error: "…", error_type: "Validation" }`; FastAPI servers: `{ detail }`
 * - anything else (an HTML page from a gateway): the status and the body's start.
 */
export function toOpenAIError(status: number | undefined, body: unknown, raw: string): ErrorObject {
  const outer = isRecord(body) ? body : {};
  const inner = isRecord(outer.error) ? outer.error : outer;
  const message =
    text(inner.message) ?? text(inner.msg) ?? (typeof outer.error === 'string' ? outer.error : undefined)
    ?? text(outer.detail) ?? text(outer.message)
    ?? (raw.trim() ? `${status ?? 'Error'}: ${snippet(raw)}` : `${status ?? 'Error'} status code (no body)`);
  const code = inner.code ?? outer.code;
  return {
    message,
    type: text(inner.type) ?? text(outer.error_type) ?? (status !== undefined && status >= 500 ? 'server_error' : 'invalid_request_error'),
    param: typeof inner.param === 'string' ? inner.param : null,
    code: code === undefined || code === null || code === '' ? null : String(code),
  };
}
