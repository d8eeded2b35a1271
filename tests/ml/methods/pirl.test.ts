/**
 * PIRL (issue 13): the image and its jigsaw tiles against a memory bank. On a fixed tiny batch a
 * few SGD steps (with the bank updated after each, as the trainer does) lower the loss, the two
 * logged terms sum to it, the tensor count stays the same across steps (wasm, as the trainer),
 * and the views, defaults and option checks are the ones the header names.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { Optimizer } from '../../../src-main/ml/train/optimizers';
import { trainingViews } from '../../../src-main/ml/methods';
import { firstAndLast, fixedBatchSteps, N, SIZE } from '../../helpers/fixedBatch';

beforeAll(async () => {
  await useBackend('wasm');
});


describe('pirl', () => {
  it('a few steps on one batch lower the loss; the terms sum to it; tensors constant across steps', async () => {
    const cfg = resolveConfig('pirl', { epochs: 1, batch: N, width: 0.25, seed: 1, params: { projOut: 16, negatives: 32 }, lr: 0.05 }, () => 'method');
    const views = trainingViews('pirl', cfg.preset, SIZE, cfg.params);
    // A bank of 64 train images, the batch being the first 8 of them.
    const model = buildModel(cfg, { size: SIZE, channels: 1, numClasses: 0, trainIdx: Array.from({ length: 64 }, (_, i) => i) });
    const opt = new Optimizer(model.trainable(), { name: 'sgd', weightDecay: 0, momentum: 0.9 });
    const before = tf.memory().numTensors;
    let terms: number[] = [];
    const { losses, counts } = fixedBatchSteps(model, opt, cfg.lr, views, 12, {
      onStep: (input, out) => {
        expect(input.views[1]!.shape[0]).toBe(9 * N);
        terms = [out.metrics!['jigsaw']!.dataSync()[0]!, out.metrics!['image']!.dataSync()[0]!];
      },
      afterStep: (loss) => expect(terms[0]! + terms[1]!).toBeCloseTo(loss, 4),
    });
    expect(new Set(counts.slice(1)).size, `tensors after each step: ${counts.join(', ')}`).toBe(1);
    const { first, last } = firstAndLast(losses);
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
