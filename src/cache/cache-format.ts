/**
 * The vector cache's export format: compact, binary, versioned, little-endian. Pure (no DOM), so a
 * server can write files a page imports to start warm.
 *
 * ```
 * Header, 16 bytes
 *   0  u8[4]  magic "IPEV"
 *   4  u8     format version = 1
 *   5  u8     reserved = 0
 *   6  u16    modelCount
 *   8  u32    entryCount
 *  12  u32    reserved = 0
 * Model table: modelCount × { u16 byteLength, UTF-8 model id }, then zero bytes up to a multiple of 4
 * Entries: entryCount × {
 *   u8[32]  key: the SHA-256 of `cache-key.ts` (raw bytes; stored as 64 lowercase hex digits)
 *   u16     model index into the model table
 *   u16     reserved = 0
 *   u32     tokens the input took (reported as `usage.cached_tokens` when served)
 *   u32     dims
 *   f32[dims]  the full-width unit vector
 * }
 * ```
 * Every entry header is 44 bytes, so vectors stay 4-byte aligned. A 384-d entry takes 1,580 bytes.
 */

import { fromHex, toHex } from './cache-key.js';

/** One exported vector. */
export interface ExportedEntry {
  /** 64 lowercase hex digits. */
  key: string;
  model: string;
  tokens: number;
  vector: Float32Array;
}

const MAGIC = [0x49, 0x50, 0x45, 0x56]; // "IPEV"
const VERSION = 1;
const HEADER = 16;
const ENTRY_HEADER = 44;
/** Widest vector accepted on import. */
const MAX_DIMS = 65_536;

const pad4 = (n: number) => (n + 3) & ~3;

/** Encode entries in the export format (one buffer per part, ready for `new Blob(parts)`). */
export function encodeEntries(entries: readonly ExportedEntry[]): Uint8Array[] {
  const models = new Map<string, number>();
  for (const e of entries) if (!models.has(e.model)) models.set(e.model, models.size);
  if (models.size > 0xffff) throw new RangeError('an export holds at most 65,535 models');
  const names = [...models.keys()].map((m) => new TextEncoder().encode(m));
  const tableBytes = pad4(names.reduce((n, b) => n + 2 + b.length, 0));
  const head = new Uint8Array(HEADER + tableBytes);
  const hv = new DataView(head.buffer);
  head.set(MAGIC, 0);
  hv.setUint8(4, VERSION);
  hv.setUint16(6, models.size, true);
  hv.setUint32(8, entries.length, true);
  let at = HEADER;
  for (const name of names) {
    hv.setUint16(at, name.length, true);
    head.set(name, at + 2);
    at += 2 + name.length;
  }
  const parts = [head];
  for (const e of entries) {
    const part = new Uint8Array(ENTRY_HEADER + e.vector.length * 4);
    const v = new DataView(part.buffer);
    if (!/^[0-9a-f]{64}$/.test(e.key)) throw new RangeError(`not a cache key: ${e.key}`);
    part.set(fromHex(e.key), 0);
    v.setUint16(32, models.get(e.model)!, true);
    v.setUint32(36, e.tokens, true);
    v.setUint32(40, e.vector.length, true);
    for (let i = 0; i < e.vector.length; i++) v.setFloat32(ENTRY_HEADER + 4 * i, e.vector[i], true);
    parts.push(part);
  }
  return parts;
}

/** Decode an export; throws RangeError on a malformed or truncated file, never returns a partial entry. */
export function decodeEntries(data: ArrayBuffer | Uint8Array): ExportedEntry[] {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number) => {
    if (at + n > bytes.length) throw new RangeError('vector cache export is truncated');
  };
  need(0, HEADER);
  if (MAGIC.some((b, i) => bytes[i] !== b)) throw new RangeError('not a vector cache export (bad magic)');
  if (bytes[4] !== VERSION) throw new RangeError(`unsupported vector cache export version ${bytes[4]}`);
  const modelCount = view.getUint16(6, true);
  const count = view.getUint32(8, true);
  const models: string[] = [];
  let at = HEADER;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let m = 0; m < modelCount; m++) {
    need(at, 2);
    const len = view.getUint16(at, true);
    need(at + 2, len);
    models.push(decoder.decode(bytes.subarray(at + 2, at + 2 + len)));
    at += 2 + len;
  }
  at = pad4(at);
  const out: ExportedEntry[] = [];
  for (let n = 0; n < count; n++) {
    need(at, ENTRY_HEADER);
    const key = toHex(bytes.subarray(at, at + 32));
    const model = models[view.getUint16(at + 32, true)];
    const tokens = view.getUint32(at + 36, true);
    const dims = view.getUint32(at + 40, true);
    if (model === undefined) throw new RangeError(`entry ${n} names a model that is not in the table`);
    if (dims === 0 || dims > MAX_DIMS) throw new RangeError(`entry ${n} has ${dims} dims`);
    need(at + ENTRY_HEADER, dims * 4);
    const vector = new Float32Array(dims);
    for (let i = 0; i < dims; i++) vector[i] = view.getFloat32(at + ENTRY_HEADER + 4 * i, true);
    out.push({ key, model, tokens, vector });
    at += ENTRY_HEADER + dims * 4;
  }
  return out;
}
