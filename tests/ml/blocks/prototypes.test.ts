/**
 * Prototype layers (ml/blocks/prototypes.ts): SwAV's prototypes normalised in place, DINO's
 * weight-normalised last layer (y = normalize(x) · v/‖v‖ · g, per output column), and DINO's
 * teacher temperature warm-up. No tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { normalizePrototypes, prototypesHead, WeightNormDense } from '../../../src-main/ml/blocks';
import { trainableVariables } from '../../../src-main/ml/heads/mlp';
import { teacherTemperature } from '../../../src-main/ml/methods/dino';

beforeAll(async () => {
  await useBackend('cpu');
});
let baseline = 0;
beforeEach(() => (baseline = tf.memory().numTensors));
afterEach(() => expect(tf.memory().numTensors, 'tensors leaked').toBe(baseline));

function weightNormModel(normalized: boolean): tfl.Sequential {
  const m = tfl.sequential();
  m.add(new WeightNormDense({ units: 2, normalized, inputShape: [3] }));
  return m;
}

describe('prototypes', () => {
  it('normalizePrototypes makes every prototype (kernel column) unit length, in place', () => {
    const head = prototypesHead('p', 3, 5);
    const [kernel] = trainableVariables(head);
    tf.tidy(() => kernel!.assign(tf.mul(kernel!, 7)));
    normalizePrototypes(head);
    const norms = tf.tidy(() => Array.from(tf.norm(kernel!, 'euclidean', 0).dataSync()));
    expect(norms).toHaveLength(5);
    for (const n of norms) expect(n).toBeCloseTo(1, 5);
    head.dispose();
  });
});

describe('WeightNormDense', () => {
  it('is normalize(x) times the unit-length kernel columns times the gain', () => {
    const m = weightNormModel(false);
    const [v, g] = trainableVariables(m);
    expect(g!.shape).toEqual([2]);
    tf.tidy(() => {
      v!.assign(tf.tensor2d([[3, 0], [4, 0], [0, 2]]));
      g!.assign(tf.tensor1d([2, 0.5]));
    });
    const x = tf.tensor2d([[0, 0, 5], [6, 8, 0]]);
    const y = tf.tidy(() => (m.predict(x) as tf.Tensor).arraySync() as number[][]);
    // columns (0.6, 0.8, 0) and (0, 0, 1); rows of x normalised: (0, 0, 1) and (0.6, 0.8, 0).
    const expected = [[0, 0.5], [2, 0]];
    y.flat().forEach((a, i) => expect(a).toBeCloseTo(expected.flat()[i]!, 5));
    x.dispose();
    m.dispose();
  });

  it('norm_last_layer: no gain variable, outputs are cosines; the config round-trips', () => {
    const m = weightNormModel(true);
    expect(trainableVariables(m)).toHaveLength(1);
    const x = tf.randomNormal([4, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const y = tf.tidy(() => Array.from((m.predict(x) as tf.Tensor).dataSync()));
    for (const c of y) expect(Math.abs(c)).toBeLessThanOrEqual(1 + 1e-6);
    const layer = m.layers[0] as WeightNormDense;
    expect(layer.getConfig()).toMatchObject({ units: 2, normalized: true });
    x.dispose();
    m.dispose();
  });
});

describe('teacherTemperature', () => {
  it('rises linearly from the warm-up value to the final one over the given share of the steps', () => {
    const t = (step: number) => teacherTemperature({ step, totalSteps: 100 }, 0.04, 0.07, 0.1);
    expect(t(0)).toBeCloseTo(0.04, 12);
    expect(t(5)).toBeCloseTo(0.055, 12);
    expect(t(10)).toBe(0.07);
    expect(t(99)).toBe(0.07);
    expect(teacherTemperature({ step: 0, totalSteps: 100 }, 0.04, 0.07, 0)).toBe(0.07);
  });
});
