/**
 * SwAV (Caron et al. 2020). Follows facebookresearch/swav main_swav.py (the training loop) and
 * solo-learn methods/swav.py with its cifar/swav.yaml defaults: projector Linear 2048 → BN →
 * ReLU → Linear 128, L2-normalised, then 3,000 prototypes L2-normalised before every step;
 * codes of the 2 global crops by Sinkhorn-Knopp (ε 0.05, 3 iterations) over a queue of past
 * global embeddings and the batch, predicted from every other crop (swapped prediction, τ 0.1);
 * prototypes get no update in the first epoch; LARS lr 0.6, weight decay 1e-6, η 0.02.
 *
 * Deliberate differences:
 * - Multi-crop 2 + 6 (preset swav-cifar; solo-learn's cifar recipe has 2 crops, the paper 2 + 6).
 * - The queue (two queues of `queueSize` rows, one per global crop, as main_swav.py; solo-learn
 *   cifar: 3,840) is filled every step from the start and used from epoch `queueStartEpoch`
 *   (solo-learn: 50 of 1,000 epochs; ours 1, once the first epoch has filled it), never longer
 *   than the train split (fitToData records the cap); queueSize 0 disables it. The Sinkhorn
 *   codes over queue and batch run off the gradient tape (losses/swav.ts), so the
 *   [3,968 × 3,000] intermediates are freed at once instead of being kept for the backward pass.
 * - Prototypes frozen for `freezePrototypesEpochs` epochs (main_swav.py: freeze_prototypes_niters
 *   313 ≈ one ImageNet epoch at batch 4,096; solo-learn cifar: 2 of 1,000 epochs; ours 1).
 * Metrics: `global` and `local`, the parts of the loss predicted from the other global crop and
 * from the local crops (they sum to the loss), and `codes_entropy`, the mean entropy of the codes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { normalizePrototypes, prototypesHead, Queue } from '../blocks';
import { bnTwoLayer, mlpHead, trainableVariables } from '../heads/mlp';
import { l2Normalize, stopGradient, swappedPrediction, swavCodes } from '../losses';
import { withoutGradients } from '../train/gradients';
import { forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import { checkTemperature } from './pair';
import type { MethodDefinition, Params } from './types';

/** Assigned (global) crops: main_swav.py's crops_for_assign [0, 1]. */
const ASSIGNED = 2;

function nonNegativeInt(p: Params, key: string): number {
  const v = num(p, key);
  if (!Number.isInteger(v) || v < 0) throw new Error(`option ${key} must be an integer ≥ 0, got ${v}`);
  return v;
}

export const swav: MethodDefinition = {
  name: 'swav',
  summary: 'online clustering: swapped prediction of Sinkhorn codes over prototypes, multi-crop',
  reference: 'Caron et al., Unsupervised Learning of Visual Features by Contrasting Cluster Assignments (NeurIPS 2020)',
  preset: 'swav',
  params: {
    projHidden: 2048,
    projOut: 128,
    prototypes: 3000,
    temperature: 0.1,
    epsilon: 0.05,
    sinkhornIterations: 3,
    queueSize: 3840,
    queueStartEpoch: 1,
    freezePrototypesEpochs: 1,
  },
  train: larsDefaults(0.6, 1e-6),
  validate(p, t) {
    checkTemperature(num(p, 'temperature'));
    checkTemperature(num(p, 'epsilon'), 'epsilon');
    positiveInt(p, 'prototypes');
    positiveInt(p, 'sinkhornIterations');
    nonNegativeInt(p, 'queueStartEpoch');
    nonNegativeInt(p, 'freezePrototypesEpochs');
    const q = nonNegativeInt(p, 'queueSize');
    if (q > 0 && q < t.batch) throw new Error(`option queueSize (${q}) must be 0 (no queue) or at least the batch size (${t.batch})`);
  },
  fitToData(p, trainImages) {
    const q = nonNegativeInt(p, 'queueSize');
    if (q <= trainImages) return { params: p, notes: [] };
    return { params: { ...p, queueSize: trainImages }, notes: [`queueSize ${trainImages}: the train split's size (asked ${q}; a longer queue repeats images)`] };
  },
  build(makeBackbone, featureDim, p, _classes, data) {
    const out = positiveInt(p, 'projOut');
    const [temperature, epsilon, iterations] = [num(p, 'temperature'), num(p, 'epsilon'), positiveInt(p, 'sinkhornIterations')];
    const backbone = makeBackbone();
    const projector = mlpHead('swav-projector', featureDim, bnTwoLayer(positiveInt(p, 'projHidden'), out));
    const prototypes = prototypesHead('swav-prototypes', out, positiveInt(p, 'prototypes'));
    const size = Math.min(nonNegativeInt(p, 'queueSize'), data.trainIndices.length || Infinity);
    const queues = size > 0 ? [0, 1].map((i) => new Queue(size, out, 1200 + i)) : [];
    const useQueue = (epoch: number) => queues.length > 0 && epoch >= num(p, 'queueStartEpoch');
    let enqueue: tf.Tensor2D[] = [];
    return defineModel(
      { backbone, heads: { projector, prototypes }, blocks: Object.fromEntries(queues.map((q, i) => [`queue${i}`, q])) },
      {
        // Before each step, outside the tape: prototypes normalised, then the queue's scores.
        targets: ({ epoch }) => {
          normalizePrototypes(prototypes);
          return useQueue(epoch) ? queues.map((q) => tf.tidy(() => forward(q.rows, prototypes))) : [];
        },
        loss: ({ views }, queueScores) => {
          const z = views.map((v) => l2Normalize(forward(v, backbone, projector)));
          const scores = z.map((zi) => forward(zi, prototypes));
          const codes = scores.slice(0, ASSIGNED).map((s, i) => swavCodes(s, (queueScores[i] as tf.Tensor2D | undefined) ?? null, epsilon, iterations));
          const loss = swappedPrediction(codes, scores, temperature);
          const global = tf.div(swappedPrediction(codes, scores.slice(0, ASSIGNED), temperature), (views.length - 1) / (ASSIGNED - 1));
          const entropy = tf.mean(tf.stack(codes.map((c) => tf.neg(tf.mean(tf.sum(tf.mul(c, tf.log(tf.maximum(c, 1e-12))), 1))))));
          enqueue = z.slice(0, ASSIGNED).map((zi) => tf.keep(stopGradient(zi)));
          return { loss, metrics: { global: global as tf.Scalar, local: tf.sub(loss, global) as tf.Scalar, codes_entropy: entropy as tf.Scalar } };
        },
        beforeApply: (grads, { epoch }) =>
          epoch < num(p, 'freezePrototypesEpochs') ? withoutGradients(grads, trainableVariables(prototypes)) : grads,
        afterStep: () => {
          queues.forEach((q, i) => q.push(enqueue[i]!));
          tf.dispose(enqueue);
          enqueue = [];
        },
      },
    );
  },
};
