/**
 * SwAV's and DINO's multi-crop losses (issue 12) against float64 PyTorch values and autograd
 * gradients of the official code (tests/fixtures/clustering-reference.json, made by
 * build/scripts/clustering_reference.py), on every backend present: swavCodes +
 * swappedPrediction (codes from Sinkhorn over a queue and the batch, predicted from every other
 * crop), dinoMultiCropLoss and dinoCenter. Tolerances as the other loss tests: value
 * |a − e| ≤ 1e-4·|e| + 1e-6; gradient |g − g_ref| ≤ 1e-4·max|g_ref| + 1e-7. No tensor is left.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dinoCenter, dinoMultiCropLoss, swappedPrediction, swavCodes, swavLoss } from '../../../src-main/ml/losses';
import { BACKENDS, useBackend } from './backends';
import { flatten, worstFraction, type Json } from './fixture';

interface Case {
  fn: 'swavMultiCrop' | 'dinoMultiCrop' | 'dinoCenter';
  args: Record<string, Json>;
  expected: Json;
  grads?: Record<string, Json>;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/clustering-reference.json', import.meta.url), 'utf8')) as { generator: string; cases: Case[] };

const num = (j: Json): number => j as number;
const crops = (j: Json): tf.Tensor2D[] => (j as Json[]).map((m) => tf.tensor2d(m as number[][]));

/** The case's function of its crop tensors (the differentiated argument), and the rest fixed. */
function lossOf(c: Case): { inputs: tf.Tensor2D[]; fixed: tf.Tensor[]; f: (xs: tf.Tensor2D[]) => tf.Tensor } {
  const a = c.args;
  if (c.fn === 'swavMultiCrop') {
    const queue = crops(a['queueScores']!);
    const f = (scores: tf.Tensor2D[]) =>
      tf.tidy(() => {
        const assigned = queue.length > 0 ? queue.length : 2;
        const codes = scores.slice(0, assigned).map((s, i) => swavCodes(s, queue[i] ?? null, num(a['epsilon']!), num(a['iterations']!)));
        return swappedPrediction(codes, scores, num(a['temperature']!));
      });
    return { inputs: crops(a['scores']!), fixed: queue, f };
  }
  const teacher = crops(a['teacher']!);
  const center = tf.tensor1d(a['center'] as number[]);
  if (c.fn === 'dinoCenter') return { inputs: teacher, fixed: [center], f: (t) => dinoCenter(center, t, num(a['momentum']!)) };
  const f = (student: tf.Tensor2D[]) => dinoMultiCropLoss(student, teacher, center, num(a['studentTemp']!), num(a['teacherTemp']!));
  return { inputs: crops(a['student']!), fixed: [...teacher, center], f };
}

describe('clustering-reference.json', () => {
  it('covers the multi-crop SwAV and DINO functions, from float64 PyTorch, with and without a queue', () => {
    expect(new Set(fixture.cases.map((c) => c.fn))).toEqual(new Set(['swavMultiCrop', 'dinoMultiCrop', 'dinoCenter']));
    expect(fixture.generator).toMatch(/PyTorch .*float64/);
    const queues = fixture.cases.filter((c) => c.fn === 'swavMultiCrop').map((c) => (c.args['queueScores'] as Json[]).length);
    expect(queues).toContain(0);
    expect(queues.some((q) => q > 0)).toBe(true);
  });
});

describe.each(BACKENDS)('multi-crop losses match float64 PyTorch on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(fixture.cases.map((c, i) => [`${i}: ${c.fn}`, c] as const))('%s: value and gradients', async (_l, c) => {
    const before = tf.memory().numTensors;
    const { inputs, fixed, f } = lossOf(c);
    const out = f(inputs);
    expect(worstFraction(await out.data(), flatten(c.expected), 1e-4, 1e-6, false)).toBeLessThanOrEqual(1);
    out.dispose();
    if (c.grads) {
      const expected = flatten(Object.values(c.grads)[0]!);
      const grads = tf.grads((...xs: tf.Tensor[]) => f(xs as tf.Tensor2D[]))(inputs);
      const actual = grads.flatMap((g) => Array.from(g.dataSync()));
      expect(worstFraction(actual, expected, 1e-4, 1e-7, true), 'gradient error as a fraction of the tolerance').toBeLessThanOrEqual(1);
      tf.dispose(grads);
    }
    tf.dispose([...inputs, ...fixed]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('swappedPrediction', () => {
  it('is swavLoss for two crops without a queue', async () => {
    await useBackend('cpu');
    const [s1, s2] = [tf.randomUniform([6, 5], -1, 1, 'float32', 1), tf.randomUniform([6, 5], -1, 1, 'float32', 2)] as tf.Tensor2D[];
    const two = swavLoss(s1!, s2!, 0.1, 0.05, 3);
    const multi = tf.tidy(() => swappedPrediction([swavCodes(s1!, null, 0.05, 3), swavCodes(s2!, null, 0.05, 3)], [s1!, s2!], 0.1));
    expect(multi.dataSync()[0]).toBeCloseTo(two.dataSync()[0]!, 6);
    expect(() => swappedPrediction([s1!], [s1!], 0.1)).toThrow(/at least 2 crops/);
    expect(() => swavCodes(s1!, tf.zeros([3, 4]) as tf.Tensor2D, 0.05, 3)).toThrow(/queueScores has 4 prototypes, scores 5/);
    tf.dispose([s1!, s2!, two, multi]);
  });
});
