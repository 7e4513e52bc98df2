import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipPixelValues, cropOffset, pixelPlan, resizedSize, type PixelPlan } from '../../src/worker/image-preprocess.js';

interface PilCase {
  width: number; height: number; shortestEdge: number; cropWidth: number; cropHeight: number;
  filter: PixelPlan['filter']; rgb: number[];
}
const pil = JSON.parse(readFileSync(resolve(import.meta.dirname, 'fixtures/pil-resize.json'), 'utf8')) as { cases: PilCase[] };

/** The pixels make-pil-resize.py generates, as RGBA. */
function generated(w: number, h: number): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) rgba[(y * w + x) * 4 + c] = (x * 37 + y * 91 + c * 53 + ((x * y) % 17)) % 256;
      rgba[(y * w + x) * 4 + 3] = 255;
    }
  }
  return rgba;
}

/** A plan that leaves 0..255 as is, so outputs compare with PIL's bytes. */
const raw = (c: PilCase): PixelPlan => ({
  shortestEdge: c.shortestEdge, cropWidth: c.cropWidth, cropHeight: c.cropHeight, filter: c.filter,
  rescale: 1, mean: [0, 0, 0], std: [1, 1, 1],
});

describe('CLIP image preprocessing', () => {
  it.each(pil.cases.map((c) => [`${c.width}x${c.height} → ${c.shortestEdge} ${c.filter}, crop ${c.cropWidth}`, c] as const))(
    'resizes and centre-crops %s exactly as PIL + torchvision do', (_, c) => {
      const out = new Float32Array(3 * c.cropWidth * c.cropHeight);
      clipPixelValues(generated(c.width, c.height), c.width, c.height, raw(c), out);
      const plane = c.cropWidth * c.cropHeight;
      const hwc = Array.from({ length: plane * 3 }, (_, i) => out[(i % 3) * plane + Math.floor(i / 3)]);
      expect(hwc).toEqual(c.rgb);
    });

  it('computes torchvision sizes and offsets (floor of the long side, round half to even)', () => {
    expect(resizedSize(4000, 3000, 224)).toEqual({ width: 298, height: 224 });
    expect(resizedSize(3000, 4000, 224)).toEqual({ width: 224, height: 298 });
    expect(resizedSize(256, 224, 224)).toEqual({ width: 256, height: 224 });
    expect([cropOffset(298, 224), cropOffset(299, 224), cropOffset(297, 224), cropOffset(224, 224)]).toEqual([37, 38, 36, 0]);
    expect(cropOffset(10, 13)).toBe(-1);
  });

  it('rescales and normalizes with the CLIP mean and std into CHW', () => {
    const plan = pixelPlan({
      size: { shortest_edge: 2 }, crop_size: 2, do_center_crop: true, resample: 3, do_rescale: true,
      rescale_factor: 1 / 255, do_normalize: true,
      image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711],
    });
    const rgba = new Uint8Array([255, 0, 128, 255, 0, 0, 0, 255, 10, 20, 30, 0, 1, 2, 3, 255]);
    const out = new Float32Array(12);
    clipPixelValues(rgba, 2, 2, plan, out);
    const expected = [255, 0, 10, 1, 0, 0, 20, 2, 128, 0, 30, 3].map((v, i) => {
      const c = Math.floor(i / 4);
      return Math.fround((v / 255 - plan.mean[c]) / plan.std[c]);
    });
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it("reads jina-clip's processor as transformers.js builds it, and refuses sizes it does not implement", () => {
    expect(pixelPlan({ size: { shortest_edge: 224 }, crop_size: 224, resample: 3, image_mean: [0.5, 0.5, 0.5], image_std: 0.5 }))
      .toMatchObject({ shortestEdge: 224, cropWidth: 224, cropHeight: 224, filter: 'bicubic', rescale: 1 / 255 });
    expect(() => pixelPlan({ size: { longest_edge: 224 } })).toThrow(/shortest edge/);
    expect(() => pixelPlan({ size: { width: 224, height: 224 } })).toThrow(/shortest edge/);
  });
});
