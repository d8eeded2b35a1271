/**
 * Training steps of a method on one fixed tiny batch, as the trainer runs them (views rendered
 * with their drawn parameters, task targets from the task views, the loss under
 * tf.variableGrads, the update, afterStep): the method tests check the loss falls and the tensor
 * count stays the same across steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { renderViews, taskTargets, type ViewParams, type ViewSpec } from '../../src-main/ml/augment';
import type { LossOutput, SslModel, StepInput } from '../../src-main/ml/methods';
import type { Optimizer } from '../../src-main/ml/train/optimizers';

export const SIZE = 16;
export const N = 8;
/** Eight 16-px one-channel images: shapes at different places, so the tasks are learnable. */
export const pixels = Uint8Array.from({ length: N * SIZE * SIZE }, (_, i) => {
  const img = Math.floor(i / (SIZE * SIZE));
  const r = Math.floor((i % (SIZE * SIZE)) / SIZE);
  const c = i % SIZE;
  return r < 4 + img || (c > 10 && r > 8) ? 230 : 20 + 10 * img;
});

/**
 * `steps` steps on the same batch (seed path fixed: the same views, pieces and targets every
 * step). `onStep` sees each step's input and loss output inside the gradient scope (keep what it
 * needs past it), and `afterStep` each step's loss value once the update is applied.
 * @returns the losses and the tensor count after each step
 */
export function fixedBatchSteps(
  model: SslModel,
  opt: Optimizer,
  lr: number,
  views: ViewSpec[],
  steps: number,
  hooks: { onStep?: (input: StepInput, out: LossOutput) => void; afterStep?: (loss: number, step: number) => void } = {},
): { losses: number[]; counts: number[] } {
  const losses: number[] = [];
  const counts: number[] = [];
  for (let step = 0; step < steps; step++) {
    const drawn: (readonly ViewParams[])[] = [];
    const seedPath = { seed: 1, epoch: 0, step: 0 };
    const rendered = renderViews({ pixels, shape: [N, SIZE, SIZE, 1] }, views, seedPath, { onParams: (v, p) => (drawn[v] = p) });
    const targets = views.some((s) => s.task) ? views.map((s, v) => (s.task ? tf.tensor1d(taskTargets(s.task, drawn[v]!), 'int32') : null)) : undefined;
    const labels = tf.zeros([N], 'int32') as tf.Tensor1D;
    const indices = tf.range(0, N, 1, 'int32') as tf.Tensor1D;
    const input: StepInput = { views: rendered, specs: views, labels, indices, epoch: 0, stepInEpoch: step, stepsPerEpoch: steps, step, totalSteps: steps, seedPath, ...(targets ? { taskTargets: targets } : {}) };
    const { value, grads } = tf.variableGrads(() => {
      const out = model.loss(input, []);
      hooks.onStep?.(input, out);
      return out.loss;
    }, model.trainable());
    opt.apply(grads, lr);
    model.afterStep?.(input, []);
    losses.push(value.dataSync()[0]!);
    hooks.afterStep?.(losses[step]!, step);
    tf.dispose([value, ...Object.values(grads), ...rendered, ...(targets ?? []).filter((t) => t !== null), labels, indices]);
    counts.push(tf.memory().numTensors);
  }
  return { losses, counts };
}

/** The mean of the first two and of the last two losses. */
export function firstAndLast(losses: number[]): { first: number; last: number } {
  return { first: (losses[0]! + losses[1]!) / 2, last: (losses.at(-2)! + losses.at(-1)!) / 2 };
}
