/**
 * DeepCluster v2 (Caron et al., "Unsupervised Learning of Visual Features by Contrasting Cluster
 * Assignments", NeurIPS 2020; facebookresearch/swav main_deepclusterv2.py; solo-learn
 * solo/methods/deepclusterv2.py, whose one-process form this follows). A projector to a unit
 * vector z, several sets of prototypes (linear layers without bias, never trained by the
 * optimiser); at each epoch's start (onEpochStart) k-means on the hypersphere clusters the
 * memory of the last epoch's projections (blocks/kmeans.ts: set i clusters view i mod 2, 10
 * iterations), each set's prototypes become its centroids and each image gets an assignment per
 * set; the loss is the mean over sets of the cross-entropy of both views' prototype scores / τ
 * to the image's assignment (losses/deepcluster.ts); after each step the batch's projections
 * are written to the memory.
 * Defaults from solo-learn's cifar/deepclusterv2.yaml: projector Linear → BN → ReLU → Linear,
 * 2048 → 128, three sets of 3,000 prototypes, τ 0.1, LARS lr 0.6, weight decay 1e-6, η 0.02,
 * bias and norm excluded, batch 256, 11 warm-up epochs, symmetric.yaml views ('simclr' preset).
 * Deliberate differences: k is sized to the dataset: min(numPrototypes, numPrototypes · n /
 * 50,000), at least 2 (CIFAR-10's 50,000 images per 3,000 prototypes); the centroids start
 * from a seeded draw. As in solo-learn, the first epoch has no assignments (all ignored: loss
 * 0 here, NaN there, no gradient either way): it fills the memory (swav's init_memory pass).
 */
import * as tf from '@tensorflow/tfjs-core';
import { PretextError } from '../../core/errors';
import { deriveSeed } from '../../core/rng';
import { ClusterMemory } from '../blocks';
import { bnTwoLayer, mlpHead } from '../heads/mlp';
import { deepClusterLoss, l2Normalize, stopGradient } from '../losses';
import { forward, larsDefaults, num, positiveInt } from './common';
import { defineModel } from './model';
import { checkTemperature } from './pair';
import type { MethodDefinition } from './types';

export const deepclusterv2: MethodDefinition = {
  name: 'deepclusterv2',
  summary: 'k-means on last epoch’s projections, prototypes from the centroids',
  reference: 'Caron et al., Unsupervised Learning of Visual Features by Contrasting Cluster Assignments (NeurIPS 2020), DeepCluster v2; code: github.com/facebookresearch/swav',
  preset: 'simclr',
  params: { projHidden: 2048, projOut: 128, numPrototypes: 3000, prototypeSets: 3, temperature: 0.1, kmeansIters: 10 },
  train: { ...larsDefaults(0.6, 1e-6), warmupEpochs: 11 },
  validate(p) {
    checkTemperature(num(p, 'temperature'));
    positiveInt(p, 'numPrototypes');
    positiveInt(p, 'prototypeSets');
    positiveInt(p, 'kmeansIters');
  },
  build(makeBackbone, featureDim, p, _classes, data) {
    const n = data.trainIndices.length;
    if (n < 2) throw new PretextError('deepclusterv2 needs the train split to build its memory');
    const out = positiveInt(p, 'projOut');
    const temperature = num(p, 'temperature');
    const want = positiveInt(p, 'numPrototypes');
    const k = Math.min(want, Math.max(2, Math.round((want * n) / 50000)));
    const sets = positiveInt(p, 'prototypeSets');
    const rowOf = new Map(data.trainIndices.map((idx, row) => [idx, row]));
    const backbone = makeBackbone();
    const projector = mlpHead('deepclusterv2-projector', featureDim, bnTwoLayer(positiveInt(p, 'projHidden'), out));
    const memory = new ClusterMemory(n, 2, out, 1400);
    // Prototypes: unit rows [k, D], set from the centroids at each epoch's start (no gradient).
    const prototypes = Array.from({ length: sets }, (_, i) => tf.tidy(() => tf.variable(l2Normalize(tf.randomNormal([k, out], 0, 1, 'float32', 1410 + i)), false)));
    let assignments: Int32Array[] = Array.from({ length: sets }, () => new Int32Array(n).fill(-1));
    let pending: { rows: tf.Tensor1D; z: tf.Tensor2D[]; epoch: number } | null = null;
    return defineModel(
      { backbone, heads: { projector }, buffers: Object.fromEntries(prototypes.map((v, i) => [`prototypes${i}`, v])), blocks: { memory } },
      {
        onEpochStart: ({ epoch, seed }) => {
          if (epoch === 0) {
            assignments = assignments.map((a) => a.fill(-1));
            return;
          }
          const r = memory.cluster(epoch - 1, Array(sets).fill(k), positiveInt(p, 'kmeansIters'), (i) => deriveSeed(seed, 8, epoch, i));
          assignments = r.assignments;
          r.centroids.forEach((c, i) => prototypes[i]!.assign(c));
          tf.dispose(r.centroids);
        },
        loss: (input) => {
          const rowIds = Array.from(input.indices.dataSync(), (i) => rowOf.get(i) ?? -1);
          if (rowIds.some((r) => r < 0)) throw new Error('deepclusterv2: a batch image outside the train split');
          const rows = tf.tensor1d(Int32Array.from(rowIds), 'int32');
          const z = input.views.slice(0, 2).map((v) => l2Normalize(forward(v, backbone, projector)));
          const terms = prototypes.map((c, i) => {
            const target = tf.tensor1d(Int32Array.from(rowIds, (r) => assignments[i]![r]!), 'int32');
            const scores = tf.concat(z.map((zv) => tf.matMul(zv, c, false, true)), 0) as tf.Tensor2D;
            return deepClusterLoss(scores, tf.concat([target, target]) as tf.Tensor1D, temperature);
          });
          pending = { rows: tf.keep(rows), z: z.map((zv) => tf.keep(stopGradient(zv))), epoch: input.epoch };
          return { loss: tf.div(tf.addN(terms), sets) as tf.Scalar };
        },
        afterStep: () => {
          if (!pending) return;
          memory.write(pending.rows, pending.epoch, pending.z);
          tf.dispose([pending.rows, ...pending.z]);
          pending = null;
        },
      },
    );
  },
};
