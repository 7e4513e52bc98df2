/**
 * The image tower of a multimodal model (jina-clip's `vision_model*.onnx`): loaded on the first image, apart
 * from the text tower and its tokenizer, then fed `pixel_values` built by `image-preprocess.ts`.
 */

import { AutoImageProcessor, JinaCLIPVisionModel, Tensor } from '@huggingface/transformers';
import type { PreTrainedModel } from '@huggingface/transformers';
import type { ImageEmbedResult, ImageItem, LocalModelSpec, ProgressEvent } from '../engine-protocol.js';
import { normalizeInPlace } from '../vector-math.js';
import { decodeImage } from './image-decode.js';
import { clipPixelValues, pixelPlan, type PixelPlan, type ProcessorFields } from './image-preprocess.js';
import { loadError, progressAggregator } from './model-loader.js';
import { RunQueue } from './run-queue.js';

interface LoadedVision {
  model: PreTrainedModel;
  plan: PixelPlan;
}

/** Images per session run: the tower's cost is per image, so bigger batches only save per-run overhead. */
const BATCH = 8;

/** Load the image tower and read its preprocessing from `preprocessor_config.json`. */
async function loadVision(spec: LocalModelSpec, onProgress?: (e: ProgressEvent) => void): Promise<LoadedVision> {
  const vision = spec.vision!;
  const progress_callback = progressAggregator(spec.id, onProgress);
  const common = { revision: spec.revision, progress_callback };
  try {
    const [processor, model] = await Promise.all([
      AutoImageProcessor.from_pretrained(spec.repo, common),
      JinaCLIPVisionModel.from_pretrained(spec.repo, {
        ...common, dtype: vision.dtype, device: spec.device, model_file_name: vision.modelFileName,
      }),
    ]);
    progress_callback({ status: 'ready', file: '' });
    return { model, plan: pixelPlan(processor as unknown as ProcessorFields) };
  } catch (cause) {
    throw await loadError(spec, cause);
  }
}

/** The image towers one engine has loaded, each with its own run queue. */
export class VisionTowers {
  private readonly slots = new Map<string, { loading: Promise<LoadedVision>; queue: RunQueue }>();

  constructor(private readonly hooks: { onProgress: () => ((e: ProgressEvent) => void) | undefined; onLoad: () => void }) {}

  /** Load a tower once per (repo, revision, file, dtype, device); a failed load is forgotten so the next call retries. */
  private slot(spec: LocalModelSpec) {
    const v = spec.vision!;
    const key = `${spec.repo}@${spec.revision}:${v.modelFileName}:${v.dtype}:${spec.device}`;
    let slot = this.slots.get(key);
    if (!slot) {
      this.hooks.onLoad();
      const loading = loadVision(spec, this.hooks.onProgress());
      slot = { loading, queue: new RunQueue() };
      this.slots.set(key, slot);
      loading.catch(() => this.slots.delete(key));
    }
    return slot;
  }

  /** Decode, preprocess and embed `items` in batches; vectors come back unit length, in item order. */
  async embed(spec: LocalModelSpec, items: ImageItem[]): Promise<ImageEmbedResult> {
    if (!spec.vision) throw new Error(`${spec.id} has no image tower`);
    const { loading, queue } = this.slot(spec);
    const { model, plan } = await loading;
    const vectors = new Float32Array(items.length * spec.dims);
    const perImage = 3 * plan.cropWidth * plan.cropHeight;
    for (let start = 0; start < items.length; start += BATCH) {
      const batch = items.slice(start, start + BATCH);
      // One image decoded at a time: a 4000×3000 photo is 48 MB of RGBA.
      const pixels = new Float32Array(batch.length * perImage);
      for (let i = 0; i < batch.length; i++) {
        const { data, width, height } = await decodeImage(batch[i]);
        clipPixelValues(data, width, height, plan, pixels, i * perImage);
      }
      await queue.run(() => this.run(model, spec, pixels, [batch.length, 3, plan.cropHeight, plan.cropWidth], vectors, start));
    }
    return { vectors, dims: spec.dims };
  }

  private async run(
    model: PreTrainedModel, spec: LocalModelSpec, pixels: Float32Array, dims: number[], out: Float32Array, first: number,
  ): Promise<void> {
    const result = await model({ pixel_values: new Tensor('float32', pixels, dims) });
    const output = result[spec.vision!.output] as Tensor | undefined;
    if (!output) throw new Error(`${spec.id}'s image tower produced no '${spec.vision!.output}' output`);
    const data = output.data as Float32Array;
    const width = output.dims[output.dims.length - 1];
    if (width !== spec.dims) {
      throw new Error(`${spec.id}'s image tower produced ${width}-d vectors, but its catalogue row says ${spec.dims}: fix the row.`);
    }
    for (let row = 0; row < dims[0]; row++) {
      out.set(normalizeInPlace(data.slice(row * width, (row + 1) * width)), (first + row) * width);
    }
    for (const t of Object.values(result)) (t as Tensor).dispose?.();
  }
}
