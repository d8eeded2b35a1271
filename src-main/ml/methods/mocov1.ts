/**
 * MoCo v1 (He, Fan, Wu, Xie, Girshick, "Momentum Contrast for Unsupervised Visual Representation
 * Learning", CVPR 2020; facebookresearch/moco main_moco.py without --mlp/--aug-plus/--cos, and
 * moco/builder.py). A query encoder (backbone + linear head to 128) and a key encoder that
 * follows it by momentum 0.999; InfoNCE of each query against its key and a queue of past keys
 * (losses/moco.ts), τ 0.07, one direction (im_q against im_k, as builder.py); the batch's keys
 * are enqueued after the step. SGD lr 0.03, momentum 0.9, weight decay 1e-4, batch 256. Views:
 * main_moco.py's v1 augmentation (crop scale 0.2–1, grayscale 0.2, colour jitter 0.4 on all four
 * with no random apply, flip, no blur): the same as instdisc's.
 *
 * Shuffled batch norm (builder.py `_batch_shuffle_ddp`) on one device: there each GPU's BN sees
 * its own sub-batch, and the key encoder's batch is shuffled across GPUs first, so a query and
 * its key never share batch statistics and the model cannot find the positive through them.
 * Here the query encoder runs on `shuffleGroups` contiguous sub-batches (one per emulated GPU),
 * and the key encoder on the same number of sub-batches of a seeded permutation of the batch,
 * unpermuted afterwards: each sub-batch's BN uses its own statistics, as each GPU's would.
 *
 * Deliberate differences: the queue is 65,536 as the paper's, capped at the train split (fitToData:
 * the run's resolved config records min(queueSize, train images)); the lr follows the trainer's cosine (v1 steps ×0.1 at epochs 120 and 160); each
 * emulated GPU's BN running statistics are updated in turn (there, each GPU keeps its own).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '../../core/rng';
import { Queue } from '../blocks';
import { mlpHead } from '../heads/mlp';
import { infoNceLoss, l2Normalize } from '../losses';
import { MomentumPair, forward, num, positiveInt, sgdDefaults, stepSeed } from './common';
import { instdiscView } from './instdisc';
import { moco } from './moco';
import { defineModel } from './model';
import { checkTemperature, linearHead } from './pair';
import type { MethodDefinition, StepInput } from './types';

/** x [B, ...] through `models` on `groups` contiguous sub-batches, each with its own BN statistics. */
function perGroup(x: tf.Tensor, groups: number, models: tfl.LayersModel[]): tf.Tensor2D {
  const size = x.shape[0] / groups;
  const parts = Array.from({ length: groups }, (_, g) => forward(tf.slice(x, g * size, size), ...models));
  return tf.concat(parts, 0);
}

/** A seeded permutation of 0..n−1 and its inverse. */
function permutation(n: number, seed: number): { perm: Int32Array; inverse: Int32Array } {
  const rng = new Rng(seed);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const inverse = new Int32Array(n);
  perm.forEach((p, i) => (inverse[p] = i));
  return { perm, inverse };
}

export const mocov1: MethodDefinition = {
  name: 'mocov1',
  summary: 'the original MoCo: linear head, queue of keys, shuffled batch norm',
  reference: 'He et al., Momentum Contrast for Unsupervised Visual Representation Learning (CVPR 2020); code: github.com/facebookresearch/moco',
  preset: (size) => [instdiscView(size, 'view-1'), instdiscView(size, 'view-2')],
  params: { projOut: 128, temperature: 0.07, queueSize: 65536, tau: 0.999, shuffleGroups: 4 },
  train: sgdDefaults(0.03, 1e-4, 0),
  // The queue capped at the train split, with runs.preview's note: MoCo v2's rule.
  fitToData: (p, trainImages) => moco.fitToData!(p, trainImages),
  validate(p, t) {
    checkTemperature(num(p, 'temperature'));
    const tau = num(p, 'tau');
    if (!(tau >= 0 && tau <= 1)) throw new Error('option tau must be in [0, 1]');
    if (positiveInt(p, 'queueSize') < t.batch) throw new Error(`option queueSize (${p['queueSize']}) must be at least the batch size (${t.batch})`);
    const groups = positiveInt(p, 'shuffleGroups');
    if (t.batch % groups !== 0 || t.batch / groups < 2) {
      throw new Error(`option shuffleGroups (${groups}) must divide the batch (${t.batch}) into sub-batches of at least 2`);
    }
  },
  build(makeBackbone, featureDim, p, _classes, data) {
    const out = positiveInt(p, 'projOut');
    const temperature = num(p, 'temperature');
    const groups = positiveInt(p, 'shuffleGroups');
    const queueSize = Math.min(positiveInt(p, 'queueSize'), data.trainIndices.length || Infinity);
    const backbone = makeBackbone();
    const head = mlpHead('mocov1-head', featureDim, linearHead(out));
    const keyBackbone = makeBackbone();
    const keyHead = mlpHead('mocov1-key-head', featureDim, linearHead(out));
    const pair = new MomentumPair([backbone, head], [keyBackbone, keyHead]);
    const queue = new Queue(queueSize, out, 1300);
    const keys = (input: StepInput): tf.Tensor2D =>
      tf.tidy(() => {
        const x = input.views[1]!;
        const { perm, inverse } = permutation(x.shape[0], stepSeed(input));
        const shuffled = perGroup(tf.gather(x, tf.tensor1d(perm, 'int32')), groups, pair.target);
        return l2Normalize(tf.gather(shuffled, tf.tensor1d(inverse, 'int32')));
      });
    return defineModel(
      { backbone, heads: { head }, copies: { keyBackbone, keyHead }, blocks: { queue } },
      {
        targets: (input) => [keys(input)],
        loss: ({ views }, [k]) => ({ loss: infoNceLoss(perGroup(views[0]!, groups, [backbone, head]), k as tf.Tensor2D, queue.rows, temperature) }),
        afterStep: (_input, [k]) => {
          pair.update(num(p, 'tau'));
          queue.push(k as tf.Tensor2D);
        },
      },
    );
  },
};
