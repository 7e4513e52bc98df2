/**
 * CLIP image preprocessing on decoded RGBA bytes, as the Python reference does it (torchvision `Resize` of the
 * shortest edge on a PIL image, `CenterCrop`, `ToTensor`, `Normalize`): PIL's antialiased bicubic in 8-bit
 * fixed point, only for the pixels the centre crop keeps. Pure: no DOM, runs in Node for its tests.
 */

/** What a model's image processor asks for, read from its `preprocessor_config.json`. */
export interface PixelPlan {
  /** Resize so the shorter side is this long, keeping the aspect ratio. */
  shortestEdge: number;
  cropWidth: number;
  cropHeight: number;
  filter: 'bicubic' | 'bilinear';
  /** Multiplier applied to 0..255 before normalizing (1/255), or 1 when the processor does not rescale. */
  rescale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** The fields of a transformers.js `ImageProcessor` that `pixelPlan` reads. */
export interface ProcessorFields {
  size?: number | { shortest_edge?: number; longest_edge?: number; width?: number; height?: number };
  crop_size?: number | { width: number; height: number };
  do_center_crop?: boolean;
  resample?: number;
  do_rescale?: boolean;
  rescale_factor?: number;
  do_normalize?: boolean;
  image_mean?: number | number[];
  image_std?: number | number[];
}

const triple = (v: number | number[] | undefined, fallback: number): [number, number, number] =>
  Array.isArray(v) ? [v[0], v[1], v[2]] : [v ?? fallback, v ?? fallback, v ?? fallback];

/**
 * Turn an image processor's settings into a plan, or throw when they ask for something other than
 * shortest-edge resize + centre crop (jina-clip's `resize_mode: "shortest"`, OpenAI CLIP's processor).
 */
export function pixelPlan(p: ProcessorFields): PixelPlan {
  const size = p.size;
  const shortestEdge = typeof size === 'number' ? size : size?.shortest_edge;
  if (shortestEdge === undefined || (typeof size === 'object' && size.longest_edge !== undefined)) {
    throw new Error(`unsupported image processor size ${JSON.stringify(size)}: only a shortest edge is implemented`);
  }
  const crop = p.do_center_crop === false ? shortestEdge : p.crop_size ?? shortestEdge;
  const [cropWidth, cropHeight] = typeof crop === 'number' ? [crop, crop] : [crop.width, crop.height];
  const normalize = p.do_normalize !== false;
  return {
    shortestEdge, cropWidth, cropHeight,
    // transformers.js (and PIL) number filters: 2 bilinear, 3 bicubic.
    filter: p.resample === 2 ? 'bilinear' : 'bicubic',
    rescale: p.do_rescale === false ? 1 : p.rescale_factor ?? 1 / 255,
    mean: normalize ? triple(p.image_mean, 0.5) : [0, 0, 0],
    std: normalize ? triple(p.image_std, 0.5) : [1, 1, 1],
  };
}

/** Return torchvision's `Resize(n)` output size: the short side becomes `n`, the long side `floor(n × long / short)`. */
export function resizedSize(width: number, height: number, shortest: number): { width: number; height: number } {
  if (width <= height) return { width: shortest, height: Math.floor((shortest * height) / width) };
  return { width: Math.floor((shortest * width) / height), height: shortest };
}

/**
 * Return torchvision's `CenterCrop` offset: `int(round((size - crop) / 2))`, Python rounding half to even; a
 * crop larger than the image pads `(crop - size) // 2` before it (a negative offset).
 */
export function cropOffset(size: number, crop: number): number {
  if (crop > size) return -Math.floor((crop - size) / 2);
  const half = (size - crop) / 2;
  const floor = Math.floor(half);
  if (half - floor !== 0.5) return Math.round(half);
  return floor % 2 === 0 ? floor : floor + 1;
}

const FILTERS = {
  // PIL's bicubic (a = -0.5) and triangle filters, with their supports.
  bicubic: {
    support: 2,
    weight(x: number): number {
      const a = -0.5;
      x = Math.abs(x);
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  bilinear: { support: 1, weight: (x: number) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
} as const;

/** PIL's fixed point for 8-bit images: coefficients are scaled by 2^22. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** The taps of one resampled axis: output `i` reads `count[i]` inputs from `first[i]` with `weights[i * taps ...]`. */
interface Taps {
  first: Int32Array;
  count: Int32Array;
  weights: Int32Array;
  taps: number;
}

/** PIL's `precompute_coeffs` + `normalize_coeffs_8bpc` for resizing `inSize` to `outSize` (antialiased when shrinking). */
function axisTaps(inSize: number, outSize: number, filter: PixelPlan['filter']): Taps {
  const { support: base, weight } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = base * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const k = new Float64Array(taps);
  const ss = 1 / filterScale;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const min = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - min;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += k[j] = weight((j + min - center + 0.5) * ss);
    for (let j = 0; j < n; j++) {
      const w = sum !== 0 ? k[j] / sum : k[j];
      weights[i * taps + j] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    first[i] = min;
    count[i] = n;
  }
  return { first, count, weights, taps };
}

const clip8 = (acc: number) => {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * Resize RGBA `src` (`width × height`) so its shortest edge is `plan.shortestEdge`, keep the centre
 * `cropWidth × cropHeight`, rescale and normalize into `out` at `offset` as CHW float32 (`pixel_values`).
 * Alpha is dropped, as PIL's `convert('RGB')` does. Pixels a crop larger than the image would need are 0.
 */
export function clipPixelValues(
  src: Uint8Array | Uint8ClampedArray, width: number, height: number, plan: PixelPlan, out: Float32Array, offset = 0,
): void {
  if (src.length < width * height * 4) throw new RangeError(`RGBA data is ${src.length} bytes, not ${width}x${height}x4`);
  const size = resizedSize(width, height, plan.shortestEdge);
  const cw = plan.cropWidth, ch = plan.cropHeight;
  const left = cropOffset(size.width, cw), top = cropOffset(size.height, ch);
  // The output columns and rows the crop keeps, clamped to the resized image.
  const x0 = Math.max(left, 0), x1 = Math.min(left + cw, size.width);
  const y0 = Math.max(top, 0), y1 = Math.min(top + ch, size.height);
  const cols = Math.max(x1 - x0, 0), rows = Math.max(y1 - y0, 0);

  // 1. Which input rows the vertical pass reads (all of them when the height does not change).
  const vTaps = size.height !== height ? axisTaps(height, size.height, plan.filter) : undefined;
  const rowFirst = vTaps && rows ? vTaps.first[y0] : y0;
  const rowLast = vTaps && rows
    ? Math.max(...Array.from({ length: rows }, (_, r) => vTaps.first[y0 + r] + vTaps.count[y0 + r]))
    : y0 + rows;

  // 2. Horizontal pass over those rows, kept columns only → RGB uint8 (PIL rounds between passes).
  const midRows = rowLast - rowFirst;
  const mid = new Uint8Array(Math.max(midRows * cols * 3, 0));
  if (size.width !== width) {
    const { first, count, weights, taps } = axisTaps(width, size.width, plan.filter);
    for (let y = 0; y < midRows; y++) {
      const rowBase = (rowFirst + y) * width * 4;
      for (let x = 0; x < cols; x++) {
        const o = x0 + x, f = first[o], n = count[o], wb = o * taps;
        let r = HALF, g = HALF, b = HALF;
        for (let j = 0; j < n; j++) {
          const w = weights[wb + j], p = rowBase + (f + j) * 4;
          r += src[p] * w; g += src[p + 1] * w; b += src[p + 2] * w;
        }
        const m = (y * cols + x) * 3;
        mid[m] = clip8(r); mid[m + 1] = clip8(g); mid[m + 2] = clip8(b);
      }
    }
  } else {
    for (let y = 0; y < midRows; y++) {
      for (let x = 0; x < cols; x++) {
        const p = ((rowFirst + y) * width + x0 + x) * 4, m = (y * cols + x) * 3;
        mid[m] = src[p]; mid[m + 1] = src[p + 1]; mid[m + 2] = src[p + 2];
      }
    }
  }

  // 3. Vertical pass into the crop, then rescale and normalize per channel (CHW).
  const plane = cw * ch;
  const scale = plan.rescale;
  const lut = [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => (v * scale - plan.mean[c]) / plan.std[c]));
  for (let c = 0; c < 3; c++) out.fill(lut[c][0], offset + c * plane, offset + (c + 1) * plane);
  for (let y = 0; y < rows; y++) {
    const dst = (y0 - top + y) * cw + (x0 - left);
    for (let x = 0; x < cols; x++) {
      let r: number, g: number, b: number;
      if (vTaps) {
        const o = y0 + y, f = vTaps.first[o] - rowFirst, n = vTaps.count[o], wb = o * vTaps.taps;
        r = HALF; g = HALF; b = HALF;
        for (let j = 0; j < n; j++) {
          const w = vTaps.weights[wb + j], m = ((f + j) * cols + x) * 3;
          r += mid[m] * w; g += mid[m + 1] * w; b += mid[m + 2] * w;
        }
        r = clip8(r); g = clip8(g); b = clip8(b);
      } else {
        const m = (y * cols + x) * 3;
        r = mid[m]; g = mid[m + 1]; b = mid[m + 2];
      }
      out[offset + dst + x] = lut[0][r];
      out[offset + plane + dst + x] = lut[1][g];
      out[offset + 2 * plane + dst + x] = lut[2][b];
    }
  }
}
