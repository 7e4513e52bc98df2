/**
 * The API key of a remote provider, through the real client in Chromium: it reaches the provider's own
 * origin and nothing else: not the worker, not IndexedDB or any other storage, not an error message,
 * not another origin.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { APIError, AuthenticationError, type InPageEmbeddings } from '../../src/index.js';
import { expectedVector } from '../fixtures/fake-vectors.js';
import { FAMILIES, tinyClient } from './tiny-models.js';

const KEY = 'sk-page-SECRET-5f0c1d2e3a4b5c6d7e8f9a0b';
/** zhipu's key, sent to the other origin on purpose: it must be the only key that origin sees. */
const ZHIPU_KEY = '4e5f6a7b8c9d0e1f2a3b.ZhipuSecretPart77';
const SECRETS = [KEY, ZHIPU_KEY, ...ZHIPU_KEY.split('.')];

/** The provider server on 127.0.0.1, and the same server under a second origin (localhost). */
const host = inject('providerHost');
const foreignHost = host.replace('//127.0.0.1:', '//localhost:');

interface Logged { method: string; path: string; host: string; headers: Record<string, string | undefined> }

const control = async (path: string, body?: unknown): Promise<unknown> => {
  const res = await fetch(`${host}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return res.json();
};
const serverLog = () => control('__log') as Promise<Logged[]>;

/** Every message the page posts to the worker, flattened to text (buffers as their bytes, one char per byte). */
const posted: string[] = [];
/** Everything written to the console while this file runs, flattened the same way. */
const logged: string[] = [];
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const originalConsole = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, console[m]]));
for (const m of CONSOLE_METHODS) {
  console[m] = (...args: unknown[]) => { logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : flatten(a))).join(' ')); originalConsole[m](...args); };
}

function flatten(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value;
  if (typeof value !== 'object') return String(value);
  if (seen.has(value)) return '';
  seen.add(value);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return s;
  }
  if (value instanceof MessagePort) return '[MessagePort]';
  const parts: string[] = [];
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
  for (const [k, v] of entries) parts.push(`${flatten(k, seen)}:${flatten(v, seen)}`);
  return `{${parts.join(',')}}`;
}

/** The real worker, with its `postMessage` recorded. */
function recordingWorker(): Worker {
  const worker = new Worker(new URL('../../src/worker/worker-entry.ts', import.meta.url), { type: 'module', name: 'inpage-embeddings' });
  const post = worker.postMessage.bind(worker) as (message: unknown, transfer?: Transferable[] | StructuredSerializeOptions) => void;
  worker.postMessage = ((message: unknown, transfer?: Transferable[] | StructuredSerializeOptions) => {
    posted.push(flatten(message));
    post(message, transfer);
  }) as Worker['postMessage'];
  return worker;
}

function containsSecret(text: string): string | undefined {
  return SECRETS.find((s) => text.includes(s));
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Read every record of every object store of every IndexedDB database of this origin. */
async function dumpIndexedDB(): Promise<{ names: string[]; records: number; text: string }> {
  const names: string[] = [];
  let records = 0;
  let text = '';
  for (const info of await indexedDB.databases()) {
    if (!info.name) continue;
    names.push(info.name);
    const db = await request(indexedDB.open(info.name));
    for (const store of Array.from(db.objectStoreNames)) {
      const tx = db.transaction(store, 'readonly');
      const [keys, values] = await Promise.all([
        request(tx.objectStore(store).getAllKeys()), request(tx.objectStore(store).getAll()),
      ]);
      records += values.length;
      for (const v of values) text += flatten(v instanceof Blob ? new Uint8Array(await v.arrayBuffer()) : v);
      text += flatten(keys);
    }
    db.close();
  }
  return { names, records, text };
}

/** Read Cache Storage (URLs, headers, bodies) and Web Storage. */
async function dumpOtherStorage(): Promise<string> {
  let text = '';
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) {
      text += req.url + flatten(Object.fromEntries(req.headers));
      const res = await cache.match(req);
      if (res) text += flatten(Object.fromEntries(res.headers)) + flatten(new Uint8Array(await res.arrayBuffer()));
    }
  }
  for (const storage of [localStorage, sessionStorage]) {
    for (let i = 0; i < storage.length; i++) text += `${storage.key(i)}=${storage.getItem(storage.key(i)!)}`;
  }
  return text;
}

async function rejection(p: Promise<unknown>): Promise<APIError> {
  try { await p; } catch (err) { if (err instanceof APIError) return err; throw err; }
  throw new Error('expected a rejection');
}

let client: InPageEmbeddings;
beforeAll(async () => {
  client = await tinyClient({
    // A real cache database, so the IndexedDB check below has records to search.
    cacheNamespace: `key-safety-${crypto.randomUUID()}`,
    worker: recordingWorker,
    remote: {
      openai: { apiKey: KEY, baseURL: `${host}openai/v1`, maxRetries: 0 },
      zhipu: { apiKey: ZHIPU_KEY, baseURL: `${foreignHost}zhipu/api/paas/v4` },
    },
  });
});
afterAll(() => client.dispose());
beforeEach(async () => {
  await control('__reset', {});
  await control('__key', { route: 'openai' });
});

describe('the API key in the page', () => {
  it('is used for remote models beside local ones, and no message to the worker carries it', async () => {
    const texts = ['the same text, local and remote', 'a second one'];
    const local = await client.embeddings.create({ model: FAMILIES.bert.id, input: texts });
    const remote = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts, dimensions: 16 });
    const zhipu = await client.embeddings.create({ model: 'zhipu-embedding-2', input: texts[0] });
    expect(local.data).toHaveLength(2);
    expect(remote.model).toBe('text-embedding-3-small');
    remote.data.forEach((d, i) => {
      const want = Array.from(expectedVector('text-embedding-3-small', texts[i], 1536, 16));
      (d.embedding as number[]).forEach((x, k) => expect(x).toBeCloseTo(want[k], 6));
    });
    expect((zhipu.data[0].embedding as number[]).length).toBe(1024);

    // The keys really went out, each to its own provider.
    const log = await serverLog();
    const sent = log.filter((r) => r.method === 'POST').map((r) => [r.path, r.headers.authorization]);
    expect(sent).toEqual([['/openai/v1/embeddings', `Bearer ${KEY}`], ['/zhipu/api/paas/v4/embeddings', `Bearer ${ZHIPU_KEY}`]]);

    expect((await client.engineStats()).texts).toBeGreaterThan(0);
    expect(posted.length).toBeGreaterThan(0);
    for (const message of posted) {
      expect(containsSecret(message)).toBeUndefined();
      expect(message).not.toContain('Bearer');
      expect(message).not.toContain(host);
    }
  });

  it('is nowhere in IndexedDB, Cache Storage or Web Storage after remote calls', async () => {
    await client.embeddings.create({ model: 'text-embedding-3-large', input: ['store me', 'and me'], dimensions: 32 });
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'store me too' });
    await (client as unknown as { cache?: { flush?: () => Promise<void> } }).cache?.flush?.();
    const idb = await dumpIndexedDB();
    const other = await dumpOtherStorage();
    // The vector cache (when present) holds the remote vectors just written: the scan reads real data.
    if ((client as unknown as { cache?: unknown }).cache) expect(idb.records).toBeGreaterThan(0);
    expect(containsSecret(idb.text)).toBeUndefined();
    expect(containsSecret(other)).toBeUndefined();
    // UTF-16 copies too, in case anything stored the key as a UCS-2 byte string.
    const utf16 = (s: string) => Array.from(s, (c) => `${c}\u0000`).join('');
    for (const s of SECRETS) expect(idb.text.includes(utf16(s)) || other.includes(utf16(s))).toBe(false);
  });

  it('is redacted from error messages, including a 401 that echoes it', async () => {
    await control('__key', { route: 'openai', key: 'sk-the-provider-expects-another-0000' });
    const auth = await rejection(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }));
    expect(auth).toBeInstanceOf(AuthenticationError);
    expect(auth.status).toBe(401);
    expect(auth.message).toMatch(/^Incorrect API key provided: \[redacted\]\./);

    await control('__key', { route: 'openai' });
    await control('__script', { faults: [{ kind: 'status', status: 500, text: `<pre>upstream said: Authorization: Bearer ${KEY}</pre>` }] });
    const server = await rejection(client.embeddings.create({ model: 'text-embedding-3-small', input: 'y' }));
    expect(server.status).toBe(500);
    expect(server.message).toContain('[redacted]');

    for (const err of [auth, server]) {
      for (const text of [err.message, String(err), String(err.stack), JSON.stringify(err), JSON.stringify(err.toJSON())]) {
        expect(containsSecret(text)).toBeUndefined();
      }
    }
  });

  it('never reaches another origin: a redirect away from the provider is refused, not followed', async () => {
    await control('__script', { faults: [{ kind: 'redirect', status: 307, location: `${foreignHost}openai/v1/embeddings` }] });
    const err = await rejection(client.embeddings.create({ model: 'text-embedding-3-small', input: 'redirected' }));
    expect(err.code).toBe('redirect_refused');
    expect(containsSecret(err.message)).toBeUndefined();
    await client.embeddings.create({ model: 'zhipu-embedding-2', input: 'to the other origin, with its own key' });

    const log = await serverLog();
    const foreignOrigin = new URL(foreignHost).host;
    const atForeign = log.filter((r) => r.host === foreignOrigin);
    const atHome = log.filter((r) => r.host !== foreignOrigin);
    // One redirected attempt at home; nothing of it at the other origin, which saw only zhipu's own key.
    expect(atHome.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/openai/v1/embeddings']);
    expect(atForeign.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/zhipu/api/paas/v4/embeddings']);
    for (const r of atForeign) expect(JSON.stringify(r.headers)).not.toContain(KEY);
    for (const r of atHome) expect(JSON.stringify(r.headers)).not.toContain(ZHIPU_KEY);
  });
});

describe('the console', () => {
  it('recorded what was logged during these calls, and none of it carries a key', async () => {
    console.warn('key-safety probe: the console recorder works');
    expect(logged.some((line) => line.includes('key-safety probe'))).toBe(true);
    for (const line of logged) expect(containsSecret(line)).toBeUndefined();
    for (const m of CONSOLE_METHODS) console[m] = originalConsole[m];
  });
});
