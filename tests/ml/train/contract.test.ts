/**
 * The widened method contract (issue 12): parameter groups in the optimiser, the beforeApply
 * building blocks (clipping, freezing), and what the loop hands a method (StepInput) and logs
 * from it (per-term metrics).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { presetForMethod } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { simclr } from '../../../src-main/ml/methods/simclr';
import type { StepInput } from '../../../src-main/ml/methods';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { clipGradients, withoutGradients } from '../../../src-main/ml/train/gradients';
import { trainLoop } from '../../../src-main/ml/train/loop';
import { Optimizer } from '../../../src-main/ml/train/optimizers';
import type { MetricPoint } from '../../../src-main/core/types';
import { toyTrainData } from './toyData';

beforeAll(async () => {
  await useBackend('cpu');
});
afterEach(() => vi.restoreAllMocks());

const values = (v: tf.Tensor) => Array.from(v.dataSync());

describe('parameter groups', () => {
  it('a group scales the lr, fixes it at the base lr, and has its own weight decay; the others follow the config', () => {
    const a = tf.variable(tf.tensor2d([[1, 2]]), true, 'grp-a');
    const b = tf.variable(tf.tensor2d([[1, 2]]), true, 'grp-b');
    const c = tf.variable(tf.tensor2d([[1, 2]]), true, 'grp-c');
    const opt = new Optimizer([a, b, c], { name: 'sgd', weightDecay: 0.1 }, [
      { name: 'fixed', variables: [b], fixedLr: true, weightDecay: 0 },
      { name: 'scaled', variables: [c], lrScale: 2 },
    ]);
    const g = () => ({ 'grp-a': tf.tensor2d([[1, 1]]), 'grp-b': tf.tensor2d([[1, 1]]), 'grp-c': tf.tensor2d([[1, 1]]) });
    const grads = g();
    opt.apply(grads, 0.1, 0.5); // scheduled lr 0.1, base lr 0.5
    tf.dispose(grads);
    // a: p − 0.1·(g + 0.1·p); b: p − 0.5·g (no decay); c: p − 0.2·(g + 0.1·p)
    expect(values(a)).toEqual([1 - 0.1 * 1.1, 2 - 0.1 * 1.2].map(Math.fround));
    expect(values(b)).toEqual([0.5, 1.5]);
    expect(values(c)).toEqual([1 - 0.2 * 1.1, 2 - 0.2 * 1.2].map(Math.fround));
    opt.dispose();
    tf.dispose([a, b, c]);
  });

  it('excludeFromLars skips the trust ratio; a variable in two groups or none of the optimiser is refused', () => {
    const a = tf.variable(tf.tensor2d([[3, 4]]), true, 'lars-a');
    const opt = new Optimizer([a], { name: 'lars', weightDecay: 0, eta: 0.02 }, [{ name: 'head', variables: [a], excludeFromLars: true }]);
    const grads = { 'lars-a': tf.tensor2d([[1, 0]]) };
    opt.apply(grads, 0.1);
    tf.dispose(grads);
    expect(values(a)).toEqual([Math.fround(2.9), 4]);
    expect(() => new Optimizer([a], { name: 'sgd', weightDecay: 0 }, [{ name: 'x', variables: [a] }, { name: 'y', variables: [a] }])).toThrow(/two parameter groups/);
    const other = tf.variable(tf.zeros([1]), true, 'lars-other');
    expect(() => new Optimizer([a], { name: 'sgd', weightDecay: 0 }, [{ name: 'x', variables: [other] }])).toThrow(/not optimised/);
    opt.dispose();
    tf.dispose([a, other]);
  });
});

describe('beforeApply blocks', () => {
  it("clipGradients 'total' is torch's clip_grad_norm_, 'each' DINO's per-parameter clip", () => {
    const grads = { x: tf.tensor1d([3, 4]), y: tf.tensor1d([0, 12]) }; // norms 5 and 12, total 13
    const total = clipGradients(grads, 1, 'total');
    const each = clipGradients(grads, 6, 'each');
    const k = 1 / (13 + 1e-6);
    expect(values(total['x']!)).toEqual([3 * k, 4 * k].map(Math.fround).map((v) => expect.closeTo(v, 7)));
    expect(values(each['x']!)).toEqual([3, 4]); // norm 5 < 6: unchanged
    expect(values(each['y']!)[1]).toBeCloseTo((12 * 6) / (12 + 1e-6), 5);
    const kept = clipGradients(grads, 100, 'total');
    expect(values(kept['y']!)).toEqual([0, 12]);
    tf.dispose([grads, total, each, kept]);
  });

  it('withoutGradients leaves a frozen variable untouched by the update', () => {
    const a = tf.variable(tf.tensor1d([1]), true, 'frz-a');
    const b = tf.variable(tf.tensor1d([1]), true, 'frz-b');
    const opt = new Optimizer([a, b], { name: 'sgd', weightDecay: 0.5, momentum: 0.9 });
    const grads = { 'frz-a': tf.tensor1d([1]), 'frz-b': tf.tensor1d([1]) };
    opt.apply(withoutGradients(grads, [b]), 0.1);
    tf.dispose(grads);
    expect(values(b)).toEqual([1]);
    expect(values(a)[0]).toBeLessThan(1);
    opt.dispose();
    tf.dispose([a, b]);
  });
});

describe('the loop and the method', () => {
  const cfg = (method: string, params: Record<string, number>) =>
    resolveConfig(method, { epochs: 2, batch: 8, seed: 2, width: 0.25, lr: 0.05, params }, (b) => presetForMethod(b, 8));

  it('hands each step its views with specs, dataset indices, epoch and step counters and seed path', async () => {
    const seen: Omit<StepInput, 'views' | 'labels' | 'indices'>[] = [];
    const indices: number[][] = [];
    const build = simclr.build.bind(simclr);
    vi.spyOn(simclr, 'build').mockImplementation((...args) => {
      const model = build(...args);
      const loss = model.loss.bind(model);
      return {
        ...model,
        loss: (input, targets) => {
          const { views, labels, indices: idx, ...rest } = input;
          expect(views.length).toBe(rest.specs.length);
          expect(views[0]!.shape[1]).toBe(rest.specs[0]!.size);
          expect(labels.dtype).toBe('int32');
          expect(idx.dtype).toBe('int32');
          seen.push(rest);
          indices.push(Array.from(idx.dataSync()));
          return loss(input, targets);
        },
      };
    });
    const data = toyTrainData();
    await trainLoop(data, cfg('simclr', { projHidden: 16, projOut: 8 }));
    expect(seen.map((s) => [s.epoch, s.stepInEpoch, s.stepsPerEpoch, s.step, s.totalSteps])).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [Math.floor(i / 4), i % 4, 4, i, 8]),
    );
    expect(seen[5]!.seedPath).toEqual({ seed: 2, epoch: 1, step: 1 });
    // Each epoch's batches cover the train split once, by dataset index.
    expect(indices.slice(0, 4).flat().sort((x, y) => x - y)).toEqual(data.trainIdx);
  });

  it("logs a method's per-term metrics per step as loss_<name>: VICReg's three terms", async () => {
    const points: MetricPoint[] = [];
    const weights = { simWeight: 25, varWeight: 25, covWeight: 1 };
    await trainLoop(toyTrainData(), cfg('vicreg', { projHidden: 16, projOut: 16, ...weights }), { onMetrics: (p) => points.push(...p) });
    const at = (name: string) => points.filter((p) => p.name === name).map((p) => p.value);
    expect(at('loss')).toHaveLength(8);
    for (const term of ['loss_invariance', 'loss_variance', 'loss_covariance']) expect(at(term), term).toHaveLength(8);
    at('loss').forEach((loss, i) => {
      const sum = 25 * at('loss_invariance')[i]! + 25 * at('loss_variance')[i]! + at('loss_covariance')[i]!;
      expect(sum).toBeCloseTo(loss, 4);
    });
  });
});
