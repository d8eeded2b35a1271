/** The lean BatchNorm layer against tf.layers' batchNormalization (+ ReLU) on the cpu backend. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { BatchNorm } from '../../../src-main/ml/backbones/batchNorm';
import { useBackend } from '../../../src-main/ml/backend';
import { relErr, seeded } from '../backend/helpers';

async function compare(relu: boolean) {
  await useBackend('cpu');
  const shape = [6, 5, 4, 3];
  const ours = new BatchNorm({ relu });
  const ref = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
  ours.apply(tfl.input({ shape: shape.slice(1) }));
  ref.apply(tfl.input({ shape: shape.slice(1) }));
  const gamma = tf.tensor1d(seeded(3, 1));
  const beta = tf.tensor1d(seeded(3, 2));
  const zeros = tf.zeros([3]);
  const ones = tf.ones([3]);
  ours.setWeights([gamma, beta, zeros, ones]);
  ref.setWeights([gamma, beta, zeros, ones]);
  const before = tf.memory().numTensors;
  const x = tf.tensor4d(seeded(6 * 5 * 4 * 3, 3), shape as [number, number, number, number]);
  const g = tf.tensor4d(seeded(6 * 5 * 4 * 3, 4), shape as [number, number, number, number]);
  const run = (layer: tfl.layers.Layer, withRelu: boolean) => {
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const f = (xi: tf.Tensor) => {
      const y = layer.apply(xi, { training: true }) as tf.Tensor;
      return withRelu ? tf.relu(y) : y;
    };
    const y = tf.tidy(() => f(x));
    const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi), g)))(x);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(f(x), g)), vars);
    return { y, dx, grads: vars.map((v) => grads[v.name]!), value, dispose: () => tf.dispose([y, dx, value, ...Object.values(grads)]) };
  };
  const a = run(ours, false);
  const b = run(ref, relu);
  expect(relErr(await a.y.data(), await b.y.data())).toBeLessThanOrEqual(1e-5);
  expect(relErr(await a.dx.data(), await b.dx.data())).toBeLessThanOrEqual(1e-5);
  for (let i = 0; i < 2; i++) expect(relErr(await a.grads[i]!.data(), await b.grads[i]!.data())).toBeLessThanOrEqual(1e-5);
  // Three training calls each: running mean as tf.layers; running variance unbiased (PyTorch).
  const [mMean, mVar] = [ours.getWeights()[2]!, ours.getWeights()[3]!];
  const rMean = ref.getWeights()[2]!;
  expect(relErr(await mMean.data(), await rMean.data())).toBeLessThanOrEqual(1e-5);
  const n = 6 * 5 * 4;
  const moments = tf.moments(x, [0, 1, 2]);
  const batchVar = moments.variance;
  // After 3 updates from 1 with momentum 0.1 and the same batch: v = 0.9³·1 + (1 − 0.9³)·unbiased.
  const expected = tf.tidy(() => tf.add(tf.mul(batchVar, (1 - 0.9 ** 3) * (n / (n - 1))), 0.9 ** 3));
  expect(relErr(await mVar.data(), await expected.data())).toBeLessThanOrEqual(1e-5);
  a.dispose();
  b.dispose();
  tf.dispose([x, g, moments.mean, batchVar, expected]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([gamma, beta, zeros, ones]);
  ours.dispose();
  ref.dispose();
}

describe('BatchNorm (lean, PyTorch semantics)', () => {
  it('on [x, shortcut]: relu(bn(x) + shortcut), gradients to both inputs as tf.layers', async () => {
    await useBackend('cpu');
    const ours = new BatchNorm({ relu: true });
    const ref = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
    ours.apply([tfl.input({ shape: [3, 4, 2] }), tfl.input({ shape: [3, 4, 2] })]);
    ref.apply(tfl.input({ shape: [3, 4, 2] }));
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(seeded(5 * 3 * 4 * 2, 30), [5, 3, 4, 2]);
    const s = tf.tensor4d(seeded(5 * 3 * 4 * 2, 31), [5, 3, 4, 2]);
    const g = tf.tensor4d(seeded(5 * 3 * 4 * 2, 32), [5, 3, 4, 2]);
    const f1 = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ours.apply([a, b], { training: true }) as tf.Tensor, g));
    const f2 = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.add(ref.apply(a, { training: true }) as tf.Tensor, b)), g));
    const [ga, gb] = tf.grads(f1)([x, s]);
    const [ra, rb] = tf.grads(f2)([x, s]);
    expect(relErr(await ga!.data(), await ra!.data())).toBeLessThanOrEqual(1e-5);
    expect(relErr(await gb!.data(), await rb!.data())).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, s, g, ga!, gb!, ra!, rb!]);
    expect(tf.memory().numTensors).toBe(before);
    ours.dispose();
    ref.dispose();
  });

  it('equals tf.layers batchNormalization: output, gradients, running mean', () => compare(false));
  it('fused with ReLU equals batchNormalization → relu', () => compare(true));

  it('inference uses the running statistics', async () => {
    await useBackend('cpu');
    const bn = new BatchNorm({ relu: true });
    bn.apply(tfl.input({ shape: [2, 2, 2] }));
    bn.setWeights([tf.tensor1d([2, 1]), tf.tensor1d([0, -1]), tf.tensor1d([1, 0]), tf.tensor1d([4, 1])]);
    const y = bn.apply(tf.ones([1, 2, 2, 2]), { training: false }) as tf.Tensor;
    const v = await y.data();
    expect(v[0]).toBeCloseTo(0, 5); // (1−1)/2·2 + 0
    expect(v[1]).toBeCloseTo(0, 5); // relu((1−0)/1·1 − 1) = 0
    y.dispose();
    bn.dispose();
  });
});
