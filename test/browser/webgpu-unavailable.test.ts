/** This project's Chromium runs with --disable-gpu: no WebGPU adapter, as on many real machines. */

import { describe, expect, it } from 'vitest';
import { APIError, cosine } from '../../src/index.js';
import { asNumbers, FAMILIES, fixtureJson, tinyClient, type Golden } from './tiny-models.js';

describe('WebGPU without an adapter', () => {
  it("device 'webgpu' fails fast with a clear 503 webgpu_unavailable", async () => {
    const client = await tinyClient({ device: 'webgpu', cache: false });
    const err = await client.embeddings.create({ model: FAMILIES.bert.id, input: 'x' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: 503, code: 'webgpu_unavailable' });
    expect((err as Error).message).toMatch(/device 'webgpu' was asked for, but no WebGPU adapter/);
    await client.dispose();
  });

  it("'auto', and 'webgpu' with webgpuUnavailable: 'wasm', run on WASM and say why", async () => {
    // One client, two rows: bert on the client's 'auto', jina on its own 'webgpu'.
    const client = await tinyClient({
      device: 'auto', webgpuUnavailable: 'wasm', cache: false, models: [{ id: FAMILIES.jina.id, device: 'webgpu' }],
    });
    for (const [family, requested] of [['bert', 'auto'], ['jina', 'webgpu']] as const) {
      const { id, repo } = FAMILIES[family];
      const golden = await fixtureJson<Golden>(repo, 'golden.json');
      const res = await client.embeddings.create({ model: id, input: golden.texts[0] });
      expect(cosine(asNumbers(res.data[0].embedding), golden.vectors[0])).toBeGreaterThanOrEqual(0.9999);
      const b = (await client.backends()).find((x) => x.model === id)!;
      expect(b).toMatchObject({ device: 'wasm', requested });
      expect(b.reason).toMatch(/^WebGPU is unavailable: no WebGPU adapter/);
    }
    await client.dispose();
  }, 180_000);
});
