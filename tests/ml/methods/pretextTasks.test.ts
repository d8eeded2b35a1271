/**
 * The pretext-task methods (issue 13): rotation, jigsaw and context train on their task views'
 * targets. On a fixed tiny batch a few SGD steps lower the loss, the tensor count stays the
 * same across steps (wasm, as the trainer), and each view's geometry fits the images it is built for.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderViews, taskTargets, type ViewParams } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { Optimizer } from '../../../src-main/ml/train/optimizers';
import { getMethod, trainingViews, type StepInput } from '../../../src-main/ml/methods';
import { contextGeometry } from '../../../src-main/ml/methods/context';
import { jigsawGeometry } from '../../../src-main/ml/methods/jigsaw';

beforeAll(async () => {
  await useBackend('wasm');
});

const SIZE = 16;
const N = 8;
/** Eight 16-px images: shapes at different places, so the tasks are learnable. */
const pixels = Uint8Array.from({ length: N * SIZE * SIZE }, (_, i) => {
  const img = Math.floor(i / (SIZE * SIZE));
  const r = Math.floor((i % (SIZE * SIZE)) / SIZE);
  const c = i % SIZE;
  return r < 4 + img || (c > 10 && r > 8) ? 230 : 20 + 10 * img;
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
      const losses: number[] = [];
      const counts: number[] = [];
      for (let step = 0; step < 12; step++) {
        let drawn: readonly ViewParams[] = [];
        const seedPath = { seed: 1, epoch: 0, step: 0 }; // the same batch, pieces and targets every step
        const rendered = renderViews({ pixels, shape: [N, SIZE, SIZE, 1] }, views, seedPath, { onParams: (_, p) => (drawn = p) });
        const targets = tf.tensor1d(taskTargets(views[0]!.task!, drawn), 'int32');
        const labels = tf.zeros([N], 'int32') as tf.Tensor1D;
        const indices = tf.range(0, N, 1, 'int32') as tf.Tensor1D;
        const input: StepInput = {
          views: rendered,
          specs: views,
          labels,
          indices,
          epoch: 0,
          stepInEpoch: step,
          stepsPerEpoch: 12,
          step,
          totalSteps: 12,
          seedPath,
          taskTargets: [targets],
        };
        let acc: tf.Scalar | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const out = model.loss(input, []);
          acc = tf.keep(out.metrics!['acc']!);
          return out.loss;
        }, model.trainable());
        opt.apply(grads, cfg.lr);
        losses.push(value.dataSync()[0]!);
        expect(acc!.dataSync()[0]).toBeGreaterThanOrEqual(0);
        tf.dispose([value, acc!, ...Object.values(grads), ...rendered, targets, labels, indices]);
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
