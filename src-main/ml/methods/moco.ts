/**
 * MoCo v2 (Chen et al. 2020, facebookresearch/moco; solo-learn methods/mocov2plus.py): a
 * query encoder and a momentum key encoder, InfoNCE against a queue of past keys. As in
 * solo-learn's mocov2plus the loss is symmetrised over the two views, each view with its own
 * queue. Defaults from solo-learn's scripts/pretrain/cifar/mocov2plus.yaml: projector 2048 → 256
 * (Linear → ReLU → Linear), temperature 0.2, key-encoder momentum τ from 0.99 to 0.999 on a
 * cosine over the run's steps (solo/utils/momentum.py MomentumUpdater, as BYOL), queue 32,768,
 * SGD lr 0.3, weight decay 1e-4. A queue longer than the train split would keep the random
 * initial rows (and repeated keys) for good: resolveTrainConfigs (tasks/trainConfig.ts) caps
 * queueSize at the number of training images and the resolved config records the size used.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mlpHead, twoLayer } from '../heads/mlp';
import { Queue } from '../blocks';
import { infoNceLoss, l2Normalize } from '../losses';
import { cosineMomentum } from '../train/schedule';
import { MomentumPair, forward, num, positiveInt, sgdDefaults } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';

export const moco: MethodDefinition = {
  name: 'moco',
  summary: 'contrastive with a momentum encoder and a queue of negatives (MoCo v2)',
  reference: 'Chen et al., Improved Baselines with Momentum Contrastive Learning (2020)',
  preset: 'mocov2plus',
  params: { projHidden: 2048, projOut: 256, temperature: 0.2, queueSize: 32768, tau: 0.99, finalTau: 0.999 },
  train: sgdDefaults(0.3, 1e-4),
  validate(p, t) {
    if (num(p, 'temperature') <= 0) throw new Error('option temperature must be > 0');
    const tau = num(p, 'tau');
    const final = num(p, 'finalTau');
    if (!(tau >= 0 && tau <= final && final <= 1)) throw new Error('options need 0 ≤ tau ≤ finalTau ≤ 1');
    if (positiveInt(p, 'queueSize') < t.batch) throw new Error(`option queueSize (${p['queueSize']}) must be at least the batch size (${t.batch})`);
  },
  build(makeBackbone, featureDim, p) {
    const hidden = positiveInt(p, 'projHidden');
    const out = positiveInt(p, 'projOut');
    const queueSize = positiveInt(p, 'queueSize');
    const temperature = num(p, 'temperature');
    const backbone = makeBackbone();
    const projector = mlpHead('moco-projector', featureDim, twoLayer(hidden, out));
    const keyBackbone = makeBackbone();
    const keyProjector = mlpHead('moco-key-projector', featureDim, twoLayer(hidden, out));
    const pair = new MomentumPair([backbone, projector], [keyBackbone, keyProjector]);
    // As the official code: random unit vectors fill the queues at the start.
    const queues = [0, 1].map((i) => new Queue(queueSize, out, 1000 + i));
    return defineModel(
      { backbone, heads: { projector }, copies: { keyBackbone, keyProjector }, blocks: { queue0: queues[0]!, queue1: queues[1]! } },
      {
        targets: ({ views }) => views.slice(0, 2).map((v) => tf.tidy(() => l2Normalize(pair.targetForward(v)))),
        loss: ({ views }, [k1, k2]) => {
          const q1 = forward(views[0]!, backbone, projector);
          const q2 = forward(views[1]!, backbone, projector);
          const l1 = infoNceLoss(q1, k2 as tf.Tensor2D, queues[1]!.rows, temperature);
          const l2 = infoNceLoss(q2, k1 as tf.Tensor2D, queues[0]!.rows, temperature);
          return { loss: tf.div(tf.add(l1, l2), 2) };
        },
        afterStep: ({ step, totalSteps }, keys) => {
          pair.update(cosineMomentum(step, totalSteps, num(p, 'tau'), num(p, 'finalTau')));
          // Enqueue the newest keys, dequeue the oldest: the queue keeps the last K keys.
          queues.forEach((q, i) => q.push(keys[i] as tf.Tensor2D));
        },
      },
    );
  },
};
