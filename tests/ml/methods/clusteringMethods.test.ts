/**
 * What swav and dino do around their losses (issue 12): SwAV's prototypes are L2-normalised
 * before each step and frozen in the first epoch, its queue's scores join the codes from
 * queueStartEpoch; DINO's last layer is frozen in the first epoch, every gradient is clipped to
 * clipGrad, and the teacher temperature warms up over its share of the run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { resnet } from '../../../src-main/ml/backbones/resnet';
import { trainableVariables } from '../../../src-main/ml/heads/mlp';
import { getMethod, type StepInput } from '../../../src-main/ml/methods';
import { teacherTemperature } from '../../../src-main/ml/methods/dino';

const makeBackbone = () => resnet('small', { size: 8, channels: 1, width: 0.25 });

function input(epoch: number, views: tf.Tensor4D[]): StepInput {
  return {
    views, specs: [], labels: tf.tensor1d([0, 0, 0, 0], 'int32'), indices: tf.tensor1d([0, 1, 2, 3], 'int32'),
    epoch, stepInEpoch: 0, stepsPerEpoch: 2, step: epoch * 2, totalSteps: 6, seedPath: { seed: 1, epoch, step: 0 },
  };
}

function build(method: string, params: Record<string, number | boolean>) {
  const def = getMethod(method);
  return def.build(makeBackbone, 32, { ...def.params, ...params }, 10, { trainIndices: [0, 1, 2, 3, 4, 5, 6, 7] });
}

const views = () => [8, 8, 4, 4].map((s, i) => tf.randomNormal([4, s, s, 1], 0, 1, 'float32', i) as tf.Tensor4D);

describe('swav', () => {
  it('normalises the prototypes before a step, freezes them in epoch 0, uses the queue from queueStartEpoch', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const model = build('swav', { projHidden: 16, projOut: 8, prototypes: 6, queueSize: 4, queueStartEpoch: 1 });
    const protos = trainableVariables(model.networks()['prototypes']!);
    for (const epoch of [0, 1]) {
      const x = views();
      const inp = input(epoch, x);
      const targets = model.targets!(inp);
      expect(targets.length).toBe(epoch === 0 ? 0 : 2);
      const norms = tf.tidy(() => tf.norm(protos[0]!, 'euclidean', 0).arraySync() as number[]);
      for (const n of norms) expect(n).toBeCloseTo(1, 5);
      const { value, grads } = tf.variableGrads(() => model.loss(inp, targets).loss, model.trainable());
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      const applied = model.beforeApply!(grads, inp);
      expect(protos[0]!.name in applied).toBe(epoch > 0);
      expect(Object.keys(applied).length).toBe(Object.keys(grads).length - (epoch === 0 ? 1 : 0));
      model.afterStep!(inp, targets);
      tf.dispose([value, grads, applied, targets, x, inp.labels, inp.indices]);
    }
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('dino', () => {
  it('freezes the last layer in epoch 0 and clips every gradient to clipGrad', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const model = build('dino', { projHidden: 16, projOut: 8, prototypes: 6, clipGrad: 0.01 });
    const head = model.networks()['head']!;
    const last = head.layers.at(-1)!.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    expect(last.length).toBe(2); // v and the gain g (normLastLayer false)
    for (const epoch of [0, 1]) {
      const x = views();
      const inp = input(epoch, x);
      const targets = model.targets!(inp);
      const { value, grads } = tf.variableGrads(() => model.loss(inp, targets).loss, model.trainable());
      const applied = model.beforeApply!(grads, inp);
      for (const n of last) expect(n in applied).toBe(epoch > 0);
      for (const g of Object.values(applied)) expect(tf.tidy(() => tf.norm(g).dataSync()[0]!)).toBeLessThanOrEqual(0.01 * (1 + 1e-5));
      model.afterStep!(inp, targets);
      tf.dispose([value, grads, applied, targets, x, inp.labels, inp.indices]);
    }
    expect(model.buffers()['center']!.dataSync().some((v) => v !== 0)).toBe(true);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('warms the teacher temperature up linearly over its share of the run', () => {
    expect(teacherTemperature({ step: 0, totalSteps: 100 }, 0.04, 0.07, 0.1)).toBeCloseTo(0.04, 10);
    expect(teacherTemperature({ step: 5, totalSteps: 100 }, 0.04, 0.07, 0.1)).toBeCloseTo(0.055, 10);
    expect(teacherTemperature({ step: 10, totalSteps: 100 }, 0.04, 0.07, 0.1)).toBe(0.07);
    expect(teacherTemperature({ step: 0, totalSteps: 100 }, 0.04, 0.07, 0)).toBe(0.07);
  });
});
