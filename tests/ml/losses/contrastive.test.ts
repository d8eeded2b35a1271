/**
 * The contrastive-loss family of issue 12 (DCL, HCL, FlatNCE, Wang & Isola's objective, Ye et
 * al.'s invariance-and-spreading loss, NNCLR's and Wu et al.'s NCE) against float64
 * PyTorch values and autograd gradients of the official formulas
 * (tests/fixtures/contrastive-reference.json, made by build/scripts/contrastive_reference.py),
 * on every backend present. Tolerances as the other loss tests: value |a − e| ≤ 1e-4·|e| + 1e-6;
 * gradient |g − g_ref| ≤ 1e-4·max|g_ref| + 1e-7 per element. No tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as losses from '../../../src-main/ml/losses';
import { BACKENDS, useBackend } from './backends';
import { callCase, flatten, worstFraction, type Json, type ReferenceCase } from './fixture';

type LossFn = (...args: (number | tf.Tensor)[]) => tf.Scalar;
const byName = losses as unknown as Record<string, LossFn>;
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/contrastive-reference.json', import.meta.url), 'utf8')) as {
  generator: string;
  cases: (ReferenceCase & { grads: Record<string, Json> })[];
};

describe('contrastive-reference.json', () => {
  it('covers every loss of the family, from float64 PyTorch', () => {
    expect(new Set(fixture.cases.map((c) => c.fn))).toEqual(new Set(['dclLoss', 'hclLoss', 'flatNceLoss', 'alignUniformLoss', 'invaSpreadLoss', 'nnclrLoss', 'nceLoss']));
    expect(fixture.generator).toMatch(/PyTorch .*float64/);
  });
});

describe.each(BACKENDS)('contrastive losses match float64 PyTorch on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(fixture.cases.map((c, i) => [`${i}: ${c.fn}`, c] as const))('%s: value and gradients', async (_l, c) => {
    const fn = byName[c.fn]!;
    const { args, out, before } = callCase(c);
    expect(out.shape).toEqual([]);
    expect(worstFraction(await out.data(), [c.expected as number], 1e-4, 1e-6, false)).toBeLessThanOrEqual(1);
    out.dispose();
    // Gradients with respect to every tensor argument (they come first), the numbers held.
    const tensors = args.filter((a): a is tf.Tensor => a instanceof tf.Tensor);
    const rest = args.slice(tensors.length);
    const grads = tf.grads((...xs: tf.Tensor[]) => fn(...xs, ...rest))(tensors);
    expect(tf.memory().numTensors, 'only the gradients are left').toBe(before + tensors.length);
    Object.keys(c.grads).forEach((name, i) => {
      const frac = worstFraction(grads[i]!.dataSync(), flatten(c.grads[name]!), 1e-4, 1e-7, true);
      expect(frac, `${name} gradient error as a fraction of the tolerance`).toBeLessThanOrEqual(1);
    });
    tf.dispose([...grads, ...tensors]);
    expect(tf.memory().numTensors).toBe(before - tensors.length);
  });
});

describe('FlatNCE', () => {
  it('has the InfoNCE (NT-Xent) value; its gradient is not NT-Xent\'s', () => {
    const [z1, z2] = [tf.randomNormal([6, 4], 0, 1, 'float32', 1), tf.randomNormal([6, 4], 0, 1, 'float32', 2)] as tf.Tensor2D[];
    const flat = losses.flatNceLoss(z1!, z2!, 0.2);
    const nt = losses.ntXentLoss(z1!, z2!, 0.2);
    expect(flat.dataSync()[0]).toBeCloseTo(nt.dataSync()[0]!, 5);
    const gf = tf.grad((a: tf.Tensor) => losses.flatNceLoss(a as tf.Tensor2D, z2!, 0.2))(z1!);
    const gn = tf.grad((a: tf.Tensor) => losses.ntXentLoss(a as tf.Tensor2D, z2!, 0.2))(z1!);
    expect(tf.max(tf.abs(tf.sub(gf, gn))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([z1!, z2!, flat, nt, gf, gn]);
  });
});
