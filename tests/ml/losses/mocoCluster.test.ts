/**
 * MoCo v3's and DeepCluster v2's losses, and DeepCluster v2's spherical k-means, against float64
 * PyTorch (tests/fixtures/moco-cluster-reference.json, made by
 * build/scripts/moco_cluster_reference.py from the official code), on every backend present.
 * Tolerances as the other loss tests: value |a − e| ≤ 1e-4·|e| + 1e-6; gradient
 * |g − g_ref| ≤ 1e-4·max|g_ref| + 1e-7 per element. No tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sphericalKMeans } from '../../../src-main/ml/blocks';
import { deepClusterLoss, mocoV3Loss } from '../../../src-main/ml/losses';
import { BACKENDS, useBackend } from './backends';
import { flatten, type Json } from './fixture';

interface LossCase {
  fn: 'mocoV3Loss' | 'deepClusterLoss';
  args: Record<string, Json>;
  expected: number;
  grads: Record<string, Json>;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/moco-cluster-reference.json', import.meta.url), 'utf8')) as {
  generator: string;
  cases: LossCase[];
  kmeans: { x: number[][]; init: number[]; iters: number; assignments: number[]; centroids: number[][] }[];
};

function within(actual: ArrayLike<number>, expected: number[], rel: number, abs: number): number {
  const scale = expected.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  return expected.reduce((w, e, i) => Math.max(w, Math.abs(actual[i]! - e) / (rel * scale + abs)), 0);
}

/** The case's loss as a function of its float tensors (the first one or two args). */
function lossOf(c: LossCase): { tensors: tf.Tensor[]; fn: (...xs: tf.Tensor[]) => tf.Scalar; rest: tf.Tensor[] } {
  const t = c.args['temperature'] as number;
  if (c.fn === 'mocoV3Loss') {
    return { tensors: [tf.tensor2d(c.args['q'] as number[][]), tf.tensor2d(c.args['k'] as number[][])], fn: (q, k) => mocoV3Loss(q as tf.Tensor2D, k as tf.Tensor2D, t), rest: [] };
  }
  const a = tf.tensor1d(c.args['assignments'] as number[], 'int32');
  return { tensors: [tf.tensor2d(c.args['scores'] as number[][])], fn: (s) => deepClusterLoss(s as tf.Tensor2D, a, t), rest: [a] };
}

describe('moco-cluster-reference.json', () => {
  it('covers both losses and k-means, from float64 PyTorch', () => {
    expect(new Set(fixture.cases.map((c) => c.fn))).toEqual(new Set(['mocoV3Loss', 'deepClusterLoss']));
    expect(fixture.kmeans.length).toBeGreaterThan(0);
    expect(fixture.generator).toMatch(/PyTorch .*float64/);
  });
});

describe.each(BACKENDS)('MoCo v3 / DeepCluster v2 match float64 PyTorch on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(fixture.cases.map((c, i) => [`${i}: ${c.fn}`, c] as const))('%s: value and gradients', (_l, c) => {
    const { tensors, fn, rest } = lossOf(c);
    const before = tf.memory().numTensors;
    const out = fn(...tensors);
    expect(tf.memory().numTensors, 'only the result is left').toBe(before + 1);
    expect(within(out.dataSync(), [c.expected], 1e-4, 1e-6)).toBeLessThanOrEqual(1);
    const grads = tf.grads((...xs: tf.Tensor[]) => fn(...xs))(tensors);
    Object.keys(c.grads).forEach((name, i) => {
      expect(within(grads[i]!.dataSync(), flatten(c.grads[name]!), 1e-4, 1e-7), `${name} gradient`).toBeLessThanOrEqual(1);
    });
    tf.dispose([out, ...grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...tensors, ...rest]);
  });

  it.each(fixture.kmeans.map((c, i) => [i, c] as const))('k-means case %i: assignments and centroids', (_i, c) => {
    const x = tf.tensor2d(c.x);
    const before = tf.memory().numTensors;
    const r = sphericalKMeans(x, c.init, c.iters);
    expect(Array.from(r.assignments)).toEqual(c.assignments);
    expect(within(r.centroids.dataSync(), c.centroids.flat(), 1e-5, 1e-6)).toBeLessThanOrEqual(1);
    r.centroids.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('deepClusterLoss', () => {
  it('is 0 with a zero gradient when no row has an assignment (the first epoch)', () => {
    const s = tf.tensor2d([[0.2, -0.4], [0.9, 0.1]]);
    const a = tf.tensor1d([-1, -1], 'int32');
    const loss = deepClusterLoss(s, a, 0.1);
    const g = tf.grad((x: tf.Tensor) => deepClusterLoss(x as tf.Tensor2D, a, 0.1))(s);
    expect(loss.dataSync()[0]).toBe(0);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 0]);
    tf.dispose([s, a, loss, g]);
  });
});
