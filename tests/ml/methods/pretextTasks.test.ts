/**
 * The pretext-task methods (issue 13): rotation, jigsaw and context train on their task views'
 * targets. On a fixed tiny batch a few SGD steps lower the loss, the tensor count stays the
 * same across steps (wasm, as the trainer), and each view's geometry fits the images it is built for.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { Optimizer } from '../../../src-main/ml/train/optimizers';
import { getMethod, trainingViews } from '../../../src-main/ml/methods';
import { contextGeometry } from '../../../src-main/ml/methods/context';
import { jigsawGeometry } from '../../../src-main/ml/methods/jigsaw';
import { firstAndLast, fixedBatchSteps, N, SIZE } from '../../helpers/fixedBatch';

beforeAll(async () => {
  await useBackend('wasm');
});


const small: Record<string, Record<string, number>> = { rotation: {}, jigsaw: { permutations: 8, hidden: 32 }, context: { hidden: 32 } };

describe('pretext-task methods', () => {
  for (const method of ['rotation', 'jigsaw', 'context']) {
    it(`${method}: a few steps on one batch lower the loss; tensors constant across steps`, async () => {
      const cfg = resolveConfig(method, { epochs: 1, batch: N, width: 0.25, seed: 1, params: small[method], lr: 0.05 }, () => 'method');
      const views = trainingViews(method, cfg.preset, SIZE, cfg.params);
      const model = buildModel(cfg, { size: SIZE, channels: 1, numClasses: 0 });
      const opt = new Optimizer(model.trainable(), { name: 'sgd', weightDecay: 0, momentum: 0.9 });
      const before = tf.memory().numTensors;
      const { losses, counts } = fixedBatchSteps(model, opt, cfg.lr, views, 12, {
        onStep: (_, out) => expect(out.metrics!['acc']!.dataSync()[0]).toBeGreaterThanOrEqual(0),
      });
      expect(new Set(counts.slice(1)).size, `tensors after each step: ${counts.join(', ')}`).toBe(1);
      const { first, last } = firstAndLast(losses);
      expect(last, `losses ${losses.map((l) => l.toFixed(3)).join(' ')}`).toBeLessThan(0.8 * first);
      opt.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    }, 300_000);
  }

  it('builds views that fit: tiles of 12 px in 14-px cells and 11-px context patches at 28 px', () => {
    expect(jigsawGeometry(28)).toEqual({ cell: 14, gap: 2 });
    expect(contextGeometry(28)).toEqual({ size: 48, patch: 11, gap: 5, jitter: 1 });
    expect(contextGeometry(224)).toEqual({ size: 224, patch: 53, gap: 26, jitter: 5 });
    const j = trainingViews('jigsaw', 'method', 28, { permutations: 30 })[0]!;
    expect(j.size).toBe(42);
    expect(j.task).toMatchObject({ kind: 'tiles', permutations: 30, gap: 2 });
    expect(() => resolveConfig('jigsaw', { params: { permutations: 1 } }, () => 'method')).toThrow(/permutations must be in \[2, 362880\]/);
    expect(getMethod('rotation').train).toMatchObject({ optimizer: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
  });
});
