/**
 * PIRL (issue 13): the image and its jigsaw tiles against a memory bank. On a fixed tiny batch a
 * few SGD steps (with the bank updated after each, as the trainer does) lower the loss, the two
 * logged terms sum to it, the tensor count stays the same across steps (wasm, as the trainer),
 * and the views, defaults and option checks are the ones the header names.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderViews, taskTargets, type ViewParams } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { Optimizer } from '../../../src-main/ml/train/optimizers';
import { trainingViews, type StepInput } from '../../../src-main/ml/methods';

beforeAll(async () => {
  await useBackend('wasm');
});

const SIZE = 16;
const N = 8;
/** Eight 16-px images, each different. */
const pixels = Uint8Array.from({ length: N * SIZE * SIZE }, (_, i) => {
  const img = Math.floor(i / (SIZE * SIZE));
  const r = Math.floor((i % (SIZE * SIZE)) / SIZE);
  const c = i % SIZE;
  return r < 4 + img || (c > 10 && r > 8) ? 230 : 20 + 10 * img;
});

describe('pirl', () => {
  it('a few steps on one batch lower the loss; the terms sum to it; tensors constant across steps', async () => {
    const cfg = resolveConfig('pirl', { epochs: 1, batch: N, width: 0.25, seed: 1, params: { projOut: 16, negatives: 32 }, lr: 0.05 }, () => 'method');
    const views = trainingViews('pirl', cfg.preset, SIZE, cfg.params);
    // A bank of 64 train images, the batch being the first 8 of them.
    const model = buildModel(cfg, { size: SIZE, channels: 1, numClasses: 0, trainIdx: Array.from({ length: 64 }, (_, i) => i) });
    const opt = new Optimizer(model.trainable(), { name: 'sgd', weightDecay: 0, momentum: 0.9 });
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 12; step++) {
      let drawn: readonly ViewParams[][] = [];
      const seedPath = { seed: 1, epoch: 0, step: 0 }; // the same batch, views and negatives every step
      const rendered = renderViews({ pixels, shape: [N, SIZE, SIZE, 1] }, views, seedPath, { onParams: (v, p) => (drawn = Object.assign([...drawn], { [v]: p })) });
      expect(rendered[1]!.shape[0]).toBe(9 * N);
      const targets = tf.tensor1d(taskTargets(views[1]!.task!, drawn[1]!), 'int32');
      const labels = tf.zeros([N], 'int32') as tf.Tensor1D;
      const indices = tf.range(0, N, 1, 'int32') as tf.Tensor1D;
      const input: StepInput = { views: rendered, specs: views, labels, indices, epoch: 0, stepInEpoch: step, stepsPerEpoch: 12, step, totalSteps: 12, seedPath, taskTargets: [null, targets] };
      let terms: number[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const out = model.loss(input, []);
        terms = [out.metrics!['jigsaw']!.dataSync()[0]!, out.metrics!['image']!.dataSync()[0]!];
        return out.loss;
      }, model.trainable());
      opt.apply(grads, cfg.lr);
      model.afterStep?.(input, []);
      losses.push(value.dataSync()[0]!);
      expect(terms[0]! + terms[1]!).toBeCloseTo(losses[step]!, 4);
      tf.dispose([value, ...Object.values(grads), ...rendered, targets, labels, indices]);
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size, `tensors after each step: ${counts.join(', ')}`).toBe(1);
    const first = losses.slice(0, 2).reduce((a, b) => a + b) / 2;
    const last = losses.slice(-2).reduce((a, b) => a + b) / 2;
    expect(last, `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`).toBeLessThan(0.8 * first);
    opt.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  }, 300_000);

  it('views, defaults and option checks', () => {
    const cfg = resolveConfig('pirl', { epochs: 1 }, (b) => b);
    expect(cfg.params).toMatchObject({ projOut: 128, negatives: 4096, temperature: 0.07, bankMomentum: 0.5, lambda: 0.5 });
    expect(cfg).toMatchObject({ optimizer: 'sgd', momentum: 0.9, weightDecay: 1e-4, batch: 128 });
    const views = trainingViews('pirl', 'method', 28);
    expect(views.map((v) => v.name)).toEqual(['image', 'jigsaw']);
    expect(views[0]!.size).toBe(28);
    expect(views[0]!.task).toBeUndefined();
    expect(views[1]).toMatchObject({ size: 42, task: { kind: 'tiles', grid: 3, gap: 2 } });
    expect(() => resolveConfig('pirl', { params: { lambda: 1.5 } }, () => 'method')).toThrow(/lambda must be in \[0, 1\]/);
    expect(() => resolveConfig('pirl', { params: { bankMomentum: -1 } }, () => 'method')).toThrow(/bankMomentum/);
    expect(() => buildModel(resolveConfig('pirl', { width: 0.25, params: { projOut: 8 } }, () => 'method'), { size: 16, channels: 1, numClasses: 0 })).toThrow(/train split/);
  });
});
