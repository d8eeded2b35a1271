/**
 * Gradients of the losses, on every backend present:
 * - against float64 central differences of the official formulas (numpy-reference.json, made by
 *   numpy_reference.py, for the fixture's small cases and its extra N ≥ D cases), tolerance |g − g_ref| ≤ 1e-4·max|g_ref| + 1e-7 per element, i.e. 1e-4 of
 *   the gradient's scale (measured: at most 1.4e-6 of it on cpu and wasm; the references are
 *   good to about 1e-9; the floor covers all-but-zero gradients);
 * - stop-gradients: DINO's teacher and center get a zero gradient, Sinkhorn codes carry none,
 *   and SwAV's gradient is the one with its codes held constant (the reference's semantics);
 * - solo-learn's "loss falls": a few SGD steps on random embeddings lower every loss;
 * - no tensor is left behind by a gradient computation or a training step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as losses from '../../../src-main/ml/losses';
import { BACKENDS, useBackend } from './backends';
import { flatten, loadNumpyReference, loadReference, toArgs, type ReferenceCase } from './fixture';
import { randn } from './helpers';

type LossFn = (...args: (number | tf.Tensor)[]) => tf.Scalar;
const byName = losses as unknown as Record<string, LossFn>;
const reference = loadReference();
const numpyReference = loadNumpyReference();
const gradientCases = [
  ...numpyReference.cases.map((g) => ({ label: `${g.caseIndex}: ${g.fn}`, c: reference.cases[g.caseIndex!], grads: g.grads })),
  ...numpyReference.extraCases.map((g, i) => ({ label: `extra ${i}: ${g.fn}`, c: g as ReferenceCase, grads: g.grads })),
];

/** Largest |g − g_ref| as a fraction of the tolerance 1e-4·max|g_ref| + 1e-7 (≤ 1 passes). */
function errorFraction(actual: ArrayLike<number>, expected: number[]): number {
  const scale = expected.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst / (1e-4 * scale + 1e-7);
}

/** The loss as a function of the named tensor arguments only, the others held at their values. */
function partial(c: ReferenceCase, args: (number | tf.Tensor)[], names: string[]) {
  const keys = Object.keys(c.args);
  const fn = byName[c.fn];
  return (...xs: tf.Tensor[]) => fn(...args.map((a, i) => (names.includes(keys[i]) ? xs[names.indexOf(keys[i])] : a)));
}

