/**
 * The counting loss (src-main/ml/losses/counting.ts) against float64 PyTorch values and autograd
 * gradients of the paper's eq. 6 (tests/fixtures/counting-reference.json, made by
 * build/scripts/counting_reference.py), on every backend present. Tolerances as the other loss
 * tests: value |a − e| ≤ 1e-4·|e| + 1e-6; gradient |g − g_ref| ≤ 1e-4·max|g_ref| + 1e-7.
 * No tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countingLoss, countingTerms } from '../../../src-main/ml/losses';
import { BACKENDS, useBackend } from './backends';
import { flatten, shapeOf, worstFraction, type Json } from './fixture';

interface Case {
  args: { down: Json; tileSum: Json; other: Json; margin: number };
  expected: number;
  terms: { equal: number; contrast: number };
  activeRows: number;
  grads: { down: Json; tileSum: Json; other: Json };
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/counting-reference.json', import.meta.url), 'utf8')) as { generator: string; cases: Case[] };
const t = (v: Json) => tf.tensor2d(flatten(v), shapeOf(v) as [number, number]);

describe('counting-reference.json', () => {
  it('is float64 PyTorch, with the margin term active on all, some and few rows', () => {
    expect(fixture.generator).toMatch(/PyTorch .*float64/);
    const kinds = fixture.cases.map((c) => (c.activeRows === shapeOf(c.args.down)[0] ? 'all' : c.activeRows > 0 ? 'some' : 'none'));
    expect(kinds).toContain('all');
    expect(kinds).toContain('some');
  });
});

describe.each(BACKENDS)('countingLoss matches float64 PyTorch on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(fixture.cases.map((c, i) => [`case ${i}`, c] as const))('%s: value, terms and gradients', async (_l, c) => {
    const [down, tileSum, other] = [t(c.args.down), t(c.args.tileSum), t(c.args.other)];
    const m = c.args.margin;
    const before = tf.memory().numTensors;
    const loss = countingLoss(down, tileSum, other, m);
    expect(tf.memory().numTensors, 'only the result is left').toBe(before + 1);
    expect(worstFraction(await loss.data(), [c.expected], 1e-4, 1e-6, false)).toBeLessThanOrEqual(1);
    const terms = countingTerms(down, tileSum, other, m);
    expect(worstFraction([(await terms.equal.data())[0]!, (await terms.contrast.data())[0]!], [c.terms.equal, c.terms.contrast], 1e-4, 1e-6, false)).toBeLessThanOrEqual(1);
    tf.dispose([loss, terms.equal, terms.contrast]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, o: tf.Tensor) => countingLoss(a as tf.Tensor2D, b as tf.Tensor2D, o as tf.Tensor2D, m))([down, tileSum, other]);
    const names = ['down', 'tileSum', 'other'] as const;
    for (let i = 0; i < 3; i++) {
      const frac = worstFraction(await grads[i]!.data(), flatten(c.grads[names[i]!]), 1e-4, 1e-7, true);
      expect(frac, `gradient of ${names[i]} as a fraction of the tolerance`).toBeLessThanOrEqual(1);
    }
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([down, tileSum, other]);
  });

  it('refuses mismatched shapes and a non-positive margin, naming the reason', () => {
    const [a, b] = [tf.zeros([3, 4]) as tf.Tensor2D, tf.zeros([3, 5]) as tf.Tensor2D];
    const before = tf.memory().numTensors;
    expect(() => countingLoss(a, b, a, 10)).toThrow(/shapes .* differ/);
    expect(() => countingLoss(a, a, a, 0)).toThrow('margin must be a positive number, got 0');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});
