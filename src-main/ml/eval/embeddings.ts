/**
 * Backbone features (pre-projector, as the field evaluates: SimCLR §4, solo-learn's
 * `backbone_features`) of a run's dataset split, in inference mode (batch-norm running
 * statistics), normalised exactly as in training (per-channel mean/std of the train split),
 * without augmentation.
 *
 * `runEmbeddings` caches them in the workspace keyed by (run, epoch, split) — store/embeddings.ts:
 * a file under runs/<id>/embeddings/ and a row in `embeddings`; a second call reads the file.
 * `encoderEmbeddings` computes them for any encoder (the random-init baseline) without caching.
 */
import { noSuch } from '../../core/errors';
import * as tf from '@tensorflow/tfjs-core';
import { normalize, toUnitFloat } from '../augment';
import { gatherPixels } from './embed';
import { checkpointEpoch, encoderData, loadEncoder, type Encoder } from './encoder';
import { tick, type Control } from '../../core/control';
import { CancelledError, PretextError } from '../../core/errors';
import type { Split } from '../../core/types';
import { loadCachedEmbeddings, saveEmbeddings } from '../../store/embeddings';
import { getRun } from '../../store/runs';
import type { Workspace } from '../../store/workspace';

/** What every long evaluation function takes: the cancel signal and a progress sink. */
export type EvalControl = Control;

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

/** Features of every image of `split` through the encoder's backbone; not cached. */
export async function encoderEmbeddings(enc: Encoder, ws: Workspace, split: Split, ctl: EvalControl = {}): Promise<Embeddings> {
  const data = encoderData(enc, ws);
  const idx = split === 'train' ? data.trainIdx : data.testIdx;
  if (idx.length === 0) throw new PretextError(`dataset ${enc.dataset.id} (${enc.dataset.name}) has no ${split} split`);
  const dim = enc.backbone.outputs[0]!.shape[1] as number;
  const features = new Float32Array(idx.length * dim);
  ctl.progress?.start(`embed ${enc.runId} ${split}`, idx.length, 'img');
  for (let start = 0; start < idx.length; start += BATCH) {
    if (ctl.signal?.aborted) throw new CancelledError();
    const chunk = idx.slice(start, start + BATCH);
    const pixels = gatherPixels(data, chunk);
    const out = tf.tidy(() => {
      const x = normalize(toUnitFloat({ pixels, shape: [chunk.length, data.size, data.size, data.channels] }), enc.stats);
      return enc.backbone.apply(x, { training: false }) as tf.Tensor2D;
    });
    try {
      features.set((await out.data()) as Float32Array, start * dim);
    } finally {
      out.dispose();
    }
    ctl.progress?.update(start + chunk.length);
    await tick();
  }
  ctl.progress?.finish();
  return {
    runId: enc.runId,
    epoch: enc.epoch,
    split,
    dim,
    count: idx.length,
    features,
    indices: Int32Array.from(idx),
    labels: Int32Array.from(idx, (i) => data.labels[i]!),
  };
}

/**
 * The run's features of `split` at its latest checkpoint, from the workspace cache when they are
 * there, else computed (progress per batch) and cached.
 */
export async function runEmbeddings(ws: Workspace, runId: string, split: Split, ctl: EvalControl = {}): Promise<Embeddings> {
  if (!getRun(ws, runId)) throw noSuch('run', runId);
  const epoch = checkpointEpoch(ws, runId);
  if (epoch === undefined) throw new PretextError(`run ${runId} has no checkpoint yet (train it first)`);
  const cached = loadCachedEmbeddings(ws, runId, epoch, split);
  if (cached) return cached;
  const enc = await loadEncoder(ws, runId);
  try {
    const t0 = performance.now();
    const e = await encoderEmbeddings(enc, ws, split, ctl);
    saveEmbeddings(ws, e, (performance.now() - t0) / 1000);
    return e;
  } finally {
    enc.dispose();
  }
}
