/**
 * Invariances and exact special values of the losses (lightly's style of loss tests), on
 * every backend present. Inputs are small seeded random matrices.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  alignment, barlowTwinsLoss, byolLoss, dinoLoss, infoNceLoss, knnPredict, ntXentLoss, simSiamLoss, sinkhorn,
  swavLoss, uniformity, vicregLoss,
} from '../../../src-main/ml/losses';
import { BACKENDS, useBackend } from './backends';
import { expectClose, permutation, permuteRows, randn, scalar } from './helpers';

/** Positive per-row scales in [0.1, 10), as an [N, 1] column. */
function rowScales(n: number, seed: number): tf.Tensor2D {
  return tf.exp(tf.randomUniform([n, 1], Math.log(0.1), Math.log(10), 'float32', seed));
}

describe.each(BACKENDS)('loss invariances on %s', (backend) => {
  let baseline = 0;
  beforeAll(() => useBackend(backend));
  beforeEach(() => (baseline = tf.memory().numTensors));
  afterEach(() => expect(tf.memory().numTensors, 'tensors leaked by the test').toBe(baseline));

  it('NT-Xent: symmetric in (z1, z2), invariant to a common row permutation and to row scaling', () => tf.tidy(() => {
    const z1 = randn(8, 16, 1), z2 = randn(8, 16, 2), perm = permutation(8, 3);
    const base = scalar(() => ntXentLoss(z1, z2, 0.5));
    expectClose(scalar(() => ntXentLoss(z2, z1, 0.5)), base);
    expectClose(scalar(() => ntXentLoss(permuteRows(z1, perm), permuteRows(z2, perm), 0.5)), base);
    expectClose(scalar(() => ntXentLoss(tf.mul(z1, rowScales(8, 4)), tf.mul(z2, 7), 0.5)), base);
    // Positives that agree beat random pairs.
    expect(scalar(() => ntXentLoss(z1, tf.add(z1, tf.mul(0.01, z2)), 0.5))).toBeLessThan(base);
  }));

  it('InfoNCE: invariant to queue order, a common batch permutation and row scaling', () => tf.tidy(() => {
    const q = randn(6, 16, 5), k = randn(6, 16, 6), queue = randn(20, 16, 7), perm = permutation(6, 8);
    const base = scalar(() => infoNceLoss(q, k, queue, 0.2));
    expectClose(scalar(() => infoNceLoss(q, k, permuteRows(queue, permutation(20, 9)), 0.2)), base);
    expectClose(scalar(() => infoNceLoss(permuteRows(q, perm), permuteRows(k, perm), queue, 0.2)), base);
    expectClose(scalar(() => infoNceLoss(tf.mul(q, rowScales(6, 10)), tf.mul(k, 3), tf.mul(queue, rowScales(20, 11)), 0.2)), base);
    // A one-key queue equal to the positive key: two equal logits, so the loss is exactly log 2.
    const q0 = tf.slice(q, [0, 0], [1, 16]) as tf.Tensor2D, k0 = tf.slice(k, [0, 0], [1, 16]) as tf.Tensor2D;
    expectClose(scalar(() => infoNceLoss(q0, k0, k0, 0.2)), Math.LN2);
    // Queue = the first query, τ = 1: loss_i = log(e + e^{cos(q_i, q_0)}) − 1.
    expectClose(scalar(() => infoNceLoss(q, q, tf.slice(q, [0, 0], [1, 16]), 1)), scalar(() => {
      const qn = tf.div(q, tf.norm(q, 2, 1, true));
      const s = tf.sum(tf.mul(qn, tf.slice(qn, [0, 0], [1, 16])), 1);
      return tf.mean(tf.sub(tf.log(tf.add(Math.E, tf.exp(s))), 1));
    }));
  }));

  it('BYOL and SimSiam: scale-invariant, byol = 2 + 2·simSiam, zero / −1 for parallel inputs', () => tf.tidy(() => {
    const p = randn(8, 16, 12), z = randn(8, 16, 13);
    const simsiam = scalar(() => simSiamLoss(p, z));
    expectClose(scalar(() => byolLoss(p, z)), 2 + 2 * simsiam);
    expectClose(scalar(() => byolLoss(tf.mul(p, rowScales(8, 14)), tf.mul(z, 0.01))), 2 + 2 * simsiam);
    expectClose(scalar(() => simSiamLoss(tf.mul(p, 50), z)), simsiam);
    expect(Math.abs(scalar(() => byolLoss(z, tf.mul(z, rowScales(8, 15)))))).toBeLessThan(1e-6);
    expectClose(scalar(() => simSiamLoss(z, tf.mul(z, 3))), -1);
    expectClose(scalar(() => byolLoss(z, tf.neg(z))), 4);
  }));

  it('Barlow Twins: invariant to per-dimension affine rescaling, row order and swapping branches', () => tf.tidy(() => {
    const z1 = randn(16, 8, 16), z2 = randn(16, 8, 17), perm = permutation(16, 18);
    const base = scalar(() => barlowTwinsLoss(z1, z2, 0.005));
    const scale = tf.randomUniform([1, 8], 0.5, 2, 'float32', 19), shift = randn(1, 8, 20);
    // Only eps = 1e-5 against a variance of about 1 separates these: 1e-4 relative is ample.
    expectClose(scalar(() => barlowTwinsLoss(tf.add(tf.mul(z1, scale), shift), z2, 0.005)), base, 1e-4);
    expectClose(scalar(() => barlowTwinsLoss(permuteRows(z1, perm), permuteRows(z2, perm), 0.005)), base);
    expectClose(scalar(() => barlowTwinsLoss(z2, z1, 0.005)), base);
    // Identical branches: C_ii = var/(var + eps) ≈ 1, so the invariance term vanishes.
    expect(scalar(() => barlowTwinsLoss(z1, z1, 0))).toBeLessThan(1e-6);
  }));

  it('VICReg: zero invariance for equal branches, hinge at std 1, shift-invariant covariance', () => tf.tidy(() => {
    const z1 = randn(16, 8, 21), z2 = randn(16, 8, 22), perm = permutation(16, 23);
    expect(scalar(() => vicregLoss(z1, z1, 1, 0, 0))).toBe(0);
    expect(scalar(() => vicregLoss(tf.mul(z1, 10), tf.mul(z2, 10), 0, 1, 0))).toBe(0);
    // Collapsed rows: every std is sqrt(1e-4) = 0.01, so the hinge is 0.99 per branch.
    const collapsed = tf.tile(tf.slice(z1, [0, 0], [1, 8]), [16, 1]) as tf.Tensor2D;
    expectClose(scalar(() => vicregLoss(collapsed, collapsed, 0, 1, 0)), 0.99);
    expectClose(scalar(() => vicregLoss(tf.add(z1, 5), tf.sub(z2, 3), 0, 0, 1)), scalar(() => vicregLoss(z1, z2, 0, 0, 1)), 1e-4);
    const base = scalar(() => vicregLoss(z1, z2, 25, 25, 1));
    expectClose(scalar(() => vicregLoss(permuteRows(z1, perm), permuteRows(z2, perm), 25, 25, 1)), base);
  }));

  it('DINO: centering shifts the teacher, per-row shifts of logits do nothing, minimum at agreement', () => tf.tidy(() => {
    const s = randn(6, 10, 24), t = randn(6, 10, 25), c = tf.squeeze(randn(1, 10, 26)) as tf.Tensor1D;
    const zero = tf.zeros([10]) as tf.Tensor1D;
    const base = scalar(() => dinoLoss(s, t, c, 0.1, 0.04));
    expectClose(scalar(() => dinoLoss(s, tf.add(t, c), c, 0.1, 0.04)), scalar(() => dinoLoss(s, t, zero, 0.1, 0.04)));
    expectClose(scalar(() => dinoLoss(tf.add(s, randn(6, 1, 27)), tf.add(t, randn(6, 1, 28)), c, 0.1, 0.04)), base, 1e-4);
    // With equal temperatures, H(q, p) ≥ H(q) with equality at p = q.
    const atTarget = scalar(() => dinoLoss(tf.sub(t, c), t, c, 0.1, 0.1));
    expect(atTarget).toBeLessThan(scalar(() => dinoLoss(s, t, c, 0.1, 0.1)));
    expectClose(atTarget, scalar(() => {
      const q = tf.softmax(tf.div(tf.sub(t, c), 0.1));
      return tf.mean(tf.neg(tf.sum(tf.mul(q, tf.log(q)), 1)));
    }), 1e-4);
  }));

  it('Sinkhorn: rows sum to 1, columns to B/K once converged, shift-invariant', () => tf.tidy(() => {
    for (const [b, k] of [[12, 5], [6, 10]]) {
      const scores = tf.tanh(randn(b, k, 29 + b));
      const codes = sinkhorn(scores, 0.05, 3);
      expect(codes.shape).toEqual([b, k]);
      expect(tf.min(codes).dataSync()[0]).toBeGreaterThanOrEqual(0);
      for (const r of tf.sum(codes, 1).dataSync()) expectClose(r, 1, 1e-5);
      const converged = sinkhorn(scores, 0.05, 300);
      for (const col of tf.sum(converged, 0).dataSync()) expectClose(col, b / k, 1e-3);
      const shifted = sinkhorn(tf.add(scores, 0.3), 0.05, 3);
      expect(tf.max(tf.abs(tf.sub(shifted, codes))).dataSync()[0]).toBeLessThan(1e-5);
    }
  }));

  it('SwAV: symmetric in the two views', () => tf.tidy(() => {
    const s1 = tf.tanh(randn(8, 6, 31)), s2 = tf.tanh(randn(8, 6, 32));
    expectClose(scalar(() => swavLoss(s2, s1, 0.1, 0.05, 3)), scalar(() => swavLoss(s1, s2, 0.1, 0.05, 3)));
  }));

  it('alignment and uniformity: exact values for identical, orthogonal and antipodal points', () => tf.tidy(() => {
    const z1 = randn(8, 16, 33), z2 = randn(8, 16, 34);
    expect(scalar(() => alignment(z1, tf.mul(z1, rowScales(8, 35)), 2))).toBeLessThan(1e-6);
    // On the sphere ‖x − y‖² = 2 − 2cos, so alignment with α = 2 is BYOL's loss.
    expectClose(scalar(() => alignment(z1, z2, 2)), scalar(() => byolLoss(z1, z2)));
    expectClose(scalar(() => alignment(z1, tf.neg(z1), 1)), 2);
    // Orthonormal rows: every pair at squared distance 2, so uniformity = −2t exactly.
    expectClose(scalar(() => uniformity(tf.mul(tf.eye(8, 16), 3), 2)), -4, 1e-5);
    expect(Math.abs(scalar(() => uniformity(tf.ones([5, 16]), 2)))).toBeLessThan(1e-6);
    const clustered = tf.add(tf.mul(tf.ones([8, 16]), 3), tf.mul(0.3, z1)) as tf.Tensor2D;
    expect(scalar(() => uniformity(z1, 2))).toBeLessThan(scalar(() => uniformity(clustered, 2)));
    expectClose(scalar(() => uniformity(tf.mul(z1, rowScales(8, 36)), 2)), scalar(() => uniformity(z1, 2)));
  }));

  it('knnPredict: 100% on clearly clustered data, k clamped to N, float labels cast', () => tf.tidy(() => {
    const classes = 4, perClass = 10, d = 16;
    const centers = tf.mul(tf.eye(classes, d), 10);
    const labelsOf = (n: number) => Array.from({ length: classes * n }, (_, i) => i % classes);
    const sample = (n: number, seed: number) =>
      tf.add(tf.gather(centers, tf.tensor1d(labelsOf(n), 'int32')), randn(classes * n, d, seed)) as tf.Tensor2D;
    const train = sample(perClass, 37), test = sample(5, 38);
    const trainLabels = tf.tensor1d(labelsOf(perClass), 'int32');
    const predicted = knnPredict(train, trainLabels, test, classes, 5, 0.1);
    expect(predicted.dtype).toBe('int32');
    expect(Array.from(predicted.dataSync())).toEqual(labelsOf(5));
    const clamped = knnPredict(train, tf.cast(trainLabels, 'float32') as tf.Tensor1D, test, classes, 1000, 0.1);
    expect(Array.from(clamped.dataSync())).toEqual(labelsOf(5));
  }));

  it('bad arguments get errors that name the function, the argument and the reason', () => tf.tidy(() => {
    const a = randn(4, 8, 39), b = randn(4, 7, 40);
    expect(() => ntXentLoss(a, b, 0.5)).toThrow(/ntXentLoss: z1 and z2 must have the same shape, got \[4, 8\] and \[4, 7\]/);
    expect(() => ntXentLoss(a, a, 0)).toThrow(/ntXentLoss: temperature must be a finite number > 0, got 0/);
    expect(() => infoNceLoss(a, a, b, 0.5)).toThrow(/infoNceLoss: queue rows must have 8 features/);
    expect(() => barlowTwinsLoss(tf.slice(a, [0, 0], [1, 8]), tf.slice(a, [0, 0], [1, 8]), 0.005)).toThrow(/at least 2 rows/);
    expect(() => dinoLoss(a, a, tf.zeros([7]) as tf.Tensor1D, 0.1, 0.04)).toThrow(/dinoLoss: center must be a 1-D tensor of 8 values/);
    expect(() => sinkhorn(a, 0.05, 0)).toThrow(/sinkhorn: iterations must be an integer ≥ 1, got 0/);
    expect(() => knnPredict(a, tf.tensor1d([0, 1, 2], 'int32'), a, 3, 2, 0.1)).toThrow(/knnPredict: trainLabels must be a 1-D tensor of 4 labels/);
    expect(() => byolLoss(tf.zeros([8]) as unknown as tf.Tensor2D, a)).toThrow(/byolLoss: p must be a 2-D tensor/);
  }));
});
