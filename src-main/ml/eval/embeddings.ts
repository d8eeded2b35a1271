/**
 * Backbone features (pre-projector, as the field evaluates: SimCLR §4, solo-learn's
 * `backbone_features`) of a set of images, in inference mode (batch-norm running statistics),
 * normalised exactly as in training (per-channel mean/std of the train split), without
 * augmentation. Pure: a backbone and pixels in, an Embeddings set out. tasks/embeddings.ts
 * resolves a run's encoder and data and caches the result in the workspace.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Control } from '../../core/control';
import { CancelledError } from '../../core/errors';
import type { Split } from '../../core/types';
import type { ChannelStats } from '../augment';
import { forEachBatch, type PixelSource } from './embed';

export interface Embeddings {
  runId: string;
  epoch: number;
  split: Split;
  dim: number;
  count: number;
  /** count × dim, row-major. */
  features: Float32Array;
  /** Dataset item index of each row. */
  indices: Int32Array;
  /** Label of each row; −1 when unlabelled. */
  labels: Int32Array;
}

/** Images per forward pass: bounds activation memory (a 32-px ResNet-18 batch of 256 is ~0.3 GB). */
const BATCH = 256;

/** Features of the images `idx` of `data` through `backbone`, with progress per batch; not cached. */
export async function embedRows(
  backbone: tfl.LayersModel,
  data: PixelSource & { labels: ArrayLike<number> },
  idx: readonly number[],
  stats: ChannelStats,
  key: { runId: string; epoch: number; split: Split },
  ctl: Control = {},
): Promise<Embeddings> {
  const dim = backbone.outputs[0]!.shape[1] as number;
  const features = new Float32Array(idx.length * dim);
  ctl.progress?.start(`embed ${key.runId} ${key.split}`, idx.length, 'img');
  await forEachBatch(
    backbone,
    data,
    idx,
    stats,
    BATCH,
    async (out, start, count) => {
      try {
        features.set((await out.data()) as Float32Array, start * dim);
      } finally {
        out.dispose();
      }
      ctl.progress?.update(start + count);
    },
    () => {
      if (ctl.signal?.aborted) throw new CancelledError();
    },
  );
  ctl.progress?.finish();
  return {
    ...key,
    dim,
    count: idx.length,
    features,
    indices: Int32Array.from(idx),
    labels: Int32Array.from(idx, (i) => data.labels[i]!),
  };
}
