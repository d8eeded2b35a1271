/**
 * MoCo v2 (Chen et al. 2020, facebookresearch/moco; solo-learn methods/mocov2plus.py): a
 * query encoder and a momentum key encoder, InfoNCE against a queue of past keys. As in
 * solo-learn's mocov2plus the loss is symmetrised over the two views, each view with its own
 * queue. Defaults from solo-learn's scripts/pretrain/cifar/mocov2plus.yaml: projector
 * 2048 → 256 (Linear → ReLU → Linear), τ 0.2, key-encoder momentum 0.99 → 0.999 on a cosine
 * over the run (base_tau / final_tau, solo-learn's MomentumUpdater), queue 32,768, SGD lr 0.3,
 * weight decay 1e-4. The queue is never longer than the train split (fitToData: on a split of
 * N < 32,768 images it holds N keys, and the resolved config records N): a longer queue would
 * hold several keys of one image, stale ones among them, as negatives. A config stored before
 * finalTau existed keeps its constant τ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mlpHead, twoLayer } from '../heads/mlp';
import { Queue } from '../blocks';
import { infoNceLoss, l2Normalize } from '../losses';
import { MomentumPair, forward, num, positiveInt, sgdDefaults } from './common';
import { defineModel } from './model';
import type { MethodDefinition } from './types';
import { cosineMomentum } from '../train/schedule';

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
    if (!(tau >= 0 && tau <= 1)) throw new Error('option tau must be in [0, 1]');
    if (p['finalTau'] !== undefined && !(num(p, 'finalTau') >= tau && num(p, 'finalTau') <= 1)) throw new Error(`option finalTau must be in [tau, 1], got ${p['finalTau']}`);
    if (positiveInt(p, 'queueSize') < t.batch) throw new Error(`option queueSize (${p['queueSize']}) must be at least the batch size (${t.batch})`);
  },
  fitToData(p, trainImages) {
    const q = positiveInt(p, 'queueSize');
    if (q <= trainImages) return { params: p, notes: [] };
    return { params: { ...p, queueSize: trainImages }, notes: [`queueSize ${trainImages}: the train split's size (asked ${q}; a longer queue repeats images)`] };
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
          pair.update(cosineMomentum(step, totalSteps, num(p, 'tau'), p['finalTau'] === undefined ? num(p, 'tau') : num(p, 'finalTau')));
          // Enqueue the newest keys, dequeue the oldest: the queue keeps the last K keys.
          queues.forEach((q, i) => q.push(keys[i] as tf.Tensor2D));
        },
      },
    );
  },
};
