/**
 * The CPC v2 InfoNCE loss (src-main/ml/losses/cpc.ts) against float64 PyTorch values and autograd
 * gradients of Appendix A's pseudocode (tests/fixtures/cpc-reference.json, made by
 * build/scripts/cpc_reference.py), on every backend present. Tolerances as the other loss
 * tests: value |a − e| ≤ 1e-4·|e| + 1e-6; gradient |g − g_ref| ≤ 1e-4·max|g_ref| + 1e-7.
 * No tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpcLoss, cpcTerms } from '../../../src-main/ml/losses';
import { BACKENDS, useBackend } from './backends';
import { flatten, shapeOf, worstFraction, type Json } from './fixture';

interface Case {
  args: { targets: Json; preds: Json[]; steps: number[] };
  expected: number;
  perStep: number[];
  accs: number[];
  grads: { targets: Json; preds: Json[] };
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/cpc-reference.json', import.meta.url), 'utf8')) as { generator: string; cases: Case[] };
const t4 = (v: Json) => tf.tensor4d(flatten(v), shapeOf(v) as [number, number, number, number]);

describe('cpc-reference.json', () => {
  it('is float64 PyTorch, with one and several steps, a non-square grid and a low-loss case', () => {
    expect(fixture.generator).toMatch(/PyTorch .*float64/);
    expect(fixture.cases.some((c) => c.args.steps.length > 2)).toBe(true);
    expect(fixture.cases.some((c) => shapeOf(c.args.targets)[1] !== shapeOf(c.args.targets)[2])).toBe(true);
    expect(Math.min(...fixture.cases.map((c) => c.expected))).toBeLessThan(0.5);
  });
});

describe.each(BACKENDS)('cpcLoss matches float64 PyTorch on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(fixture.cases.map((c, i) => [`case ${i}`, c] as const))('%s: value, per-step terms, accuracy and gradients', async (_l, c) => {
    const targets = t4(c.args.targets);
    const preds = c.args.preds.map(t4);
    const steps = c.args.steps;
    const before = tf.memory().numTensors;
    const loss = cpcLoss(targets, preds, steps);
    expect(tf.memory().numTensors, 'only the result is left').toBe(before + 1);
    expect(worstFraction(await loss.data(), [c.expected], 1e-4, 1e-6, false)).toBeLessThanOrEqual(1);
    const terms = cpcTerms(targets, preds, steps);
    expect(worstFraction(terms.losses.map((s) => s.dataSync()[0]!), c.perStep, 1e-4, 1e-6, false)).toBeLessThanOrEqual(1);
    expect(terms.accs.map((s) => s.dataSync()[0]!)).toEqual(c.accs.map((a) => Math.fround(a)));
    tf.dispose([loss, ...terms.losses, ...terms.accs]);
    const grads = tf.grads((...xs: tf.Tensor[]) => cpcLoss(xs[0] as tf.Tensor4D, xs.slice(1) as tf.Tensor4D[], steps))([targets, ...preds]);
    const expected = [c.grads.targets, ...c.grads.preds];
    for (let i = 0; i < grads.length; i++) {
      const frac = worstFraction(await grads[i]!.data(), flatten(expected[i]!), 1e-4, 1e-7, true);
      expect(frac, `gradient ${i} as a fraction of the tolerance`).toBeLessThanOrEqual(1);
    }
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([targets, ...preds]);
  });

  it('refuses mismatched shapes, steps outside the grid and a missing step, naming the reason', () => {
    const z = tf.zeros([2, 3, 3, 4]) as tf.Tensor4D;
    const other = tf.zeros([2, 3, 3, 5]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => cpcLoss(z, [other], [1])).toThrow('predictions for step 1 are 2×3×3×5, the targets 2×3×3×4');
    expect(() => cpcLoss(z, [z], [3])).toThrow('step 3 must be an integer in [1, 2] (a grid of 3 rows)');
    expect(() => cpcLoss(z, [z, z], [1])).toThrow('2 prediction maps for 1 steps');
    expect(() => cpcLoss(z, [], [])).toThrow('at least one');
    expect(tf.memory().numTensors, 'a refused call leaves nothing').toBe(before);
    tf.dispose([z, other]);
  });
});
