/**
 * Backbone features (pre-projector, as the field evaluates) of a set of images, computed in
 * inference mode (batch-norm running statistics) in batches, without augmentation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { tick } from '../../core/control';
import { normalize, toUnitFloat, type ChannelStats } from '../augment';

/**
 * What evaluation runs images through: a backbone, or a method's evaluated encoder
 * (ml/methods/evaluation.ts featureNet: the backbone and some of a head's layers).
 */
export type FeatureNet = Pick<tfl.LayersModel, 'apply'>;

export interface PixelSource {
  pixels: Uint8Array;
  size: number;
  channels: number;
}

/** Copies the rows `indices` of a uint8 NHWC array into one contiguous batch. */
export function gatherPixels(src: PixelSource, indices: readonly number[]): Uint8Array {
  const per = src.size * src.size * src.channels;
  const out = new Uint8Array(indices.length * per);
  indices.forEach((idx, i) => out.set(src.pixels.subarray(idx * per, (idx + 1) * per), i * per));
  return out;
}

/**
 * Runs the images `indices` through the backbone in batches (inference mode, normalised with
 * `stats`) and hands each batch's features [count, D] to `use`, which owns (disposes or keeps)
 * the tensor; `check` runs before each batch (cancellation), and the event loop gets a turn
 * after each.
 */
export async function forEachBatch(
  backbone: FeatureNet,
  src: PixelSource,
  indices: readonly number[],
  stats: ChannelStats,
  batch: number,
  use: (features: tf.Tensor2D, start: number, count: number) => Promise<void> | void,
  check: () => void = () => {},
): Promise<void> {
  for (let start = 0; start < indices.length; start += batch) {
    check();
    const chunk = indices.slice(start, start + batch);
    const pixels = gatherPixels(src, chunk);
    const out = tf.tidy(() => {
      const x = normalize(toUnitFloat({ pixels, shape: [chunk.length, src.size, src.size, src.channels] }), stats);
      return backbone.apply(x, { training: false }) as tf.Tensor2D;
    });
    await use(out, start, chunk.length);
    await tick();
  }
}

/** Features [indices.length, D] of the images `indices`, as a tensor the caller disposes. */
export async function embed(
  backbone: FeatureNet,
  src: PixelSource,
  indices: readonly number[],
  stats: ChannelStats,
  batch = 256,
): Promise<tf.Tensor2D> {
  const parts: tf.Tensor2D[] = [];
  try {
    await forEachBatch(backbone, src, indices, stats, batch, (features) => {
      parts.push(features);
    });
    return parts.length === 1 ? parts[0]! : tf.tidy(() => tf.concat(parts, 0));
  } finally {
    if (parts.length > 1) tf.dispose(parts);
  }
}
