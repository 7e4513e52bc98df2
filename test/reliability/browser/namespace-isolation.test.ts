/**
 * `cacheNamespace` keeps two users of one origin apart: one database each, no answer from the other's
 * vectors, and one user's `clear()` or `export()` never touches the other's.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { cacheDatabaseName, decodeEntries, type InPageEmbeddings } from '../../../src/index.js';
import { freshNamespace } from '../../browser/cache-helpers.js';
import { FAMILIES, tinyClient } from '../../browser/tiny-models.js';
import { auditStore } from './stored-entries.js';

const clients: InPageEmbeddings[] = [];
afterAll(async () => { for (const c of clients) await c.dispose(); });

describe('two users of one origin', () => {
  it('never share vectors, and clear or export only their own', async () => {
    const [alice, bob] = [freshNamespace('alice'), freshNamespace('bob')];
    const a = await tinyClient({ cacheNamespace: alice });
    const b = await tinyClient({ cacheNamespace: bob });
    clients.push(a, b);
    const texts = ['a private note', 'another private note'];
    const first = await a.embeddings.create({ model: FAMILIES.bert.id, input: texts });
    await a.cache.flush();
    // Bob asks for the same texts: computed for him, not answered from Alice's cache.
    const second = await b.embeddings.create({ model: FAMILIES.bert.id, input: texts });
    expect(second.usage.prompt_tokens).toBe(first.usage.prompt_tokens);
    expect((second.usage as { cached_tokens?: number }).cached_tokens).toBeUndefined();
    await b.cache.flush();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining([cacheDatabaseName(alice), cacheDatabaseName(bob)]));

    await b.embeddings.create({ model: FAMILIES.bert.id, input: 'only bob has this' });
    const bobsExport = decodeEntries(await (await b.cache.export()).arrayBuffer());
    const alicesExport = decodeEntries(await (await a.cache.export()).arrayBuffer());
    expect([bobsExport.length, alicesExport.length]).toEqual([3, 2]);

    await a.cache.clear();
    const dims = first.data[0].embedding.length;
    expect((await auditStore(alice, dims)).entries.size).toBe(0);
    expect((await auditStore(bob, dims)).entries.size).toBe(3);
    expect((await b.embeddings.create({ model: FAMILIES.bert.id, input: texts })).usage.prompt_tokens).toBe(0);
  });
});
