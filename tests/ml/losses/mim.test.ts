/**
 * The masked-image-modelling losses (src-main/ml/losses/mim.ts) against float64 PyTorch values
 * and autograd gradients of the official formulas (tests/fixtures/mim-reference.json, made by
 * build/scripts/mim_reference.py), on every backend present. Tolerances as the other loss
 * tests: value |a − e| ≤ 1e-4·|e| + 1e-6; gradient |g − g_ref| ≤ 1e-4·max|g_ref| + 1e-7.
 * No tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { data2vecLoss, data2vecTarget, maeLoss, patchify, unpatchify } from '../../../src-main/ml/losses';
import { BACKENDS, useBackend } from './backends';
import { flatten, shapeOf, worstFraction, type Json } from './fixture';

interface Case {
  fn: string;
  args: Record<string, Json>;
  expected: Json;
  grads?: Record<string, Json>;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/mim-reference.json', import.meta.url), 'utf8')) as { generator: string; cases: Case[] };

const t = (v: Json) => tf.tensor(flatten(v), shapeOf(v));

/** The case's function of its first tensor argument (pred, images or layers), the rest fixed. */
function caseFn(c: Case): { x: tf.Tensor; rest: tf.Tensor[]; f: (x: tf.Tensor) => tf.Tensor } {
  const a = c.args;
  switch (c.fn) {
    case 'patchify':
      return { x: t(a['images']!), rest: [], f: (x) => patchify(x, a['p'] as number) };
    case 'maeLoss': {
      const [images, mask] = [t(a['images']!), t(a['mask']!)];
      return { x: t(a['pred']!), rest: [images, mask], f: (x) => maeLoss(x, images, mask, a['p'] as number, a['normPix'] === 1) };
    }
    case 'data2vecTarget':
      return { x: t(a['layers']!), rest: [], f: (x) => tf.tidy(() => data2vecTarget(tf.unstack(x), a['k'] as number)) };
    case 'data2vecLoss': {
      const [target, mask] = [t(a['target']!), t(a['mask']!)];
      return { x: t(a['pred']!), rest: [target, mask], f: (x) => data2vecLoss(x, target, mask, a['beta'] as number) };
    }
    default:
      throw new Error(`unknown case ${c.fn}`);
  }
}

describe('mim-reference.json', () => {
  it('covers every MIM formula, from float64 PyTorch', () => {
    expect(new Set(fixture.cases.map((c) => c.fn))).toEqual(new Set(['patchify', 'maeLoss', 'data2vecTarget', 'data2vecLoss']));
    expect(fixture.generator).toMatch(/PyTorch .*float64/);
  });
});

describe.each(BACKENDS)('MIM losses match float64 PyTorch on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(fixture.cases.map((c, i) => [`${i}: ${c.fn}`, c] as const))('%s', async (_l, c) => {
    const { x, rest, f } = caseFn(c);
    const before = tf.memory().numTensors;
    const out = f(x);
    expect(tf.memory().numTensors, 'only the result is left').toBe(before + 1);
    expect(out.shape).toEqual(shapeOf(c.expected));
    expect(worstFraction(await out.data(), flatten(c.expected), 1e-4, 1e-6, false)).toBeLessThanOrEqual(1);
    out.dispose();
    if (c.grads) {
      const g = tf.grad(f)(x);
      expect(worstFraction(await g.data(), flatten(c.grads['pred']!), 1e-4, 1e-7, true), 'gradient error as a fraction of the tolerance').toBeLessThanOrEqual(1);
      g.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ...rest]);
  });

  it('unpatchify inverts patchify; bad shapes are refused with the reason', () => {
    const before = tf.memory().numTensors;
    const img = tf.randomUniform([2, 12, 8, 3], 0, 1, 'float32', 5);
    const back = tf.tidy(() => unpatchify(patchify(img, 4), 3, 2, 4, 3));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(back, img))).dataSync()[0])).toBe(0);
    expect(() => patchify(img, 5)).toThrow('not a whole number of 5 px patches');
    const [pred, mask, other] = [tf.zeros([2, 6, 10]), tf.ones([2, 6]), tf.zeros([2, 6, 9])];
    const inner = tf.memory().numTensors;
    expect(() => maeLoss(pred, img, mask, 4)).toThrow('does not match the patches');
    expect(() => data2vecLoss(pred, other, mask, 2)).toThrow('differ');
    expect(() => data2vecTarget([pred], 2)).toThrow('top 2 of 1 layers');
    expect(tf.memory().numTensors, 'a refused call leaves nothing').toBe(inner);
    tf.dispose([img, back, pred, mask, other]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
