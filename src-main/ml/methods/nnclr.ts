/**
 * NNCLR (Dwibedi et al. 2021; solo-learn methods/nnclr.py): SimCLR's contrast with each image's
 * nearest neighbour in a support set of past projections as the positive, and a predictor on
 * the other branch. Loss ½ nnclr(nn(z1), p2) + ½ nnclr(nn(z2), p1); after each step the first
 * view's projections are enqueued. Defaults from solo-learn's cifar/nnclr.yaml: projector
 * 2048 → 256 (three layers, BN on each), predictor 4096, τ 0.2, LARS lr 0.4, weight decay
 * 1e-5; the support set is 98,304 (the paper's) or the train split, the smaller.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SupportSet } from '../blocks';
import { bnTwoLayer, mlpHead, type HeadBlock } from '../heads/mlp';
import { nnclrLoss, stopGradient } from '../losses';
import { forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import { checkTemperature } from './pair';
import type { MethodDefinition } from './types';

/** solo-learn's NNCLR projector: Linear → BN → ReLU → Linear → BN → ReLU → Linear → BN. */
const projectorBlocks = (hidden: number, out: number): HeadBlock[] => [
  { out: hidden, batchNorm: true, relu: true },
  { out: hidden, batchNorm: true, relu: true },
  { out, batchNorm: true, relu: false },
];

export const nnclr: MethodDefinition = {
  name: 'nnclr',
  summary: 'contrastive with the nearest neighbour from a support set as the positive',
  reference: 'Dwibedi et al., With a Little Help from My Friends: Nearest-Neighbor Contrastive Learning (ICCV 2021)',
  preset: 'simclr',
  params: { projHidden: 2048, projOut: 256, predHidden: 4096, temperature: 0.2, queueSize: 98304 },
  train: larsDefaults(0.4, 1e-5),
  validate(p, t) {
    checkTemperature(num(p, 'temperature'));
    if (positiveInt(p, 'queueSize') < t.batch) throw new Error(`option queueSize (${p['queueSize']}) must be at least the batch size (${t.batch})`);
  },
  build(makeBackbone, featureDim, p, _classes, data) {
    const out = positiveInt(p, 'projOut');
    const temperature = num(p, 'temperature');
    const backbone = makeBackbone();
    const projector = mlpHead('nnclr-projector', featureDim, projectorBlocks(positiveInt(p, 'projHidden'), out));
    const predictor = mlpHead('nnclr-predictor', out, bnTwoLayer(positiveInt(p, 'predHidden'), out));
    const size = Math.min(positiveInt(p, 'queueSize'), data.trainIndices.length || Infinity);
    const support = new SupportSet(size, out, 1100);
    let enqueue: tf.Tensor2D | null = null;
    return defineModel(
      { backbone, heads: { projector, predictor }, blocks: { support } },
      {
        loss: ({ views }) => {
          const z1 = forward(views[0]!, backbone, projector);
          const z2 = forward(views[1]!, backbone, projector);
          const p1 = forward(z1, predictor);
          const p2 = forward(z2, predictor);
          // The neighbours are rows of the support set: no gradient reaches them.
          const loss = tf.add(tf.div(nnclrLoss(support.nearest(z1), p2, temperature), 2), tf.div(nnclrLoss(support.nearest(z2), p1, temperature), 2));
          enqueue = tf.keep(stopGradient(z1));
          return { loss: loss as tf.Scalar };
        },
        afterStep: () => {
          if (!enqueue) return;
          support.add(enqueue);
          enqueue.dispose();
          enqueue = null;
        },
      },
    );
  },
};
