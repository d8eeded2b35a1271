import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyWeights, emaUpdate } from '../../../src-main/ml/train/ema';
import { cosineMomentum, warmupCosineLr } from '../../../src-main/ml/train/schedule';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('warmup + cosine learning rate', () => {
  const s = { baseLr: 0.4, totalSteps: 100, warmupSteps: 10, warmupStartLr: 0.004, minLr: 0 };

  it('ramps linearly from warmupStartLr to baseLr at step warmupSteps − 1 (pl_bolts closed form)', () => {
    expect(warmupCosineLr(0, s)).toBeCloseTo(0.004, 12);
    expect(warmupCosineLr(9, s)).toBeCloseTo(0.4, 12);
    expect(warmupCosineLr(5, s)).toBeCloseTo(0.004 + (5 * (0.4 - 0.004)) / 9, 12);
  });

  it('then follows a half cosine to minLr at totalSteps', () => {
    expect(warmupCosineLr(10, s)).toBeCloseTo(0.4, 12);
    expect(warmupCosineLr(55, s)).toBeCloseTo(0.2, 12);
    expect(warmupCosineLr(100, s)).toBeCloseTo(0, 12);
    expect(warmupCosineLr(1000, s)).toBeCloseTo(0, 12);
    for (let k = 11; k <= 100; k++) expect(warmupCosineLr(k, s)).toBeLessThanOrEqual(warmupCosineLr(k - 1, s));
  });

  it('without warm-up starts at baseLr', () => {
    expect(warmupCosineLr(0, { baseLr: 1, totalSteps: 10, warmupSteps: 0 })).toBe(1);
  });
});

describe('BYOL target momentum', () => {
  it('goes from τ_base to 1 on a cosine', () => {
    expect(cosineMomentum(0, 1000, 0.99)).toBeCloseTo(0.99, 12);
    expect(cosineMomentum(500, 1000, 0.99)).toBeCloseTo(0.995, 12);
    expect(cosineMomentum(1000, 1000, 0.99)).toBeCloseTo(1, 12);
  });
});

describe('EMA of weights', () => {
  it('target ← τ·target + (1 − τ)·online, without leaking tensors', async () => {
    const online = [tf.tidy(() => tf.variable(tf.tensor([1, 2, 3])))];
    const target = [tf.tidy(() => tf.variable(tf.tensor([3, 2, 1])))];
    const before = tf.memory().numTensors;
    emaUpdate(online, target, 0.75);
    expect(Array.from(await target[0]!.data())).toEqual([2.5, 2, 1.5]);
    copyWeights(online, target);
    expect(Array.from(await target[0]!.data())).toEqual([1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...online, ...target]);
  });

  it('rejects mismatched networks', () => {
    const a = [tf.tidy(() => tf.variable(tf.zeros([2])))];
    const b = [tf.tidy(() => tf.variable(tf.zeros([3])))];
    expect(() => emaUpdate(a, b, 0.9)).toThrow(/shape mismatch/);
    expect(() => emaUpdate(a, [], 0.9)).toThrow(/online has 1 variables, target 0/);
    tf.dispose([...a, ...b]);
  });
});