describe.each(BACKENDS)('loss gradients on %s', (backend) => {
  let baseline = 0;
  beforeAll(() => useBackend(backend));
  beforeEach(() => (baseline = tf.memory().numTensors));
  afterEach(() => expect(tf.memory().numTensors, 'tensors leaked by the test').toBe(baseline));

  it.each(gradientCases.map((g) => [g.label, g] as const))('%s matches float64 finite differences', (_l, g) => {
    const c = g.c;
    const args = toArgs(c);
    const names = Object.keys(g.grads);
    const keys = Object.keys(c.args);
    const xs = names.map((n) => args[keys.indexOf(n)] as tf.Tensor);
    const before = tf.memory().numTensors;
    const grads = tf.grads(partial(c, args, names))(xs);
    expect(tf.memory().numTensors, 'only the gradients are left').toBe(before + names.length);
    names.forEach((n, i) => {
      const values = grads[i].dataSync();
      expect(values.every(Number.isFinite), `${n}: finite`).toBe(true);
      expect(errorFraction(values, flatten(g.grads[n])), `${c.fn} d/d${n}`).toBeLessThanOrEqual(1);
    });
    tf.dispose([...grads, ...args.filter((a): a is tf.Tensor => a instanceof tf.Tensor)]);
  });

  it('DINO: teacher logits and center get a zero gradient, the student a non-zero one', () => {
    const [s, t, c] = [randn(6, 10, 1), randn(6, 10, 2), tf.zeros([10]) as tf.Tensor1D];
    const [gs, gt, gc] = tf.grads((a: tf.Tensor, b: tf.Tensor, m: tf.Tensor) =>
      losses.dinoLoss(a as tf.Tensor2D, b as tf.Tensor2D, m as tf.Tensor1D, 0.1, 0.04))([s, t, c]);
    expect(Math.max(...Array.from(gs.dataSync(), Math.abs))).toBeGreaterThan(1e-3);
    expect(Array.from(gt.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(gc.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([s, t, c, gs, gt, gc]);
  });

  it('Sinkhorn codes carry no gradient', () => {
    const scores = tf.tidy(() => tf.tanh(randn(8, 5, 3)));
    const weights = randn(8, 5, 4);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(losses.sinkhorn(x as tf.Tensor2D, 0.05, 3), weights)))(scores);
    expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([scores, weights, g]);
  });

  it('Sinkhorn over a queue records one tape node and keeps none of its intermediates', () => {
    // The tape of a gradient computation is engine state; its length is what the backward pass
    // keeps alive. Sinkhorn's 3 iterations are ~15 ops on [Q + B, K]: all must stay off it.
    const engine = tf.engine() as unknown as { state: { activeTape: unknown[] | null } };
    const [scores, queue] = tf.tidy(() => [tf.tanh(randn(6, 5, 5)), tf.tanh(randn(12, 5, 6))]);
    const tapeAfter: number[] = [];
    const g = tf.grad((x: tf.Tensor) => {
      const before = engine.state.activeTape!.length;
      const codes = losses.swavCodes(x as tf.Tensor2D, queue as tf.Tensor2D, 0.05, 3);
      tapeAfter.push(engine.state.activeTape!.length - before);
      return tf.sum(tf.mul(codes, x));
    })(scores);
    expect(tapeAfter).toEqual([1]);
    // The codes are constants: d/dx Σ codes·x = codes.
    const codes = losses.swavCodes(scores as tf.Tensor2D, queue as tf.Tensor2D, 0.05, 3);
    expect(Array.from(g.dataSync())).toEqual(Array.from(codes.dataSync()));
    tf.dispose([scores, queue, g, codes]);
  });
});

/** Each loss as a function of trainable [N, D] embeddings (fixed targets where the method has them). */
const TRAINABLE: [string, number, (vs: tf.Tensor2D[], fixed: tf.Tensor2D[]) => tf.Scalar][] = [
  ['ntXentLoss', 2, ([a, b]) => losses.ntXentLoss(a, b, 0.5)],
  ['infoNceLoss', 1, ([q], [k, queue]) => losses.infoNceLoss(q, k, queue, 0.2)],
  ['byolLoss', 1, ([p], [z]) => losses.byolLoss(p, z)],
  ['simSiamLoss', 1, ([p], [z]) => losses.simSiamLoss(p, z)],
  ['barlowTwinsLoss', 2, ([a, b]) => losses.barlowTwinsLoss(a, b, 0.005)],
  ['vicregLoss', 2, ([a, b]) => losses.vicregLoss(a, b, 25, 25, 1)],
  ['dinoLoss', 1, ([s], [t]) => losses.dinoLoss(s, t, tf.zeros([t.shape[1]]) as tf.Tensor1D, 0.1, 0.04)],
  ['swavLoss', 2, ([a, b]) => losses.swavLoss(tf.tanh(a) as tf.Tensor2D, tf.tanh(b) as tf.Tensor2D, 0.1, 0.05, 3)],
  ['alignment', 2, ([a, b]) => losses.alignment(a, b, 2)],
  ['uniformity', 1, ([z]) => losses.uniformity(z, 2)],
];

describe.each(BACKENDS)('a few SGD steps lower each loss on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(TRAINABLE)('%s', (_name, trainable, lossOf) => {
    const baseline = tf.memory().numTensors;
    // Created in tidy so the initial values are freed (a variable shares their data).
    const vars = Array.from({ length: trainable }, (_, i) => tf.tidy(() => tf.variable(randn(16, 8, 10 + i)) as tf.Variable<tf.Rank.R2>));
    const fixed = [randn(16, 8, 20), randn(32, 8, 21)];
    const optimizer = tf.train.sgd(0.05);
    const costs: number[] = [];
    for (let step = 0; step < 10; step++) {
      const cost = optimizer.minimize(() => lossOf(vars, fixed), true, vars);
      costs.push(cost!.dataSync()[0]);
      cost!.dispose();
    }
    expect(costs.every(Number.isFinite)).toBe(true);
    expect(costs[9], `costs ${costs.map((c) => c.toFixed(4)).join(' ')}`).toBeLessThan(costs[0]);
    optimizer.dispose();
    tf.dispose([...vars, ...fixed]);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
