import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { resnet } from '../../../src-main/ml/backbones/resnet';
import { vit } from '../../../src-main/ml/backbones/vit';
import { vitHeadOf, vitPooled } from '../../../src-main/ml/backbones/vitParts';
import { spatialFeatures, spatialShape } from '../../../src-main/ml/backbones/spatial';

const maxAbs = (t: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => maxAbs(tf.sub(a, b)));

beforeAll(async () => {
  await useBackend('cpu');
});

describe('spatialFeatures', () => {
  it('ResNet: the map before global pooling, whose mean is the pooled output; gradients reach the backbone', () => {
    const m = resnet('small', { size: 16, channels: 3, width: 0.25, seed: 1 });
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const map = spatialFeatures(m, x);
    expect(map.shape).toEqual([2, ...spatialShape(m)]);
    const pooled = m.predict(x) as tf.Tensor;
    const mean = tf.mean(map, [1, 2]);
    expect(maxDiff(mean, pooled)).toBeLessThan(1e-5);
    tf.dispose([map, pooled, mean]);
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(spatialFeatures(m, x, true))) as tf.Scalar, vars);
    const first = grads[vars[0]!.name]!;
    expect(maxAbs(first)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
    x.dispose();
  });

  it('ViT: the patch tokens on their grid; their mean, normed, is the mean-pooled output', () => {
    const m = vit('vit-mini', { size: 28, channels: 1, width: 0.5 });
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 4);
    const map = spatialFeatures(m, x);
    const [h, w, d] = spatialShape(m);
    expect(map.shape).toEqual([2, h, w, d]);
    expect(h).toBe(w);
    const pooled = vitPooled(m, x, 'mean');
    expect(pooled.shape).toEqual([2, d]);
    // The map's tokens are the ones vitPooled averages before the final norm.
    const normed = vitHeadOf(m).norm(tf.mean(map, [1, 2])) as tf.Tensor;
    expect(maxDiff(normed, pooled)).toBeLessThan(1e-5);
    tf.dispose([map, pooled, normed, x]);
    m.dispose();
  });

  it('refuses a model without a pool layer', () => {
    const input = tfl.input({ shape: [4, 4, 1] });
    const m = tfl.model({ inputs: input, outputs: tfl.layers.flatten().apply(input) as tfl.SymbolicTensor });
    expect(() => spatialFeatures(m, tf.zeros([1, 4, 4, 1]))).toThrow(/no 'pool' layer/);
  });
});
